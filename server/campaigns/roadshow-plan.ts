// Planning a roadshow: what each slot presents and who presents it (a result's lead expert, else the presenter
// named), and every clash of the plan — with itself (slots outside the session or overlapping each other) and
// with everyone else's bookings (the venue, and presenters in other roadshows or on 专家东宝行 visits).
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Invalid } from '../platform/errors.ts';
import { date } from '../platform/views/helpers/date.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Campaign, type CampaignDoc, type RoadshowDoc, type SlotKind } from './model.ts';
import { instant, roadshowInput, slotInput, type RoadshowInput, type SlotInput } from './schema.ts';
import { objectId } from '../platform/http/fields.ts';
import { fieldErrors } from '../platform/http/validate.ts';
import { periodEnd } from './campaign-service.ts';
import { bookingsAround } from './bookings.ts';
import { describe, expertKey, nameKey, personClashes, slotClashes, venueClashes, type Booking, type Clash } from './schedule.ts';
import { addMinutes } from './times.ts';

export interface ResolvedSlot {
  kind: SlotKind;
  ref: string;
  title: string;
  owner: { kind: 'institution' | 'enterprise' | 'expert'; id: string };
  presenter?: string | undefined;
  presenterExpert?: string | undefined;
  presenterKey?: string | undefined;
  startsAt: Date;
  minutes: number;
  endsAt: Date;
}

export interface Plan {
  campaign: string;
  title: string;
  venue: string;
  startsAt: Date;
  endsAt: Date;
  slots: ResolvedSlot[];
}

const byId = <T extends { _id: unknown; deletedAt?: Date | null }>(docs: T[]) => new Map(docs.filter((d) => !d.deletedAt).map((d) => [String(d._id), d]));

type SlotWhat = Pick<ResolvedSlot, 'title' | 'owner' | 'presenter' | 'presenterExpert' | 'presenterKey'>;

/**
 * What each slot presents and who presents it (a result's lead expert, else the presenter named); an unknown
 * record or a result with neither is a field error of the slot at position `at` ("slots.3.ref").
 */
async function slotContents(items: { at: number; kind: SlotKind; ref: string; presenter?: string | undefined }[]): Promise<{ what: Map<number, SlotWhat>; errors: Record<string, string> }> {
  const ids = (kind: SlotKind) => ({ _id: trusted({ $in: [...new Set(items.filter((s) => s.kind === kind).map((s) => s.ref))] }) });
  const [results, demands, experts] = await Promise.all([
    Result.find(ids('result')).lean<ResultDoc[]>().then(byId),
    Demand.find(ids('demand')).lean<DemandDoc[]>().then(byId),
    Expert.find(ids('expert')).lean<ExpertDoc[]>().then(byId),
  ]);
  const errors: Record<string, string> = {};
  const what = new Map<number, SlotWhat>();
  for (const s of items) {
    const at = s.at;
    if (s.kind === 'result') {
      const r = results.get(s.ref);
      const owner = { kind: 'institution' as const, id: r?.institution ?? '' };
      if (!r || r.status === 'draft') errors[`slots.${at}.ref`] = '所选科技成果不存在。';
      else if (r.leadExpert) what.set(at, { title: r.title, owner, presenter: r.leadExpertName ?? undefined, presenterExpert: r.leadExpert, presenterKey: expertKey(r.leadExpert) });
      else if (!s.presenter) errors[`slots.${at}.presenter`] = NO_LEAD;
      else what.set(at, { title: r.title, owner, presenter: s.presenter, presenterKey: nameKey(s.presenter) });
    } else if (s.kind === 'demand') {
      const d = demands.get(s.ref);
      if (!d || d.status === 'draft') errors[`slots.${at}.ref`] = '所选技术需求不存在。';
      else what.set(at, { title: d.title, owner: { kind: 'enterprise', id: d.enterprise }, presenter: s.presenter, presenterKey: s.presenter ? nameKey(s.presenter) : undefined });
    } else {
      const e = experts.get(s.ref);
      if (!e) errors[`slots.${at}.ref`] = '所选专家不存在。';
      else what.set(at, { title: `${e.name}（${e.title}）`, owner: { kind: 'expert', id: s.ref }, presenter: e.name, presenterExpert: s.ref, presenterKey: expertKey(s.ref) });
    }
  }
  return { what, errors };
}

/** A result without a lead person presents only with a presenter named. */
export const NO_LEAD = '该成果没有登记负责人，请填写主讲人。';

/** The slots with their titles and presenters; an unknown record or a missing presenter is a field error. */
export async function resolveSlots(inputs: SlotInput[]): Promise<ResolvedSlot[]> {
  const { what, errors } = await slotContents(inputs.map((s, at) => ({ ...s, at })));
  if (Object.keys(errors).length) throw new Invalid(errors);
  return inputs.map((s, i) => ({ kind: s.kind, ref: s.ref, startsAt: s.startsAt, minutes: s.minutes, endsAt: addMinutes(s.startsAt, s.minutes), ...what.get(i)! }));
}

/**
 * Every problem of a roadshow's fields at once, for a form that should not be sent back once per problem: the
 * schema's, each slot's content and presenter (even when another field of that slot is wrong), and the campaign
 * with its period. None → the parsed input; clashes are checked on saving (assertNoClash).
 */
export async function checkRoadshow(raw: Record<string, unknown>): Promise<RoadshowInput> {
  const parsed = roadshowInput.safeParse(raw);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);
  const add = (more: Record<string, string>) => {
    for (const [k, v] of Object.entries(more)) errors[k] ??= v;
  };
  const items: { at: number; kind: SlotKind; ref: string; presenter?: string | undefined }[] = [];
  (Array.isArray(raw.slots) ? (raw.slots as Record<string, unknown>[]) : []).forEach((s, at) => {
    if (!s || typeof s !== 'object') return;
    const kind = slotInput.shape.kind.safeParse(s.kind);
    const ref = slotInput.shape.ref.safeParse(s.ref);
    const presenter = slotInput.shape.presenter.safeParse(s.presenter);
    if (kind.success && ref.success) items.push({ at, kind: kind.data, ref: ref.data, presenter: presenter.success ? presenter.data : undefined });
  });
  add((await slotContents(items)).errors);
  const campaign = objectId('所属活动').safeParse(raw.campaign);
  const startsAt = instant('开始时间').safeParse(raw.startsAt);
  const endsAt = instant('结束时间').safeParse(raw.endsAt);
  if (campaign.success && startsAt.success && endsAt.success && endsAt.data > startsAt.data) {
    await checkCampaign(campaign.data, startsAt.data, endsAt.data).catch((err: unknown) => {
      if (!(err instanceof Invalid)) throw err;
      add(err.fields);
    });
  }
  if (Object.keys(errors).length || !parsed.success) throw new Invalid(errors);
  return parsed.data;
}

/** Both answers, or one Invalid naming the field problems of both (any other failure as it is). */
export async function bothOrProblems<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  const fields: Record<string, string> = {};
  for (const r of [x, y]) {
    if (r.status === 'fulfilled') continue;
    if (!(r.reason instanceof Invalid)) throw r.reason;
    for (const [k, v] of Object.entries(r.reason.fields)) fields[k] ??= v;
  }
  if (x.status === 'rejected' || y.status === 'rejected') throw new Invalid(fields);
  return [x.value, y.value];
}

/** The slots as stored, for a plan that keeps its agenda. */
export const storedSlots = (doc: RoadshowDoc): ResolvedSlot[] =>
  (doc.slots ?? []).map((s) => ({
    kind: s.kind as SlotKind,
    ref: s.ref,
    title: s.title,
    owner: { kind: s.owner?.kind as ResolvedSlot['owner']['kind'], id: s.owner?.id ?? '' },
    presenter: s.presenter ?? undefined,
    presenterExpert: s.presenterExpert ?? undefined,
    presenterKey: s.presenterKey ?? undefined,
    startsAt: s.startsAt,
    minutes: s.minutes,
    endsAt: s.endsAt,
  }));

export const sortSlots = (slots: ResolvedSlot[]) => [...slots].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());

/** The campaign's name, once the session is known to lie within the campaign's period. */
export async function checkCampaign(campaignId: string, startsAt: Date, endsAt: Date): Promise<string> {
  const campaign = await findLive<CampaignDoc>(Campaign, campaignId);
  if (!campaign) throw new Invalid({ campaign: '所选活动不存在。' });
  if (startsAt < campaign.startsOn || endsAt > periodEnd(campaign)) {
    throw new Invalid({ startsAt: `路演时间应在活动“${campaign.name}”期间（${date(campaign.startsOn)} 至 ${date(campaign.endsOn)}）内。` });
  }
  return campaign.name;
}

const personName = (s: ResolvedSlot) => (s.presenterExpert ? `专家${s.presenter ?? ''}` : `主讲人${s.presenter ?? ''}`);

/** Every clash of the plan (with itself and with other events), as one 409 naming them; none → returns. */
export async function assertNoClash(plan: Plan, exclude?: string): Promise<void> {
  const session = { start: plan.startsAt, end: plan.endsAt };
  const clashes: Clash[] = slotClashes(
    session,
    plan.slots.map((s, i) => ({ start: s.startsAt, end: s.endsAt, label: `第 ${i + 1} 项“${s.title}”`, field: `slots.${i}.startsAt` })),
  );
  const times = [session, ...plan.slots.map((s) => ({ start: s.startsAt, end: s.endsAt }))];
  const span = { start: new Date(Math.min(...times.map((t) => t.start.getTime()))), end: new Date(Math.max(...times.map((t) => t.end.getTime()))) };
  const others = await bookingsAround(span, { roadshow: exclude });
  clashes.push(...venueClashes({ venue: plan.venue, title: plan.title, ...session }, others.venues));
  const mine: Booking[] = plan.slots.flatMap((s, i) =>
    s.presenterKey ? [{ person: s.presenterKey, personName: personName(s), where: `本场路演第 ${i + 1} 项“${s.title}”`, start: s.startsAt, end: s.endsAt, field: `slots.${i}.ref` }] : [],
  );
  clashes.push(...personClashes(mine, others.people));
  if (clashes.length) {
    const { detail, fields } = describe(clashes);
    throw new Conflict(detail, fields);
  }
}
