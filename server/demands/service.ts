// Technical needs: posting, editing, the status workflow, the broker-assisted clarification, broker
// assignment, and who sees what. Drafts are visible to their parties only; members-only needs to logged-in
// users; the enterprise's contact to those the contacts policy allows.
import { findLive } from '../platform/db/live.ts';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, Permissions, RecordService, RecordView, GetOptions } from '../platform/http/crud.ts';
import * as audit from '../audit/service.ts';
import type { Contact } from '../contacts/model.ts';
import { reveal } from '../contacts/policy.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { shownEnterprise } from '../organizations/enterprise-service.ts';
import { Broker, type BrokerDoc } from '../brokers/model.ts';
import { labelOf, nameWithRole } from '../vocabulary/index.ts';
import { Demand, type DemandDoc } from './model.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import { indexList, sortOf } from '../search/lists.ts';
import type { ClarificationInput, DemandInput, DemandQuery } from './schema.ts';
import { allowedTransitions, completeness, partyOf, type DemandStatus, type Party } from './workflow.ts';
import { demandPolicy, hallStatuses } from './policy.ts';
import { clock } from '../platform/clock.ts';
import { calendarDate } from '../platform/time.ts';
import { eachOf } from '../platform/db/each.ts';

export interface DemandPermissions extends Permissions {
  transitions: DemandStatus[];
  clarify: boolean;
  assignBroker: boolean;
  /** confirm the broker's claim (workflow.ts mayConfirmClaim) */
  confirmClaim: boolean;
}

export interface DemandView extends RecordView {
  title: string;
  description: string;
  industry: string;
  keywords: string[];
  kind: string;
  cooperationModes: string[];
  budgetMin?: number | null | undefined;
  budgetMax?: number | null | undefined;
  deadline?: Date | null | undefined;
  jiebang: boolean;
  enterprise: { id: string; name: string };
  town?: string | null | undefined;
  /** `confirmed` false: the broker claimed the need and waits for the enterprise or an organizer to confirm */
  broker?: { id: string; name: string; confirmed: boolean } | undefined;
  status: DemandStatus;
  visibility: 'public' | 'members';
  publishedAt?: Date | null | undefined;
  createdAt: Date;
  updatedAt: Date;
  clarification: { indicator?: string | null; bottleneck?: string | null; targetMaturity?: string | null; budgetNote?: string | null; deadlineNote?: string | null; updatedAt?: Date | null; updatedByName?: string | null };
  /** for the parties only */
  completeness?: { score: number; missing: string[] } | undefined;
  history?: { from?: string | null; to: string; at: Date; byName?: string | null; note?: string | null }[] | undefined;
  contact?: Contact | undefined;
}

export function demandView(doc: DemandDoc, party?: Party, contact?: Contact): DemandView {
  const c = doc.clarification ?? {};
  return {
    id: String(doc._id),
    label: doc.title,
    title: doc.title,
    description: doc.description,
    industry: doc.industry,
    keywords: doc.keywords ?? [],
    kind: doc.kind,
    cooperationModes: doc.cooperationModes ?? [],
    budgetMin: doc.budgetMin,
    budgetMax: doc.budgetMax,
    deadline: calendarDate(doc.deadline),
    jiebang: !!doc.jiebang,
    enterprise: { id: doc.enterprise, name: doc.enterpriseName },
    town: doc.town,
    broker: doc.broker ? { id: doc.broker, name: doc.brokerName ?? '', confirmed: !!doc.brokerConfirmedAt } : undefined,
    status: doc.status as DemandStatus,
    visibility: (doc.visibility ?? 'public') as 'public' | 'members',
    publishedAt: doc.publishedAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    clarification: {
      indicator: c.indicator,
      targetMaturity: c.targetMaturity,
      budgetNote: c.budgetNote,
      deadlineNote: c.deadlineNote,
      // what is stuck and what was tried stays between the parties
      ...(party ? { bottleneck: c.bottleneck, updatedAt: c.updatedAt, updatedByName: c.updatedByName } : {}),
    },
    completeness: party ? completeness(doc) : undefined,
    history: party ? (doc.statusHistory ?? []).map((h) => ({ from: h.from, to: h.to, at: h.at, byName: h.byName, note: h.note })) : undefined,
    contact,
  };
}

/** The actions' buttons (policy.ts decides each); `transitions` are the statuses this party may move the need to. */
function permissionsFor(actor: Actor | undefined, party: Party | undefined, doc: DemandDoc): DemandPermissions {
  const can = demandPolicy.permissions(actor, doc, ['edit', 'delete', 'clarify', 'assignBroker', 'confirmClaim'] as const);
  return { edit: can.edit, delete: can.delete, transitions: allowedTransitions(party, doc.status as DemandStatus), clarify: can.clarify, assignBroker: can.assignBroker, confirmClaim: can.confirmClaim };
}

export async function loadDemand(id: string): Promise<DemandDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('技术需求不存在。');
  const doc = await findLive<DemandDoc>(Demand, id);
  if (!doc) throw new NotFound('技术需求不存在。');
  return doc;
}

/**
 * Needs as pages read them, kept by id under the 'demands' topic, which every write to a need announces
 * (model.ts; platform/db/shared-cache.ts): a need's page asked for the same document four times (the need, its
 * suggested results and experts, its responses). Only for showing: a use case that writes reads it afresh.
 */
const shownDemands = new SharedCache<DemandDoc>('demands', 5_000);

/** The need as the actor may see it, or NotFound/Unauthorized; `shown` for reading only (from the cache above). */
export async function visibleDemand(actor: Actor | undefined, id: string, opts: { shown?: boolean } = {}): Promise<{ doc: DemandDoc; party: Party | undefined }> {
  const doc = opts.shown && mongoose.isValidObjectId(id) ? ((await shownDemands.get(id, () => findLive<DemandDoc>(Demand, id))) ?? (await loadDemand(id))) : await loadDemand(id);
  demandPolicy.authorize(actor, 'view', doc);
  return { doc, party: partyOf(actor, doc) };
}

function listFilter(actor: Actor | undefined, q: DemandQuery): Record<string, unknown> {
  const and: Record<string, unknown>[] = [{ deletedAt: null }];
  const mine = q.mine && actor?.profile;
  if (mine && actor.profile!.kind === 'enterprise') and.push({ enterprise: actor.profile!.id });
  else if (mine && actor.profile!.kind === 'broker') and.push({ broker: actor.profile!.id });

  if (q.status) {
    // Drafts only show up for their own parties.
    if (q.status === 'draft' && !mine && !isOrganizer(actor)) and.push({ _id: null });
    and.push({ status: q.status });
  } else if (mine || isOrganizer(actor)) {
    if (!mine) and.push({ status: trusted({ $ne: 'draft' }) });
  } else {
    and.push({ status: trusted({ $in: hallStatuses(actor) }) });
  }
  if (!actor) and.push({ visibility: trusted({ $ne: 'members' }) });
  if (q.industry) and.push({ industry: q.industry });
  if (q.town) and.push({ town: q.town });
  if (q.kind) and.push({ kind: q.kind });
  if (q.jiebang) and.push({ jiebang: true });
  if (q.enterprise) and.push({ enterprise: q.enterprise });
  if (q.broker) and.push({ broker: q.broker });
  if (q.budget !== undefined) {
    const yuan = Math.round(q.budget * 10_000);
    and.push({ $or: [{ budgetMax: trusted({ $gte: yuan }) }, { budgetMax: null, budgetMin: trusted({ $gte: yuan }) }] });
  }
  if (q.q) {
    const re = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
    and.push({ $or: [{ title: re }, { keywords: re }, { description: re }, { enterpriseName: re }] });
  }
  return { $and: and };
}

const SORTS: Record<string, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: -1 },
  budget: { budgetMax: -1, budgetMin: -1, _id: -1 },
  deadline: { deadline: 1, _id: 1 },
};

async function list(actor: Actor | undefined, q: DemandQuery): Promise<ListResult<DemandView>> {
  const filter = listFilter(actor, q);
  const [docs, total] = await Promise.all([
    Demand.find(filter)
      .sort(SORTS[q.sort ?? 'newest']!)
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<DemandDoc[]>(),
    Demand.countDocuments(filter),
  ]);
  return { items: docs.map((d) => demandView(d, partyOf(actor, d))), total, page: q.page, limit: q.limit };
}

/**
 * Exports (crud.ts RecordService.cursor): every need of the list's filter (listFilter) in its order, from one
 * database cursor, each made the view `list` makes. Like `list`, a free-text `q` is a substring match in the
 * database: the page, read from the search index when there is one (browse), matches words and synonyms and sorts
 * by relevance, so with `q` an export may hold needs the page does not show, in the list's order.
 */
async function* cursor(actor: Actor | undefined, q: DemandQuery): AsyncGenerator<DemandView> {
  yield* eachOf(Demand.find(listFilter(actor, q)).sort(SORTS[q.sort ?? 'newest']!).lean<DemandDoc[]>().cursor({ batchSize: 1_000 }), (d: DemandDoc) => demandView(d, partyOf(actor, d)));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const { doc, party } = await visibleDemand(actor, id, { shown: true });
  const enterprise = await shownEnterprise(doc.enterprise);
  const contact = enterprise
    ? await reveal(actor, { kind: 'enterprise', id: doc.enterprise, label: enterprise.name, ownerId: enterprise.owner }, enterprise.contact, opts)
    : undefined;
  return { ...demandView(doc, party, contact), permissions: permissionsFor(actor, party, doc) };
}

async function enterpriseFor(actor: Actor, requested: string | undefined): Promise<EnterpriseDoc> {
  if (isOrganizer(actor)) {
    if (!requested) throw new Invalid({ enterprise: '请选择发布需求的企业。' });
    const doc = await findLive<EnterpriseDoc>(Enterprise, requested);
    if (!doc) throw new Invalid({ enterprise: '所选企业不存在。' });
    return doc;
  }
  if (actor.role !== 'enterprise') throw new Forbidden('只有企业账户可以发布技术需求。');
  if (actor.profile?.kind !== 'enterprise') throw new Conflict('请先登记企业信息，再发布技术需求。');
  if (requested && requested !== actor.profile.id) throw new Forbidden('只能以本企业的名义发布需求。');
  const doc = await findLive<EnterpriseDoc>(Enterprise, actor.profile.id);
  if (!doc) throw new Conflict('请先登记企业信息，再发布技术需求。');
  return doc;
}

async function create(actor: Actor, input: DemandInput): Promise<DemandView> {
  const enterprise = await enterpriseFor(actor, input.enterprise);
  const { draft, enterprise: _ignored, ...fields } = input;
  void _ignored;
  const now = clock.now();
  const status: DemandStatus = draft ? 'draft' : 'published';
  const doc = await Demand.create({
    ...fields,
    enterprise: String(enterprise._id),
    enterpriseName: enterprise.name,
    town: enterprise.town,
    status,
    publishedAt: status === 'published' ? now : undefined,
    statusHistory: [{ to: status, at: now, by: actor.id, byName: nameWithRole(actor) }],
    createdBy: actor.id,
  });
  return demandView(doc.toObject() as DemandDoc, 'owner');
}

async function update(actor: Actor, id: string, input: Partial<DemandInput>): Promise<DemandView> {
  const { doc, party } = await visibleDemand(actor, id); // someone else's draft: 404, as for reading
  demandPolicy.authorize(actor, 'edit', doc);
  const { draft: _draft, enterprise: requested, ...fields } = input;
  void _draft;
  const set: Record<string, unknown> = { ...fields };
  if (requested && requested !== doc.enterprise) {
    if (party !== 'organizer') throw new Forbidden('只有区科技局可以更换发布企业。');
    const enterprise = await findLive<EnterpriseDoc>(Enterprise, requested);
    if (!enterprise) throw new Invalid({ enterprise: '所选企业不存在。' });
    Object.assign(set, { enterprise: requested, enterpriseName: enterprise.name, town: enterprise.town });
  }
  const min = (set.budgetMin as number | undefined) ?? doc.budgetMin;
  const max = (set.budgetMax as number | undefined) ?? doc.budgetMax;
  if (typeof min === 'number' && typeof max === 'number' && min > max) throw new Invalid({ budgetMax: '预算上限不能低于下限。' });
  await Demand.updateOne({ _id: id }, { $set: set });
  return demandView(await loadDemand(id), party);
}

async function remove(actor: Actor, id: string): Promise<void> {
  const { doc } = await visibleDemand(actor, id);
  demandPolicy.authorize(actor, 'delete', doc);
  await Demand.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
}

/** The list from the search index, with the same visibility rules as the database list. */
async function browse(search: SearchIndex, actor: Actor | undefined, q: DemandQuery) {
  const filters: NonNullable<SearchQuery['filters']> = { kind: 'demand' };
  const mine = q.mine && actor?.profile;
  if (mine && actor.profile!.kind === 'enterprise') filters.enterprise = actor.profile!.id;
  else if (mine && actor.profile!.kind === 'broker') filters.broker = actor.profile!.id;
  if (q.status) {
    if (q.status === 'draft' && !mine && !isOrganizer(actor)) filters.status = [];
    else filters.status = q.status;
  } else if (!mine) {
    filters.status = [...hallStatuses(actor)];
  }
  if (!actor) filters.visibility = 'public';
  if (q.industry) filters.industry = q.industry;
  if (q.town) filters.town = q.town;
  if (q.kind) filters.category = q.kind;
  if (q.jiebang) filters.jiebang = 'yes';
  if (q.enterprise && !filters.enterprise) filters.enterprise = q.enterprise;
  if (q.broker && !filters.broker) filters.broker = q.broker;
  const ranges = q.budget !== undefined ? { budget: { gte: Math.round(q.budget * 10_000) } } : undefined;
  return indexList(search, { q: q.q, filters, ranges, sort: sortOf(q.sort, q.q), page: q.page, limit: q.limit });
}

export const demands: RecordService<DemandView, DemandInput, DemandQuery> = { list, cursor, browse, get, create, update, remove };

/** Moves the need along its workflow, recording who, when and why. */
export async function transition(actor: Actor, id: string, to: DemandStatus, note?: string): Promise<DemandView> {
  const { doc, party } = await visibleDemand(actor, id);
  demandPolicy.authorize(actor, 'transition', doc);
  const from = doc.status as DemandStatus;
  if (!allowedTransitions(party, from).includes(to)) {
    throw new Conflict(`需求当前为“${labelOf('demandStatus', from)}”，不能变更为“${labelOf('demandStatus', to)}”。`);
  }
  const now = clock.now();
  const set: Record<string, unknown> = { status: to };
  if (to === 'published' && !doc.publishedAt) set.publishedAt = now;
  // Compare-and-set on the status: of two simultaneous changes, one wins and the other is told.
  const res = await Demand.updateOne(
    { _id: id, status: from },
    { $set: set, $push: { statusHistory: { $each: [{ from, to, at: now, by: actor.id, byName: nameWithRole(actor), note }] } } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('需求状态刚刚被其他人修改，请刷新后重试。');
  return demandView(await loadDemand(id), party);
}

/** Updates the broker-assisted clarification (owner, assigned broker or organizer). */
export async function clarify(actor: Actor, id: string, input: ClarificationInput): Promise<DemandView> {
  const { doc, party } = await visibleDemand(actor, id);
  demandPolicy.authorize(actor, 'clarify', doc);
  const set: Record<string, unknown> = { 'clarification.updatedAt': clock.now(), 'clarification.updatedBy': actor.id, 'clarification.updatedByName': actor.name };
  const unset: Record<string, 1> = {};
  for (const key of ['indicator', 'bottleneck', 'targetMaturity', 'budgetNote', 'deadlineNote'] as const) {
    if (input[key] === undefined) unset[`clarification.${key}`] = 1;
    else set[`clarification.${key}`] = input[key];
  }
  await Demand.updateOne({ _id: id }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  return demandView(await loadDemand(id), party);
}

/** Organizers assign (or unassign, with null) the broker who works the need; their assignment is confirmed. */
export async function assignBroker(actor: Actor, id: string, brokerId: string | null): Promise<DemandView> {
  const doc = await loadDemand(id); // the route is organizers' only (routes.ts); the rule is checked again here
  demandPolicy.authorize(actor, 'assignBroker', doc);
  let broker: BrokerDoc | null = null;
  if (brokerId) {
    broker = await findLive<BrokerDoc>(Broker, brokerId);
    if (!broker) throw new Invalid({ broker: '所选技术经纪人不存在。' });
  }
  await Demand.updateOne(
    { _id: id },
    broker
      ? { $set: { broker: String(broker._id), brokerName: broker.name, brokerConfirmedAt: clock.now(), brokerConfirmedByName: actor.name } }
      : { $unset: { broker: 1, brokerName: 1, brokerConfirmedAt: 1, brokerConfirmedByName: 1 } },
  );
  await audit.record({
    actor,
    action: 'demand.assign',
    target: { kind: 'demand', id, label: doc.title },
    detail: broker ? `指派给 ${broker.name}` : '取消指派',
  });
  return demandView(await loadDemand(id), 'organizer');
}

export async function brokerOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Broker.find({ deletedAt: null }).sort({ name: 1, _id: 1 }).select('name organization').lean<BrokerDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `${d.name}（${d.organization}）` }));
}

/**
 * A contract was signed for the need (deals module): it becomes contracted from whatever open stage it was
 * in, with the contract named in its history. Already contracted needs stay as they are.
 */
export async function markContracted(actor: Actor, id: string, note: string): Promise<void> {
  const doc = await loadDemand(id);
  const from = doc.status as DemandStatus;
  if (from === 'contracted') return;
  const now = clock.now();
  const res = await Demand.updateOne(
    { _id: id, status: from },
    { $set: { status: 'contracted', ...(doc.publishedAt ? {} : { publishedAt: now }) }, $push: { statusHistory: { $each: [{ from, to: 'contracted', at: now, by: actor.id, byName: nameWithRole(actor), note }] } } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('需求状态刚刚被其他人修改，请刷新后重试。');
}
