// 专家东宝行 pages: the list of itineraries, an itinerary with its stops, reports and follow-up needs, and the
// plan form with one row per stop (a clash comes back on the form next to the stop it concerns).
import type { Request, RequestHandler, Response } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import { findLive } from '../platform/db/live.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { expertOptions } from '../experts/service.ts';
import { campaignOptions } from './campaign-service.ts';
import { DEFAULT_TRAVEL_MINUTES, loadVisit, visits, type VisitView } from './visit-service.ts';
import { createFollowUp, followUpDraft, saveRemark, saveReport } from './visit-report.ts';
import type { StopDoc } from './model.ts';
import { formRows, isBlank, postedRows, remapErrors } from './form-rows.ts';
import { followUpInput, remarkInput, reportInput, visitInput, visitQuery } from './schema.ts';
import { toInput } from './times.ts';
import { clock } from '../platform/clock.ts';

const STOP_FIELDS = ['enterprise', 'startsAt', 'minutes'] as const;
const MAX_STOPS = 30;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export function visitFromForm(body: Record<string, unknown>): { input: Record<string, unknown>; rowOf: number[] } {
  const stops: Record<string, unknown>[] = [];
  const rowOf: number[] = [];
  for (const row of postedRows(body, 'stops', STOP_FIELDS, MAX_STOPS)) {
    if (isBlank(row, STOP_FIELDS)) continue;
    stops.push({ enterprise: row.enterprise ?? '', startsAt: row.startsAt ?? '', minutes: row.minutes ?? '' });
    rowOf.push(Number(row.index));
  }
  return { input: { campaign: body.campaign, expert: body.expert, title: body.title, travelMinutes: body.travelMinutes, stops }, rowOf };
}

function toForm(v: VisitView): Record<string, unknown> {
  const values: Record<string, unknown> = { campaign: v.campaign.id, expert: v.expert.id, title: v.title, travelMinutes: String(v.travelMinutes) };
  v.stops.forEach((s, i) => Object.assign(values, { [`stops.${i}.enterprise`]: s.enterprise.id, [`stops.${i}.startsAt`]: toInput(s.startsAt), [`stops.${i}.minutes`]: String(s.minutes) }));
  return values;
}

/** A form coming back after a failed save shows exactly the rows the user sent (blank ones included), no more. */
const afterPost = (locals: { errors?: Record<string, string> | undefined; detail?: string | undefined }) => !!locals.errors || !!locals.detail;

async function renderForm(res: Response, locals: { title: string; action: string; values: Record<string, unknown>; errors?: Record<string, string>; detail?: string; record?: VisitView }, status = 200) {
  const errors = locals.errors ?? {};
  res.status(status).render('campaigns/visit-form', {
    ...locals,
    section: 'campaigns',
    errors,
    errorList: locals.detail ? [locals.detail] : Object.values(errors),
    rows: formRows('stops', postedRows(locals.values, 'stops', STOP_FIELDS, MAX_STOPS), errors, { spare: afterPost(locals) ? 0 : 2, min: 4, max: MAX_STOPS }),
    campaignOptions: await campaignOptions('expert-visit'),
    expertOptions: await expertOptions(),
    enterpriseOptions: await enterpriseOptions(),
    defaultTravel: DEFAULT_TRAVEL_MINUTES,
  });
}

async function saveForm(req: Request, res: Response, id: string | undefined): Promise<void> {
  const body = req.body as Record<string, unknown>;
  const { input, rowOf } = visitFromForm(body);
  try {
    const parsed = parse(visitInput, input);
    const view = id ? await visits.update(req.user!, id, parsed) : await visits.create(req.user!, parsed);
    req.flash('success', id ? `已保存行程“${view.title}”。` : `已安排行程“${view.title}”。`);
    res.redirect(303, `/visits/${view.id}`);
  } catch (err) {
    if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err;
    const fields = remapErrors(err.fields ?? {}, 'stops', rowOf);
    const record = id ? await visits.get(req.user, id) : undefined;
    await renderForm(
      res,
      { title: id ? '编辑走访行程' : '安排专家走访', action: id ? `/visits/${id}` : '/visits', values: body, errors: fields, detail: err instanceof Conflict ? err.detail : undefined, record },
      err.status,
    );
  }
}

export const listPage: RequestHandler = async (req, res) => {
  const when = req.query.when === 'all' ? undefined : (req.query.when ?? 'upcoming');
  const q = parse(visitQuery, { ...req.query, when });
  const result = await visits.list(req.user, q);
  res.render('campaigns/visit-list', {
    title: '专家东宝行',
    section: 'campaigns',
    items: result.items,
    pager: pager(result),
    filters: { ...q, when: when ?? 'all' },
    campaignOptions: await campaignOptions('expert-visit'),
    expertOptions: await expertOptions(),
    canCreate: isOrganizer(req.user),
  });
};

export const showPage: RequestHandler = async (req, res) => renderShow(req, res);

async function renderShow(req: Request, res: Response, remarkForm: { value?: string; error?: string } = {}, status = 200): Promise<void> {
  const id = idParam(req);
  const record = await visits.get(req.user, id);
  let drafts: Record<string, ReturnType<typeof followUpDraft>[]> = {};
  if (record.permissions.followUp) {
    const doc = await loadVisit(id);
    const expert = await findLive<ExpertDoc>(Expert, doc.expert);
    drafts = {};
    for (const stop of doc.stops as StopDoc[]) {
      const enterprise = await findLive<EnterpriseDoc>(Enterprise, stop.enterprise);
      if (!enterprise || !stop.report?.at) continue;
      const count = Math.max(1, stop.report.problems?.length ?? 0);
      drafts[String(stop._id)] = Array.from({ length: count }, (_, i) => followUpDraft(doc, stop, enterprise, expert, i));
    }
  }
  const now = clock.ms();
  res.set('Cache-Control', 'no-store');
  res.status(status).render('campaigns/visit-show', {
    title: record.title,
    section: 'campaigns',
    record,
    stops: record.stops.map((s) => ({
      ...s,
      started: s.startsAt.getTime() <= now,
      problemsText: (s.report?.problems ?? []).join('\n'),
      drafts: (drafts[s.id] ?? []).map((d, i) => ({ ...d, problem: i, keywords: d.keywords.join('、'), done: s.followUps.find((f) => (f.problem ?? 0) === i) })),
    })),
    industryOptions: optionsOf('industry'),
    remarkValue: remarkForm.value ?? record.remark?.text ?? '',
    errors: remarkForm.error ? { remark: remarkForm.error } : {},
    errorList: remarkForm.error ? [remarkForm.error] : [],
  });
}

/** The visiting expert's remark (专家备注): a field error comes back on the page with what was typed. */
export const remarkForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const value = typeof req.body?.remark === 'string' ? req.body.remark : '';
  try {
    const view = await saveRemark(req.user, id, parse(remarkInput, { remark: value }));
    req.flash('success', `已保存专家备注，区科技局会收到通知（${view.title}）。`);
    res.redirect(303, `/visits/${id}#remark`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    await renderShow(req, res, { value, error: err.fields.remark ?? Object.values(err.fields).join(' ') }, 400);
  }
};

export const newForm: RequestHandler = async (req, res) => {
  await renderForm(res, { title: '安排专家走访', action: '/visits', values: { campaign: str(req.query.campaign), expert: str(req.query.expert), travelMinutes: String(DEFAULT_TRAVEL_MINUTES) } });
};

export const createForm: RequestHandler = (req, res) => saveForm(req, res, undefined);

export const editForm: RequestHandler = async (req, res) => {
  const record = await visits.get(req.user, idParam(req));
  if (!record.permissions.edit) throw new Forbidden();
  await renderForm(res, { title: '编辑走访行程', action: `/visits/${record.id}`, values: toForm(record), record });
};

export const updateForm: RequestHandler = (req, res) => saveForm(req, res, idParam(req));

export const confirmDelete: RequestHandler = async (req, res) => {
  const record = await visits.get(req.user, idParam(req));
  if (!record.permissions.delete) throw new Forbidden();
  res.render('shared/confirm-delete', { title: '取消走访行程', section: 'campaigns', noun: '走访行程', record, action: `/visits/${record.id}/delete`, back: `/visits/${record.id}` });
};

export const removeForm: RequestHandler = async (req, res) => {
  await visits.remove(req.user!, idParam(req));
  req.flash('success', '已取消该走访行程，专家和企业会收到通知。');
  res.redirect(303, '/visits');
};

/** A form on the itinerary page: back to the stop with a message. */
function stopAction(action: (req: Request, id: string) => Promise<string>): RequestHandler {
  return async (req, res) => {
    const id = idParam(req);
    try {
      req.flash('success', await action(req, id));
    } catch (err) {
      if (err instanceof Invalid) req.flash('error', Object.values(err.fields).join(' '));
      else if (err instanceof Conflict) req.flash('error', err.detail);
      else throw err;
    }
    res.redirect(303, `/visits/${id}#stop-${str(req.body?.stop)}`);
  };
}

export const reportForm = stopAction(async (req, id) => {
  await saveReport(req.user!, id, parse(reportInput, { stop: req.body?.stop, problems: req.body?.problems, suggestions: req.body?.suggestions }));
  return '已保存走访报告。';
});

export const followUpForm = stopAction(async (req, id) => {
  const input = parse(followUpInput, {
    stop: req.body?.stop,
    problem: req.body?.problem,
    title: req.body?.title,
    keywords: req.body?.keywords,
    industry: req.body?.industry,
    publish: req.body?.publish,
  });
  const { demand } = await createFollowUp(req.user!, id, input);
  return `已为企业生成跟进需求“${demand.title}”（${demand.status === 'draft' ? '草稿，待企业确认后发布' : '已发布'}）。`;
});
