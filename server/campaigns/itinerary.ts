// 我的行程: an expert's upcoming 专家东宝行 visits and roadshow slots, with where, whom to ask for and the time
// between stops, and the expert's answer to each (confirm, or decline with a reason). The bureau sees the answer
// on the visit and roadshow pages and is told of a decline. A change of the plan clears the answer
// (visit-service.ts update, roadshow-service.ts update), so a confirmation always concerns the plan as it is.
// The profile page lists the expert's past visits and roadshows (`pastEngagements`).
//
// Contacts: the visiting expert sees the host enterprise's contact for the stops planned for them — the bureau
// arranged the meeting, which is what an accepted contact request is for the others (README "Who sees contacts").
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import { clock } from '../platform/clock.ts';
import { findLive } from '../platform/db/live.ts';
import { labelOf } from '../vocabulary/index.ts';
import type { EnterpriseDoc } from '../organizations/model.ts';
import { shownEnterprise } from '../organizations/enterprise-service.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import * as audit from '../audit/service.ts';
import { Roadshow, Visit, type RoadshowDoc, type VisitDoc } from './model.ts';
import { visitTitle } from './visit-service.ts';
import { replyView, type Reply, type ReplyStatus } from './replies.ts';
import { liveEvents } from './live-events.ts';

type SlotDoc = RoadshowDoc['slots'][number] & { _id: mongoose.Types.ObjectId };
type StopDoc = VisitDoc['stops'][number] & { _id: mongoose.Types.ObjectId };
export interface TripItem {
  kind: 'visit' | 'slot';
  /** the visit's id, or the roadshow's */
  id: string;
  /** the slot's id (roadshows) */
  slot?: string | undefined;
  title: string;
  campaignName: string;
  startsAt: Date;
  endsAt: Date;
  href: string;
  /** roadshows: the venue; visits: each stop */
  venue?: string | undefined;
  stops?: { enterpriseName: string; town: string; startsAt: Date; endsAt: Date; contact?: { name?: string; phone?: string } | undefined }[];
  travelMinutes?: number | undefined;
  reply?: Reply | undefined;
}

function expertOf(actor: Actor | undefined): string {
  if (actor?.status !== 'active' || actor.profile?.kind !== 'expert') throw new Forbidden('“我的行程”只对专家账户开放。');
  return actor.profile.id;
}

const presents = (s: SlotDoc, expert: string) => s.presenterExpert === expert || (s.kind === 'expert' && s.ref === expert);

/** The expert's visits and slots, soonest first; `upcoming` keeps those not over yet, else those that are. */
async function engagements(expert: string, upcoming: boolean, now: Date): Promise<TripItem[]> {
  const keep = (endsAt: Date) => (upcoming ? endsAt > now : endsAt <= now);
  // Roadshows are a few a month; the slots are inside them, so all of them are filtered here (live-events.ts).
  const all = await liveEvents();
  const visits = all.visits.filter((v) => v.expert === expert);
  const roadshows = all.roadshows;
  const hosts = new Map<string, EnterpriseDoc | null>();
  const items: TripItem[] = [];
  for (const v of visits.filter((v) => keep(v.endsAt))) {
    const stops = [];
    for (const s of v.stops as StopDoc[]) {
      if (!hosts.has(s.enterprise)) hosts.set(s.enterprise, (await shownEnterprise(s.enterprise)) ?? null);
      const host = hosts.get(s.enterprise);
      stops.push({
        enterpriseName: s.enterpriseName,
        town: host?.town ? labelOf('town', host.town) : '',
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        contact: upcoming && host?.contact ? { name: host.contact.name ?? undefined, phone: host.contact.phone ?? undefined } : undefined,
      });
    }
    items.push({
      kind: 'visit',
      id: String(v._id),
      title: visitTitle(v),
      campaignName: v.campaignName,
      startsAt: v.startsAt,
      endsAt: v.endsAt,
      href: `/visits/${String(v._id)}`,
      stops,
      travelMinutes: v.travelMinutes,
      reply: replyView(v.reply),
    });
  }
  for (const r of roadshows) {
    for (const s of r.slots as SlotDoc[]) {
      if (!presents(s, expert) || !keep(s.endsAt)) continue;
      items.push({
        kind: 'slot',
        id: String(r._id),
        slot: String(s._id),
        title: `${r.title}：${s.title}`,
        campaignName: r.campaignName,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        href: `/roadshows/${String(r._id)}`,
        venue: r.venue,
        reply: replyView(s.reply),
      });
    }
  }
  return items.sort((a, b) => (upcoming ? a.startsAt.getTime() - b.startsAt.getTime() : b.startsAt.getTime() - a.startsAt.getTime()));
}

export async function itinerary(actor: Actor | undefined, now = clock.now(), ip?: string): Promise<TripItem[]> {
  const items = await engagements(expertOf(actor), true, now);
  const shown = items.filter((i) => i.stops?.some((s) => s.contact));
  // Every reveal of a private contact is audited (docs/security.md 10): one entry per visit shown with its hosts'.
  for (const i of shown) {
    await audit.record({ actor: actor!, action: 'contact.reveal', target: { kind: 'visit', id: i.id, label: i.title }, detail: `我的行程：${i.stops!.map((s) => s.enterpriseName).join('、')}`, ip });
  }
  return items;
}

/** The expert's visits and roadshows that are over, newest first (the profile page, for everyone). */
export async function pastEngagements(expert: string, now = clock.now()): Promise<TripItem[]> {
  return (await engagements(expert, false, now)).slice(0, 50);
}

export interface ReplyInput {
  kind: 'visit' | 'slot';
  id: string;
  slot?: string | undefined;
  status: ReplyStatus;
  reason?: string | undefined;
}

/** The expert confirms or declines a visit or a slot planned for them; the bureau is told of a decline. */
export async function reply(actor: Actor | undefined, input: ReplyInput, now = clock.now()): Promise<TripItem> {
  const expert = expertOf(actor);
  if (input.status === 'declined' && !input.reason?.trim()) throw new Invalid({ reason: '婉拒时请说明原因，便于区科技局另行安排。' });
  if (!mongoose.isValidObjectId(input.id) || (input.slot !== undefined && !mongoose.isValidObjectId(input.slot))) throw new NotFound('行程不存在。');
  const answer = { status: input.status, reason: input.status === 'declined' ? input.reason!.trim() : undefined, at: now };
  let title: string;
  let who: string;
  let href: string;
  if (input.kind === 'visit') {
    const v = await findLive<VisitDoc>(Visit, input.id);
    if (!v || v.expert !== expert) throw new NotFound('行程不存在。');
    if (v.endsAt <= now) throw new Invalid({ status: '这次走访已经结束。' });
    await Visit.updateOne({ _id: input.id }, { $set: { reply: answer } });
    title = visitTitle(v);
    who = v.expertName;
    href = `/visits/${input.id}`;
  } else {
    const r = await findLive<RoadshowDoc>(Roadshow, input.id);
    const index = (r?.slots as SlotDoc[] | undefined)?.findIndex((x) => String(x._id) === input.slot) ?? -1;
    const s = index >= 0 ? (r!.slots as SlotDoc[])[index]! : undefined;
    if (!r || !s || !presents(s, expert)) throw new NotFound('行程不存在。');
    if (s.endsAt <= now) throw new Invalid({ status: '这场路演已经结束。' });
    // At the slot's index, only if the agenda has not changed since it was read (FerretDB has no positional $).
    const res = await Roadshow.updateOne({ _id: input.id, rev: r.rev }, { $set: { [`slots.${index}.reply`]: answer }, $inc: { rev: 1 } });
    if (res.modifiedCount !== 1) throw new Conflict('路演安排刚刚有变化，请刷新后重试。');
    title = `${r.title}：${s.title}`;
    who = s.presenter ?? actor!.name;
    href = `/roadshows/${input.id}`;
  }
  if (input.status === 'declined') {
    await notifyUsers(await organizers(), {
      kind: 'itinerary.declined',
      title: `${who}婉拒了行程：${title}`,
      body: `原因：${answer.reason}`,
      link: href,
    });
  }
  const item = (await engagements(expert, true, now)).find((i) => i.id === input.id && (input.kind === 'visit' || i.slot === input.slot));
  return item!;
}
