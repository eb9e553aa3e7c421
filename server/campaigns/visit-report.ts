// Reports on 专家东宝行 stops and the follow-up needs made from them: after a stop, the visiting expert or an
// organizer writes what was found and suggested; an organizer turns a problem into a need for the enterprise in
// one click (every field pre-filled), tagged with the campaign and linked back to the stop. The visiting expert is
// told when an organizer writes or changes a report of their visit, and adds a remark (专家备注) to the visit,
// which the bureau is told of and which only the bureau and that expert see.
import { assertOrganizer, isOrganizer, type Actor } from '../platform/auth/actor.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import { parse } from '../platform/http/validate.ts';
import { date } from '../platform/views/helpers/date.ts';
import { labelOf } from '../vocabulary/index.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Demand } from '../demands/model.ts';
import { demands, type DemandView } from '../demands/service.ts';
import { demandInput } from '../demands/schema.ts';
import { Visit, type StopDoc, type VisitDoc } from './model.ts';
import type { FollowUpInput, RemarkInput, ReportInput } from './schema.ts';
import { notifyUsers, organizers, usersOf } from '../notifications/service.ts';
import { withScheduleLock } from './lock.ts';
import { isVisitingExpert, loadVisit, permissionsFor, visitTitle, visitView, type VisitView } from './visit-service.ts';
import { spanText } from './times.ts';
import { clock } from '../platform/clock.ts';

function stopOf(doc: VisitDoc, stopId: string): { stop: StopDoc; index: number } {
  const index = (doc.stops as StopDoc[]).findIndex((s) => String(s._id) === stopId);
  if (index < 0) throw new Invalid({ stop: '所选走访站点不存在。' });
  return { stop: doc.stops[index] as StopDoc, index };
}

/** The report of one stop: problems found and suggestions, by the visiting expert or an organizer. */
export async function saveReport(actor: Actor, visitId: string, input: ReportInput, now = clock.now()): Promise<VisitView> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await loadVisit(visitId);
    if (!permissionsFor(actor, doc).report) throw new Forbidden('只有走访专家和区科技局可以填写走访报告。');
    const { stop, index } = stopOf(doc, input.stop);
    if (stop.startsAt.getTime() > now.getTime()) throw new Conflict(`对“${stop.enterpriseName}”的走访尚未开始（${spanText(stop.startsAt, stop.endsAt)}），走访后再填写报告。`);
    const report = { problems: input.problems, suggestions: input.suggestions, at: now, by: actor.id, byName: actor.name };
    const res = await Visit.updateOne({ _id: visitId, rev: doc.rev }, { $set: { [`stops.${index}.report`]: report }, $inc: { rev: 1 } });
    if (res.modifiedCount === 1) {
      const saved = await loadVisit(visitId);
      if (isOrganizer(actor)) await tellExpert(saved, stop, doc.rev + 1);
      return visitView(saved, actor);
    }
  }
  throw new Conflict('走访行程刚刚被其他人修改，请刷新后重试。');
}

/**
 * The visit's expert (each active account whose profile it is) is told of a report an organizer wrote or changed;
 * keyed by the visit's revision the save made, so one save is never told twice.
 */
async function tellExpert(doc: VisitDoc, stop: StopDoc, rev: number): Promise<void> {
  await notifyUsers(await usersOf('expert', doc.expert), {
    kind: 'visit.report',
    title: `区科技局填写了走访报告：${stop.enterpriseName}`,
    body: `${visitTitle(doc)}。您可以在走访页面查看报告并添加专家备注。`,
    link: `/visits/${String(doc._id)}`,
    key: `visit.report|${String(doc._id)}|${rev}`,
  });
}

/** The visiting expert's remark on the visit (专家备注): added or edited; the organizers are told. */
export async function saveRemark(actor: Actor | undefined, visitId: string, input: RemarkInput, now = clock.now()): Promise<VisitView> {
  const doc = await loadVisit(visitId);
  // Visits are public (visit-pages.ts showPage), so anyone else is refused rather than told there is none.
  if (!isVisitingExpert(actor, doc)) throw new Forbidden('只有走访专家本人可以填写专家备注。');
  const remark = { text: input.remark, at: now, byName: doc.expertName };
  await Visit.updateOne({ _id: visitId }, { $set: { remark }, $inc: { rev: 1 } });
  await notifyUsers(await organizers(), {
    kind: 'visit.remark',
    title: `${doc.expertName}${doc.remark?.text ? '修改了' : '添加了'}专家备注：${visitTitle(doc)}`,
    body: clip(input.remark, 120),
    link: `/visits/${visitId}`,
  });
  return visitView(await loadVisit(visitId), actor);
}

const clip = (text: string, max: number) => (Array.from(text).length > max ? `${Array.from(text).slice(0, max - 1).join('')}…` : text);

/** The need a report's problem becomes, before the organizer's changes: title, description, keywords, industry. */
export function followUpDraft(visit: VisitDoc, stop: StopDoc, enterprise: EnterpriseDoc, expert: ExpertDoc | null, problem: number) {
  const problems = stop.report?.problems ?? [];
  const text = problems[problem] ?? stop.report?.suggestions ?? '';
  const title = Array.from(text).length >= 5 ? clip(text, 60) : clip(`专家东宝行跟进需求：${text || enterprise.name}`, 60);
  const description = clip(
    [`专家东宝行走访（${visit.expertName}，${date(stop.startsAt)}）发现的问题：${text}`, stop.report?.suggestions ? `专家建议：${stop.report.suggestions}` : '']
      .filter(Boolean)
      .join('\n'),
    3000,
  );
  const keywords = (expert?.keywords ?? []).slice(0, 5);
  return { title, description, industry: enterprise.industry, keywords: keywords.length ? keywords : [labelOf('industry', enterprise.industry)], kind: 'tech-problem' };
}

/**
 * Creates a need for the stop's enterprise from its report (one click: every field is pre-filled), tags it
 * with the campaign and links it to the stop. A problem already followed up is not followed up twice.
 */
export async function createFollowUp(actor: Actor, visitId: string, input: FollowUpInput): Promise<{ demand: DemandView; visit: VisitView }> {
  assertOrganizer(actor, '为企业生成跟进需求');
  // Under the lease, so that a double click cannot follow one problem up twice.
  const need = await withScheduleLock(async () => {
    const doc = await loadVisit(visitId);
    const { stop } = stopOf(doc, input.stop);
    if (!stop.report?.at) throw new Conflict(`请先填写对“${stop.enterpriseName}”的走访报告。`);
    const problem = input.problem ?? 0;
    const already = (stop.followUps ?? []).find((f) => (f.problem ?? 0) === problem);
    if (already) throw new Conflict(`该问题已生成跟进需求“${already.title}”。`);
    const enterprise = await findLive<EnterpriseDoc>(Enterprise, stop.enterprise);
    if (!enterprise) throw new Conflict(`企业“${stop.enterpriseName}”已不在平台上。`);
    const draft = followUpDraft(doc, stop, enterprise, await findLive<ExpertDoc>(Expert, doc.expert), problem);
    const created = await demands.create(
      actor,
      parse(demandInput, {
        title: input.title ?? draft.title,
        description: input.description ?? draft.description,
        industry: input.industry ?? draft.industry,
        keywords: input.keywords ?? draft.keywords,
        kind: input.kind ?? draft.kind,
        enterprise: stop.enterprise,
        draft: !input.publish,
      }),
    );
    await Demand.updateOne({ _id: created.id }, { $addToSet: { campaigns: { $each: [doc.campaign] } } });
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await loadVisit(visitId);
      const { index } = stopOf(current, input.stop);
      const res = await Visit.updateOne(
        { _id: visitId, rev: current.rev },
        { $push: { [`stops.${index}.followUps`]: { $each: [{ demand: created.id, title: created.title, problem, at: clock.now() }] } }, $inc: { rev: 1 } },
      );
      if (res.modifiedCount === 1) break;
    }
    return created;
  });
  return { demand: need, visit: visitView(await loadVisit(visitId), actor) };
}

