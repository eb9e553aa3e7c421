// 专家东宝行 visits: an itinerary of enterprise stops for one expert over one or more days. Saving refuses, with a
// 409 naming the clash, stops that overlap, stops at different enterprises closer than the itinerary's travel
// gap, and an expert who is elsewhere at the time (another visit, or presenting a roadshow slot). Reports and
// follow-up needs are in visit-report.ts.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer, assertOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Invalid, NotFound } from '../platform/errors.ts';
import type { GetOptions, ListResult, Permissions, RecordView } from '../platform/http/crud.ts';
import { date } from '../platform/views/helpers/date.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { notifyUsers, usersOf } from '../notifications/service.ts';
import { Campaign, Visit, type CampaignDoc, type StopDoc, type VisitDoc } from './model.ts';
import type { VisitInput, VisitQuery } from './schema.ts';
import { periodEnd } from './campaign-service.ts';
import { bookingsAround } from './bookings.ts';
import { withScheduleLock } from './lock.ts';
import { describe, expertKey, personClashes, stopClashes, type Booking } from './schedule.ts';
import { addMinutes, spanText } from './times.ts';
import { clock } from '../platform/clock.ts';
import { replyView, type Reply } from './replies.ts';
import { liveEvents } from './live-events.ts';

export const DEFAULT_TRAVEL_MINUTES = 30;

export interface StopView {
  id: string;
  index: number;
  enterprise: { id: string; name: string };
  startsAt: Date;
  minutes: number;
  endsAt: Date;
  reported: boolean;
  /** for the organizers, the expert and the enterprise visited */
  report?: { problems: string[]; suggestions?: string | null | undefined; at?: Date | null | undefined; byName?: string | null | undefined } | undefined;
  followUps: { demand: string; title: string; problem?: number | null | undefined; at?: Date | null | undefined }[];
}

export interface VisitView extends RecordView {
  campaign: { id: string; name: string };
  expert: { id: string; name: string };
  title: string;
  travelMinutes: number;
  startsAt: Date;
  endsAt: Date;
  stops: StopView[];
  /** the expert's answer (我的行程), none while unanswered */
  reply?: Reply | undefined;
  /** the visiting expert's remark (专家备注), for the organizers and that expert */
  remark?: { text: string; at: Date; byName?: string | null | undefined } | undefined;
  createdAt: Date;
}

export interface VisitPermissions extends Permissions {
  report: boolean;
  followUp: boolean;
  /** the visiting expert adds or edits the remark */
  remark: boolean;
}

export const isVisitingExpert = (actor: Actor | undefined, doc: VisitDoc) => actor?.status === 'active' && actor.profile?.kind === 'expert' && actor.profile.id === doc.expert;

function mayReadReport(actor: Actor | undefined, doc: VisitDoc, stop: StopDoc): boolean {
  return isOrganizer(actor) || isVisitingExpert(actor, doc) || (actor?.status === 'active' && actor.profile?.kind === 'enterprise' && actor.profile.id === stop.enterprise);
}

export const visitTitle = (doc: { title?: string | null; expertName: string; startsAt: Date; endsAt: Date }) =>
  doc.title || `${doc.expertName} 专家东宝行（${date(doc.startsAt, 'M月d日')}${date(doc.startsAt) === date(doc.endsAt) ? '' : `–${date(doc.endsAt, 'M月d日')}`}）`;

export function visitView(doc: VisitDoc, actor?: Actor): VisitView {
  const title = visitTitle(doc);
  return {
    id: String(doc._id),
    label: title,
    campaign: { id: doc.campaign, name: doc.campaignName },
    expert: { id: doc.expert, name: doc.expertName },
    title,
    travelMinutes: doc.travelMinutes,
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    reply: replyView(doc.reply),
    remark: doc.remark?.text && (isOrganizer(actor) || isVisitingExpert(actor, doc)) ? { text: doc.remark.text, at: doc.remark.at, byName: doc.remark.byName } : undefined,
    stops: (doc.stops as StopDoc[]).map((s, index) => ({
      id: String(s._id),
      index,
      enterprise: { id: s.enterprise, name: s.enterpriseName },
      startsAt: s.startsAt,
      minutes: s.minutes,
      endsAt: s.endsAt,
      reported: !!s.report?.at,
      report:
        s.report?.at && mayReadReport(actor, doc, s)
          ? { problems: s.report.problems ?? [], suggestions: s.report.suggestions, at: s.report.at, byName: s.report.byName }
          : undefined,
      followUps: (s.followUps ?? []).map((f) => ({ demand: f.demand, title: f.title, problem: f.problem, at: f.at })),
    })),
    createdAt: doc.createdAt,
  };
}

export async function loadVisit(id: string): Promise<VisitDoc> {
  const doc = await findLive<VisitDoc>(Visit, id);
  if (!doc) throw new NotFound('走访行程不存在。');
  return doc;
}

export function permissionsFor(actor: Actor | undefined, doc: VisitDoc): VisitPermissions {
  const organizer = isOrganizer(actor);
  return { edit: organizer, delete: organizer, report: organizer || isVisitingExpert(actor, doc), followUp: organizer, remark: isVisitingExpert(actor, doc) };
}


async function list(actor: Actor | undefined, q: VisitQuery, now = clock.now()): Promise<ListResult<VisitView>> {
  const filter: Record<string, unknown> = { deletedAt: null };
  if (q.campaign) filter.campaign = q.campaign;
  if (q.expert) filter.expert = q.expert;
  if (q.when === 'upcoming') filter.endsAt = trusted({ $gt: now });
  if (q.when === 'past') filter.endsAt = trusted({ $lte: now });
  const sort: Record<string, 1 | -1> = q.when === 'upcoming' ? { startsAt: 1, _id: 1 } : { startsAt: -1, _id: -1 };
  const [docs, total] = await Promise.all([
    Visit.find(filter).sort(sort).skip((q.page - 1) * q.limit).limit(q.limit).lean<VisitDoc[]>(),
    Visit.countDocuments(filter),
  ]);
  return { items: docs.map((d) => visitView(d, actor)), total, page: q.page, limit: q.limit };
}

async function get(actor: Actor | undefined, id: string, _opts: GetOptions = {}) {
  const doc = await loadVisit(id);
  return { ...visitView(doc, actor), permissions: permissionsFor(actor, doc) };
}

// ---- planning ------------------------------------------------------------------------------------------------

interface PlannedStop {
  _id?: unknown;
  enterprise: string;
  enterpriseName: string;
  startsAt: Date;
  minutes: number;
  endsAt: Date;
  report?: unknown;
  followUps?: unknown[];
}

interface Plan {
  campaign: CampaignDoc;
  expert: ExpertDoc;
  title?: string | undefined;
  travelMinutes: number;
  stops: PlannedStop[];
}

async function resolve(input: VisitInput): Promise<Plan> {
  const campaign = await findLive<CampaignDoc>(Campaign, input.campaign);
  if (!campaign) throw new Invalid({ campaign: '所选活动不存在。' });
  if (campaign.kind !== 'expert-visit') throw new Invalid({ campaign: '走访行程应属于“专家东宝行”类活动。' });
  const expert = await findLive<ExpertDoc>(Expert, input.expert);
  if (!expert) throw new Invalid({ expert: '所选专家不存在。' });
  const ids = [...new Set(input.stops.map((s) => s.enterprise))];
  const found = await Enterprise.find({ _id: trusted({ $in: ids }) }).lean<EnterpriseDoc[]>();
  const names = new Map(found.filter((e) => !(e as { deletedAt?: Date | null }).deletedAt).map((e) => [String(e._id), e.name]));
  const errors: Record<string, string> = {};
  const end = periodEnd(campaign);
  input.stops.forEach((s, i) => {
    if (!names.has(s.enterprise)) errors[`stops.${i}.enterprise`] = '所选企业不存在。';
    const stopEnd = addMinutes(s.startsAt, s.minutes);
    if (s.startsAt < campaign.startsOn || stopEnd > end) errors[`stops.${i}.startsAt`] = `走访时间应在活动期间（${date(campaign.startsOn)} 至 ${date(campaign.endsOn)}）内。`;
  });
  if (Object.keys(errors).length) throw new Invalid(errors);
  return {
    campaign,
    expert,
    title: input.title,
    travelMinutes: input.travelMinutes ?? DEFAULT_TRAVEL_MINUTES,
    stops: input.stops.map((s) => ({ enterprise: s.enterprise, enterpriseName: names.get(s.enterprise)!, startsAt: s.startsAt, minutes: s.minutes, endsAt: addMinutes(s.startsAt, s.minutes) })),
  };
}

/** The itinerary against itself and against everyone else's bookings of the expert. */
async function assertNoClash(plan: Plan, exclude?: string): Promise<void> {
  const { stops, travelMinutes, expert } = plan;
  const clashes = stopClashes(
    stops.map((s, i) => ({ start: s.startsAt, end: s.endsAt, place: s.enterprise, label: `第 ${i + 1} 站“${s.enterpriseName}”`, field: `stops.${i}.startsAt` })),
    travelMinutes,
  );
  const span = { start: new Date(Math.min(...stops.map((s) => s.startsAt.getTime()))), end: new Date(Math.max(...stops.map((s) => s.endsAt.getTime()))) };
  const others = await bookingsAround(span, { visit: exclude });
  const mine: Booking[] = stops.map((s, i) => ({
    person: expertKey(String(expert._id)),
    personName: `专家${expert.name}`,
    where: `本行程第 ${i + 1} 站“${s.enterpriseName}”`,
    place: s.enterprise,
    start: s.startsAt,
    end: s.endsAt,
    field: `stops.${i}.startsAt`,
  }));
  clashes.push(...personClashes(mine, others.people, travelMinutes));
  if (clashes.length) {
    const { detail, fields } = describe(clashes);
    throw new Conflict(detail, fields);
  }
}

const sorted = (stops: PlannedStop[]) => [...stops].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());

function fields(plan: Plan) {
  const stops = sorted(plan.stops);
  return {
    campaign: String(plan.campaign._id),
    campaignName: plan.campaign.name,
    expert: String(plan.expert._id),
    expertName: plan.expert.name,
    title: plan.title,
    travelMinutes: plan.travelMinutes,
    stops,
    startsAt: stops[0]!.startsAt,
    endsAt: new Date(Math.max(...stops.map((s) => s.endsAt.getTime()))),
  };
}

async function announce(doc: VisitDoc, title: string): Promise<void> {
  const users = [...(await usersOf('expert', doc.expert)), ...(await Promise.all([...new Set(doc.stops.map((s) => s.enterprise))].map((e) => usersOf('enterprise', e)))).flat()];
  const body = doc.stops.map((s) => `${spanText(s.startsAt, s.endsAt)} ${s.enterpriseName}`).join('；');
  await notifyUsers(users, { kind: 'visit.planned', title, body, link: `/visits/${String(doc._id)}` });
}

async function create(actor: Actor, input: VisitInput): Promise<VisitView> {
  assertOrganizer(actor, '安排专家走访');
  const plan = await resolve(input);
  const doc = await withScheduleLock(async () => {
    await assertNoClash(plan);
    return (await Visit.create({ ...fields(plan), createdBy: actor.id })).toObject() as VisitDoc;
  });
  await announce(doc, `专家东宝行：${visitTitle(doc)}`);
  return visitView(doc, actor);
}

async function update(actor: Actor, id: string, input: Partial<VisitInput>): Promise<VisitView> {
  assertOrganizer(actor, '修改走访行程');
  const doc = await withScheduleLock(async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await loadVisit(id);
      const plan = await resolve({
        campaign: input.campaign ?? current.campaign,
        expert: input.expert ?? current.expert,
        title: 'title' in input ? input.title : current.title ?? undefined,
        travelMinutes: input.travelMinutes ?? current.travelMinutes,
        stops: input.stops ?? current.stops.map((s) => ({ enterprise: s.enterprise, startsAt: s.startsAt, minutes: s.minutes })),
      });
      // A stop kept (same enterprise, same start) keeps its report and follow-ups.
      const kept = new Map((current.stops as StopDoc[]).map((s) => [`${s.enterprise}|${s.startsAt.getTime()}`, s]));
      plan.stops = plan.stops.map((s) => {
        const old = kept.get(`${s.enterprise}|${s.startsAt.getTime()}`);
        return old ? { ...s, _id: old._id, report: old.report ?? undefined, followUps: old.followUps ?? [] } : s;
      });
      await assertNoClash(plan, id);
      // A changed plan needs the expert's answer again.
      const res = await Visit.updateOne({ _id: id, rev: current.rev }, { $set: fields(plan), $unset: { reply: 1 }, $inc: { rev: 1 } });
      if (res.modifiedCount === 1) return loadVisit(id);
    }
    throw new Conflict('走访行程刚刚被其他人修改，请刷新后重试。');
  });
  await announce(doc, `专家东宝行行程有变：${visitTitle(doc)}`);
  return visitView(doc, actor);
}

async function remove(actor: Actor, id: string): Promise<void> {
  assertOrganizer(actor, '取消走访行程');
  const doc = await loadVisit(id);
  await Visit.updateOne({ _id: id }, { $set: { deletedAt: clock.now() }, $inc: { rev: 1 } });
  await announce(doc, `专家东宝行行程已取消：${visitTitle(doc)}`);
}

export const visits = { list, get, create, update, remove };

/** Visits of an expert or at an enterprise, for calendars. */
export async function visitsOf(who: { expert?: string | undefined; enterprise?: string | undefined }): Promise<VisitDoc[]> {
  const { expert, enterprise } = who;
  if (!expert && !enterprise) return [];
  return (await liveEvents()).visits.filter((v) => (!!expert && v.expert === expert) || (!!enterprise && (v.stops as StopDoc[]).some((s) => s.enterprise === enterprise)));
}
