// Demand pages: the record kit for list/show/forms/export, plus the workflow, clarification and broker
// assignment forms on the detail page, and their API twins.
import type { RequestHandler } from 'express';
import type { RecordDef } from '../platform/http/crud.ts';
import { wanToYuan, yuanToWan } from '../platform/http/fields.ts';
import { idParam } from '../platform/http/params.ts';
import { isoDate } from '../platform/time.ts';
import { parse } from '../platform/http/validate.ts';
import { Invalid } from '../platform/errors.ts';
import { optionsOf, labelOf } from '../vocabulary/index.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { assignBroker, brokerOptions, clarify, demands, transition, type DemandPermissions, type DemandView } from './service.ts';
import { assignBrokerInput, clarificationInput, demandInput, demandPatch, demandQuery, transitionInput, type DemandInput, type DemandQuery } from './schema.ts';
import { demandExport } from './import.ts';
import { suggestionsForDemand } from '../matching/suggestions.ts';
import { type DemandStatus } from './workflow.ts';
import { demandPolicy } from './policy.ts';
import { requestStates } from '../matching/contacts.ts';
import { closedReason, responsesOf } from '../matching/responses.ts';
import { indexVersion } from '../platform/http/visitor-pages.ts';
import { topicVersion } from '../platform/db/shared-cache.ts';

const FORM_FIELDS = ['title', 'description', 'industry', 'keywords', 'kind', 'cooperationModes', 'budgetMin', 'budgetMax', 'deadline', 'jiebang', 'visibility', 'enterprise'];

const vocab = () => ({
  industryOptions: optionsOf('industry'),
  townOptions: optionsOf('town'),
  kindOptions: optionsOf('demandKind'),
  statusOptions: optionsOf('demandStatus'),
  maturityOptions: optionsOf('maturity'),
  modeOptions: optionsOf('cooperationMode'),
});

export const demandDef: RecordDef<DemandView, DemandInput, DemandQuery> = {
  base: '/demands',
  noun: '技术需求',
  section: 'demands',
  views: { list: 'demands/list', show: 'demands/show', form: 'demands/form' },
  service: demands,
  listForVisitorsFromIndex: true,
  keepListBodies: 'index', // signed-in users' lists too: the index and vocabulary alone
  // A visitor sees a need's page made from the need (kept under 'demands'; every write to it also moves the index)
  // and its matches (per index generation); no contact, responses or forms.
  showForVisitors: (req) => {
    const index = indexVersion(req);
    const demands = topicVersion('demands');
    return index === undefined || demands === undefined ? undefined : `${index} demands ${demands}`;
  },
  schemas: { create: demandInput, update: demandPatch, list: demandQuery },
  fromForm(body) {
    const input: Record<string, unknown> = {};
    for (const f of FORM_FIELDS) if (body[f] !== undefined) input[f] = body[f];
    input.jiebang = body.jiebang === 'on';
    if (body.intent === 'draft') input.draft = true;
    if (input.enterprise === '') delete input.enterprise;
    return wanToYuan(input, ['budgetMin', 'budgetMax']);
  },
  toForm: (v) => ({
    ...v,
    enterprise: v.enterprise.id,
    keywords: v.keywords.join('、'),
    budgetMin: yuanToWan(v.budgetMin),
    budgetMax: yuanToWan(v.budgetMax),
    deadline: isoDate(v.deadline),
  }),
  async formLocals(actor) {
    return {
      ...vocab(),
      visibilityOptions: [
        { value: 'public', label: '公开' },
        { value: 'members', label: '仅注册用户可见' },
      ],
      enterpriseOptions: actor.role === 'organizer' ? await enterpriseOptions() : undefined,
      needsEnterprise: actor.role === 'enterprise' && !actor.profile,
    };
  },
  listLocals: (q, actor) => ({
    ...vocab(),
    sortOptions: [
      { value: 'newest', label: '最新发布' },
      { value: 'budget', label: '预算从高到低' },
      { value: 'deadline', label: '截止日期最近' },
    ],
    canPost: actor && actor.status === 'active' && (actor.role === 'organizer' || actor.role === 'enterprise'),
    mineLabel: actor?.profile?.kind === 'broker' ? '指派给我的' : actor?.profile?.kind === 'enterprise' ? '本企业的需求' : undefined,
    heading: q.mine ? (actor?.profile?.kind === 'broker' ? '指派给我的需求' : '我的技术需求') : '需求大厅',
    // 我的需求 with nothing narrowed: one record is shown as itself rather than under the filter form (list.hbs).
    mineUnfiltered: !!q.mine && !q.q && !q.industry && !q.town && !q.kind && !q.status && q.budget === undefined && !q.jiebang && q.page === 1,
  }),
  async showLocals(record, actor, { search }) {
    const permissions = record.permissions as DemandPermissions; // demands.get returns the richer set
    const showMatches = search && record.status !== 'draft' && record.status !== 'closed';
    const [resultMatches, expertMatches] = showMatches
      ? await Promise.all([suggestionsForDemand(search, actor, record.id, 'result', 5), suggestionsForDemand(search, actor, record.id, 'expert', 3)])
      : [[], []];
    const isOwner = !!actor && actor.profile?.kind === 'enterprise' && actor.profile.id === record.enterprise.id;
    // The owner sees, on each candidate, whether it has asked already (and the answer) instead of a second button.
    const states = isOwner && showMatches ? await requestStates(record.enterprise.id) : undefined;
    const withState = <M extends { kind: string; id: string }>(items: M[]) => (states ? items.map((m) => ({ ...m, requestState: states.get(`${m.kind}:${m.id}`) })) : items);
    // Responses: all of them for the enterprise, its broker and organizers; a responder sees its own and the button.
    const responses = record.status === 'draft' ? { items: [], all: false } : await responsesOf(actor, record.id);
    const responder = actor?.status === 'active' && (actor.profile?.kind === 'institution' || actor.profile?.kind === 'expert');
    return {
      responses: responses.items,
      responsesAll: responses.all,
      respond: responder && record.status !== 'draft' ? { verb: record.jiebang ? '揭榜' : '响应需求', closed: closedReason({ status: record.status }), mine: responses.items[0] } : undefined,
      resultMatches: withState(resultMatches),
      expertMatches: withState(expertMatches),
      showMatches,
      askContact: isOwner,
      canSeePipeline: permissions.clarify,
      // the same rule as the claim itself (matching/service.ts claim → workflow.ts claimRefusal)
      canClaim: demandPolicy.can(actor, 'claim', { enterprise: record.enterprise.id, broker: record.broker?.id, status: record.status }),
      transitionOptions: permissions.transitions.map((s: DemandStatus) => ({ value: s, label: labelOf('demandStatus', s) })),
      maturityOptions: optionsOf('maturity'),
      brokerOptions: permissions.assignBroker ? await brokerOptions() : undefined,
      isOwnerView: !!record.completeness,
      viewer: actor,
    };
  },
  export: demandExport,
  // A published need's strong matches are announced once it is indexed (matching/alerts.ts), from any door.
};

// ---- detail-page forms ----------------------------------------------------------------------------------------

export const changeStatus: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const input = parse(transitionInput, { status: req.body?.status, note: req.body?.note });
  const view = await transition(req.user!, id, input.status, input.note);
  req.flash('success', `需求状态已变更为“${labelOf('demandStatus', view.status)}”。`);
  res.redirect(303, `/demands/${id}`);
};

export const saveClarification: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const { _csrf: _c, ...fields } = req.body as Record<string, unknown>;
  void _c;
  try {
    await clarify(req.user!, id, parse(clarificationInput, fields));
    req.flash('success', '需求澄清信息已保存。');
    res.redirect(303, `/demands/${id}#clarification`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
    res.redirect(303, `/demands/${id}#clarification`);
  }
};

export const setBroker: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const { broker } = parse(assignBrokerInput, { broker: req.body?.broker ?? '' });
  const view = await assignBroker(req.user!, id, broker);
  req.flash('success', view.broker ? `已指派技术经纪人 ${view.broker.name}。` : '已取消指派。');
  res.redirect(303, `/demands/${id}`);
};

export const apiStatus: RequestHandler = async (req, res) => {
  const input = parse(transitionInput, req.body ?? {});
  const view = await transition(req.user!, idParam(req), input.status, input.note);
  res.json(view);
};

export const apiClarification: RequestHandler = async (req, res) => {
  res.json(await clarify(req.user!, idParam(req), parse(clarificationInput, req.body ?? {})));
};

export const apiBroker: RequestHandler = async (req, res) => {
  const { broker } = parse(assignBrokerInput, req.body ?? {});
  res.json(await assignBroker(req.user!, idParam(req), broker));
};
