// Roadshows (项目路演): organizers plan a session at a venue with an ordered agenda of slots, each presenting a
// result, a need or an expert. Saving refuses every clash with a 409 naming it: slots outside the session or
// overlapping each other, another event in the same venue, a presenter (or expert) booked elsewhere — in
// another roadshow or on a 专家东宝行 visit — at an overlapping time.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer, assertOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Invalid, NotFound } from '../platform/errors.ts';
import type { GetOptions, ListResult, Permissions, RecordView } from '../platform/http/crud.ts';
import { notifyUsers, usersOf } from '../notifications/service.ts';
import { Roadshow, type RegistrationDoc, type RoadshowDoc, type SlotDoc, type SlotKind } from './model.ts';
import type { RoadshowInput, RoadshowQuery } from './schema.ts';
import { withScheduleLock } from './lock.ts';
import { assertNoClash, bothOrProblems, checkCampaign, resolveSlots, sortSlots, storedSlots, type Plan } from './roadshow-plan.ts';
import { venueKey } from './schedule.ts';
import { spanText } from './times.ts';
import { clock } from '../platform/clock.ts';
import { datetime } from '../platform/views/helpers/datetime.ts';
import * as mail from '../mail/messages.ts';
import { replyView, type Reply } from './replies.ts';

export const SLOT_LABELS: Record<SlotKind, string> = { result: '成果路演', demand: '需求发布', expert: '专家报告' };
const SLOT_LINKS: Record<SlotKind, string> = { result: '/results', demand: '/demands', expert: '/experts' };
export const REGISTRATION_LABELS = { confirmed: '已报名', waitlisted: '候补', cancelled: '已取消' } as const;

export interface SlotView {
  id: string;
  index: number;
  kind: SlotKind;
  kindLabel: string;
  ref: string;
  title: string;
  link: string;
  presenter?: string | null | undefined;
  presenterExpert?: string | null | undefined;
  startsAt: Date;
  minutes: number;
  endsAt: Date;
  /** the presenting expert's answer (我的行程) */
  reply?: Reply | undefined;
}

export interface RegistrationView {
  id: string;
  enterprise: { id: string; name: string };
  attendee?: string | null | undefined;
  status: keyof typeof REGISTRATION_LABELS;
  statusLabel: string;
  code: string;
  registeredAt: Date;
  promotedAt?: Date | null | undefined;
  cancelledAt?: Date | null | undefined;
  checkedInAt?: Date | null | undefined;
  /** set when an organizer checked the registrant in outside the check-in window */
  checkInOverride?: { reason: string; byName?: string | null | undefined } | undefined;
  /** place on the waitlist, from 1 */
  position?: number | undefined;
}

export interface RoadshowView extends RecordView {
  campaign: { id: string; name: string };
  title: string;
  venue: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  description?: string | null | undefined;
  slots: SlotView[];
  seats: { confirmed: number; waitlisted: number; remaining: number; checkedIn: number };
  checkin: CheckinWindow;
  started: boolean;
  ended: boolean;
  createdAt: Date;
}

export interface RoadshowPermissions extends Permissions {
  manage: boolean;
  register: boolean;
}

export const isActive = (g: { status: string }) => g.status !== 'cancelled';

export function registrationView(doc: RoadshowDoc, g: RegistrationDoc): RegistrationView {
  const waiting = (doc.registrations ?? []).filter((r) => r.status === 'waitlisted');
  const status = g.status as RegistrationView['status'];
  return {
    id: String(g._id),
    enterprise: { id: g.enterprise, name: g.enterpriseName },
    attendee: g.attendee,
    status,
    statusLabel: REGISTRATION_LABELS[status],
    code: g.code,
    registeredAt: g.registeredAt,
    promotedAt: g.promotedAt,
    cancelledAt: g.cancelledAt,
    checkedInAt: g.checkedInAt,
    checkInOverride: g.checkInOverride?.reason ? { reason: g.checkInOverride.reason, byName: g.checkInOverride.byName } : undefined,
    position: status === 'waitlisted' ? waiting.findIndex((w) => String(w._id) === String(g._id)) + 1 : undefined,
  };
}

export function roadshowView(doc: RoadshowDoc, now = clock.now()): RoadshowView {
  const regs = doc.registrations ?? [];
  const confirmed = regs.filter((r) => r.status === 'confirmed').length;
  return {
    id: String(doc._id),
    label: doc.title,
    campaign: { id: doc.campaign, name: doc.campaignName },
    title: doc.title,
    venue: doc.venue,
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    capacity: doc.capacity,
    description: doc.description,
    slots: (doc.slots as SlotDoc[]).map((s, index) => ({
      id: String(s._id),
      index,
      kind: s.kind as SlotKind,
      kindLabel: SLOT_LABELS[s.kind as SlotKind],
      ref: s.ref,
      title: s.title,
      link: `${SLOT_LINKS[s.kind as SlotKind]}/${s.ref}`,
      presenter: s.presenter,
      presenterExpert: s.presenterExpert,
      startsAt: s.startsAt,
      minutes: s.minutes,
      endsAt: s.endsAt,
      reply: replyView(s.reply),
    })),
    seats: {
      confirmed,
      waitlisted: regs.filter((r) => r.status === 'waitlisted').length,
      remaining: Math.max(0, doc.capacity - confirmed),
      checkedIn: regs.filter((r) => r.checkedInAt).length,
    },
    checkin: checkinWindow(doc, now),
    started: doc.startsAt.getTime() <= now.getTime(),
    ended: doc.endsAt.getTime() <= now.getTime(),
    createdAt: doc.createdAt,
  };
}

export async function loadRoadshow(id: string): Promise<RoadshowDoc> {
  const doc = await findLive<RoadshowDoc>(Roadshow, id);
  if (!doc) throw new NotFound('路演不存在。');
  return doc;
}

/** Enterprises register themselves until the session starts; organizers (for walk-ins) until it ends. */
export function registrationOpen(doc: RoadshowDoc, actor: Actor | undefined, now = clock.now()): boolean {
  return now.getTime() < (isOrganizer(actor) ? doc.endsAt : doc.startsAt).getTime();
}

/** Check-in at the door opens this many hours before a roadshow starts, and closes when it ends. */
export const CHECKIN_OPENS_HOURS_BEFORE = 2;

/** early: before the window opens; open: check-in is accepted; closed: the roadshow has ended. */
export type CheckinState = 'early' | 'open' | 'closed';
export interface CheckinWindow {
  opensAt: Date;
  closesAt: Date;
  state: CheckinState;
}

/** When check-in is accepted for a roadshow, and where `now` falls: [start − 2 h, end). */
export function checkinWindow(doc: { startsAt: Date; endsAt: Date }, now = clock.now()): CheckinWindow {
  const opensAt = new Date(doc.startsAt.getTime() - CHECKIN_OPENS_HOURS_BEFORE * 3_600_000);
  const closesAt = new Date(doc.endsAt.getTime());
  const t = now.getTime();
  return { opensAt, closesAt, state: t < opensAt.getTime() ? 'early' : t < closesAt.getTime() ? 'open' : 'closed' };
}

/** Why a check-in is refused outside the window, and what an organizer can do about it. */
export function checkinRefusal(doc: { title: string; startsAt: Date; endsAt: Date }, window: CheckinWindow): string {
  return window.state === 'early'
    ? `签到尚未开放：路演“${doc.title}”于 ${datetime(doc.startsAt)} 开始，开始前 ${CHECKIN_OPENS_HOURS_BEFORE} 小时（${datetime(window.opensAt)}）起可以签到，本次未记录签到。确需提前签到，请填写补签原因。`
    : `签到已关闭：路演“${doc.title}”已于 ${datetime(doc.endsAt)} 结束，本次未记录签到。确需补签，请填写补签原因。`;
}

function permissionsFor(actor: Actor | undefined, doc: RoadshowDoc): RoadshowPermissions {
  const organizer = isOrganizer(actor);
  const enterprise = actor?.status === 'active' && actor.role === 'enterprise' && actor.profile?.kind === 'enterprise';
  return { edit: organizer, delete: organizer, manage: organizer, register: (organizer || enterprise) && registrationOpen(doc, actor) };
}

async function list(_actor: Actor | undefined, q: RoadshowQuery, now = clock.now()): Promise<ListResult<RoadshowView>> {
  const filter: Record<string, unknown> = { deletedAt: null };
  if (q.campaign) filter.campaign = q.campaign;
  if (q.when === 'upcoming') filter.endsAt = trusted({ $gt: now });
  if (q.when === 'past') filter.endsAt = trusted({ $lte: now });
  const sort: Record<string, 1 | -1> = q.when === 'upcoming' ? { startsAt: 1, _id: 1 } : { startsAt: -1, _id: -1 };
  const [docs, total] = await Promise.all([
    Roadshow.find(filter).sort(sort).skip((q.page - 1) * q.limit).limit(q.limit).lean<RoadshowDoc[]>(),
    Roadshow.countDocuments(filter),
  ]);
  return { items: docs.map((d) => roadshowView(d, now)), total, page: q.page, limit: q.limit };
}

/** The roadshow as the actor sees it: organizers get registrations; an enterprise its own registration. */
async function get(actor: Actor | undefined, id: string, _opts: GetOptions = {}) {
  const doc = await loadRoadshow(id);
  const regs = (doc.registrations ?? []) as RegistrationDoc[];
  const ownId = actor?.profile?.kind === 'enterprise' ? actor.profile.id : undefined;
  const own = ownId ? [...regs].reverse().find((g) => g.enterprise === ownId && isActive(g)) ?? [...regs].reverse().find((g) => g.enterprise === ownId) : undefined;
  return {
    ...roadshowView(doc),
    permissions: permissionsFor(actor, doc),
    mine: own ? registrationView(doc, own) : undefined,
    registrations: isOrganizer(actor) ? regs.map((g) => registrationView(doc, g)) : undefined,
  };
}


async function create(actor: Actor, input: RoadshowInput): Promise<RoadshowView> {
  assertOrganizer(actor, '安排路演');
  // The campaign's and the slots' problems in one answer.
  const [campaignName, slots] = await bothOrProblems(checkCampaign(input.campaign, input.startsAt, input.endsAt), resolveSlots(input.slots));
  return withScheduleLock(async () => {
    await assertNoClash({ ...input, slots });
    const doc = await Roadshow.create({
      ...input,
      campaignName,
      venueKey: venueKey(input.venue),
      slots: sortSlots(slots),
      createdBy: actor.id,
      createdByName: actor.name,
    });
    return roadshowView(doc.toObject() as RoadshowDoc);
  });
}

/** Waitlisted registrations that fit once capacity grows (first come, first served). */
export function promotions(regs: RegistrationDoc[], capacity: number): RegistrationDoc[] {
  const free = capacity - regs.filter((g) => g.status === 'confirmed').length;
  return free > 0 ? regs.filter((g) => g.status === 'waitlisted').slice(0, free) : [];
}

async function update(actor: Actor, id: string, input: Partial<RoadshowInput>): Promise<RoadshowView> {
  assertOrganizer(actor, '修改路演');
  const resolved = input.slots ? await resolveSlots(input.slots) : undefined;
  const outcome = await withScheduleLock(async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await loadRoadshow(id);
      const plan: Plan = {
        campaign: input.campaign ?? doc.campaign,
        title: input.title ?? doc.title,
        venue: input.venue ?? doc.venue,
        startsAt: input.startsAt ?? doc.startsAt,
        endsAt: input.endsAt ?? doc.endsAt,
        slots: resolved ?? storedSlots(doc),
      };
      if (plan.endsAt <= plan.startsAt) throw new Invalid({ endsAt: '结束时间应晚于开始时间。' });
      const campaignName = await checkCampaign(plan.campaign, plan.startsAt, plan.endsAt);
      const capacity = input.capacity ?? doc.capacity;
      const regs = (doc.registrations ?? []) as RegistrationDoc[];
      const confirmed = regs.filter((g) => g.status === 'confirmed').length;
      if (capacity < confirmed) throw new Invalid({ capacity: `已有 ${confirmed} 家企业确认报名，容纳企业数不能少于 ${confirmed}。` });
      await assertNoClash(plan, id);
      const promoted = new Set(promotions(regs, capacity).map((g) => String(g._id)));
      const now = clock.now();
      const registrations = regs.map((g) => (promoted.has(String(g._id)) ? { ...g, status: 'confirmed', promotedAt: now } : g));
      // An expert's answer to a slot stays while the slot (what, when, where) stays; a changed slot asks again.
      const slotKey = (s: { kind: string; ref: string; startsAt: Date; minutes: number }) => `${s.kind}|${s.ref}|${s.startsAt.getTime()}|${s.minutes}`;
      const answers = new Map(plan.venue === doc.venue ? (doc.slots as SlotDoc[]).filter((s) => s.reply).map((s) => [slotKey(s), s.reply]) : []);
      const set: Record<string, unknown> = {
        ...plan,
        campaignName,
        venueKey: venueKey(plan.venue),
        capacity,
        slots: sortSlots(plan.slots).map((s) => (answers.has(slotKey(s)) ? { ...s, reply: answers.get(slotKey(s)) } : s)),
        registrations,
      };
      if ('description' in input) set.description = input.description;
      const res = await Roadshow.updateOne({ _id: id, rev: doc.rev }, { $set: set, $inc: { rev: 1 } });
      if (res.modifiedCount === 1) return { before: doc, promoted: regs.filter((g) => promoted.has(String(g._id))) };
    }
    throw new Conflict('路演报名正在变化，请稍后重试。');
  });
  const after = await loadRoadshow(id);
  await notifyPromoted(after, outcome.promoted);
  const moved = outcome.before.startsAt.getTime() !== after.startsAt.getTime() || outcome.before.endsAt.getTime() !== after.endsAt.getTime() || outcome.before.venue !== after.venue;
  if (moved) await notifyRegistrants(after, `路演“${after.title}”时间或地点有变`, `现为 ${spanText(after.startsAt, after.endsAt)}，${after.venue}。`);
  return roadshowView(after);
}

async function remove(actor: Actor, id: string): Promise<void> {
  assertOrganizer(actor, '取消路演');
  const doc = await loadRoadshow(id);
  await Roadshow.updateOne({ _id: id }, { $set: { deletedAt: clock.now() }, $inc: { rev: 1 } });
  await notifyRegistrants(doc, `路演“${doc.title}”已取消`, `原定 ${spanText(doc.startsAt, doc.endsAt)}，${doc.venue}。`);
}

export const roadshows = { list, get, create, update, remove };

// ---- notices -------------------------------------------------------------------------------------------------

async function usersOfEnterprises(ids: string[]): Promise<string[]> {
  return (await Promise.all([...new Set(ids)].map((e) => usersOf('enterprise', e)))).flat();
}

export async function notifyRegistrants(doc: RoadshowDoc, title: string, body: string): Promise<void> {
  const ids = (doc.registrations ?? []).filter(isActive).map((g) => g.enterprise);
  await notifyUsers(await usersOfEnterprises(ids), { kind: 'roadshow.changed', title, body, link: `/roadshows/${String(doc._id)}` });
}

export async function notifyPromoted(doc: RoadshowDoc, promoted: RegistrationDoc[]): Promise<void> {
  for (const g of promoted) {
    await notifyUsers(await usersOf('enterprise', g.enterprise), {
      kind: 'roadshow.promoted',
      title: `“${doc.title}”候补已转为正式报名`,
      body: `${g.enterpriseName}：已获得参会名额，签到码 ${g.code}。时间 ${spanText(doc.startsAt, doc.endsAt)}，地点 ${doc.venue}。`,
      link: `/roadshows/${String(doc._id)}`,
      key: `roadshow.promoted|${String(g._id)}`,
      mail: mail.roadshowPromoted({
        title: doc.title,
        when: spanText(doc.startsAt, doc.endsAt),
        venue: doc.venue,
        code: g.code,
        enterpriseName: g.enterpriseName,
        link: `/roadshows/${String(doc._id)}`,
      }),
    });
  }
}
