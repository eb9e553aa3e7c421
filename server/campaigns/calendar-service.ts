// Calendars: the events of a week or a month (roadshows for everyone, visits for members), a user's own events
// (roadshows they registered for, present at or organize; the visits they make or receive), the .ics of one
// roadshow, and the personal feed behind a secret address that can be revoked and regenerated.
import { createHash, randomBytes } from 'node:crypto';
import type { DateTime } from 'luxon';
import { LRUCache } from 'lru-cache';
import type { Actor } from '../platform/auth/actor.ts';
import { getUser } from '../accounts/service.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { CalendarFeed, type CalendarFeedDoc, type RoadshowDoc, type StopDoc, type VisitDoc } from './model.ts';
import { SLOT_LABELS, isActive } from './roadshow-service.ts';
import { visitTitle, visitsOf } from './visit-service.ts';
import { icsCalendar, type IcsEvent } from './ics.ts';
import { local, today } from './times.ts';
import type { SlotKind } from './model.ts';
import { clock } from '../platform/clock.ts';
import { liveEvents, overlapping as during } from './live-events.ts';

export interface CalendarEvent extends IcsEvent {
  kind: 'roadshow' | 'visit';
  /** the page of the event */
  link: string;
  /** the user's part in it, for personal calendars */
  role?: string | undefined;
}

const UID_DOMAIN = 'techbridge.dongbao';

export function roadshowEvent(doc: RoadshowDoc, role?: string): CalendarEvent {
  const agenda = (doc.slots ?? []).map(
    (s) => `${local(s.startsAt).toFormat('HH:mm')}–${local(s.endsAt).toFormat('HH:mm')} ${SLOT_LABELS[s.kind as SlotKind]}：${s.title}${s.presenter ? `（主讲：${s.presenter}）` : ''}`,
  );
  return {
    kind: 'roadshow',
    uid: `roadshow-${String(doc._id)}@${UID_DOMAIN}`,
    start: doc.startsAt,
    end: doc.endsAt,
    summary: `项目路演：${doc.title}`,
    description: [`${doc.campaignName}`, ...(agenda.length ? ['议程：', ...agenda] : [])].join('\n'),
    location: doc.venue,
    link: `/roadshows/${String(doc._id)}`,
    stamp: doc.updatedAt,
    sequence: doc.rev,
    role,
  };
}

export function stopEvent(doc: VisitDoc, stop: StopDoc, role?: string): CalendarEvent {
  return {
    kind: 'visit',
    uid: `visit-${String(doc._id)}-${String(stop._id)}@${UID_DOMAIN}`,
    start: stop.startsAt,
    end: stop.endsAt,
    summary: `专家东宝行：${doc.expertName} 走访 ${stop.enterpriseName}`,
    description: `${visitTitle(doc)}\n${doc.campaignName}`,
    location: stop.enterpriseName,
    link: `/visits/${String(doc._id)}`,
    stamp: doc.updatedAt,
    sequence: doc.rev,
    role,
  };
}

const byStart = (a: CalendarEvent, b: CalendarEvent) => a.start.getTime() - b.start.getTime() || a.summary.localeCompare(b.summary, 'zh-CN');

/** The events the user takes part in, with their part in each. */
export async function personalEvents(actor: Actor): Promise<CalendarEvent[]> {
  const profile = actor.profile;
  const events: CalendarEvent[] = [];
  for (const r of (await liveEvents()).roadshows) {
    const roles: string[] = [];
    if (r.createdBy === actor.id) roles.push('组织');
    if (profile && (r.slots ?? []).some((s) => s.owner?.id === profile.id || s.presenterExpert === profile.id)) roles.push('主讲');
    const reg = profile?.kind === 'enterprise' ? (r.registrations ?? []).find((g) => g.enterprise === profile.id && isActive(g)) : undefined;
    if (reg) roles.push(reg.status === 'waitlisted' ? '候补' : '报名');
    if (roles.length) events.push(roadshowEvent(r, roles.join('、')));
  }
  const visits = await visitsOf({ expert: profile?.kind === 'expert' ? profile.id : undefined, enterprise: profile?.kind === 'enterprise' ? profile.id : undefined });
  for (const v of visits) {
    for (const s of v.stops as StopDoc[]) {
      if (profile?.kind === 'expert' && v.expert === profile.id) events.push(stopEvent(v, s, '走访'));
      else if (profile?.kind === 'enterprise' && s.enterprise === profile.id) events.push(stopEvent(v, s, '接待走访'));
    }
  }
  return events.sort(byStart);
}

/** Events overlapping [from, to): roadshows for everyone, visits for logged-in users, or the user's own. */
export async function eventsBetween(actor: Actor | undefined, from: Date, to: Date, mine: boolean): Promise<CalendarEvent[]> {
  const overlapping = (e: { start: Date; end: Date }) => e.start < to && e.end > from;
  if (mine && actor) return (await personalEvents(actor)).filter(overlapping);
  const near = during(from, to);
  const all = await liveEvents();
  const roadshows = all.roadshows.filter(near);
  const visits = actor ? all.visits.filter(near) : [];
  const events = [...roadshows.map((r) => roadshowEvent(r)), ...visits.flatMap((v) => (v.stops as StopDoc[]).map((s) => stopEvent(v, s)))];
  return events.filter(overlapping).sort(byStart);
}

const absolute = (baseUrl: string, events: CalendarEvent[]) => events.map((e) => ({ ...e, url: `${baseUrl}${e.link}` }));

export function roadshowIcs(doc: RoadshowDoc, baseUrl: string): string {
  return icsCalendar(doc.title, absolute(baseUrl, [roadshowEvent(doc)]));
}

export async function personalIcs(actor: Actor, baseUrl: string): Promise<string> {
  return icsCalendar(`${actor.name} · 东宝科技对接日程`, absolute(baseUrl, await personalEvents(actor)));
}

// ---- the personal feed's secret address ------------------------------------------------------------------------

const FEED_PREFIX = 'cal_';
const hash = (raw: string) => createHash('sha256').update(raw).digest('hex');

export interface FeedStatus {
  hint: string;
  createdAt: Date;
}

/** A new secret address (256 random bits); any earlier one stops working. The raw token is returned once. */
export async function createFeed(actor: Actor): Promise<{ token: string; path: string }> {
  await revokeFeed(actor);
  const token = FEED_PREFIX + randomBytes(32).toString('base64url');
  await CalendarFeed.create({ userId: actor.id, tokenHash: hash(token), hint: token.slice(-4) });
  return { token, path: `/calendar/${token}.ics` };
}

export async function revokeFeed(actor: Actor): Promise<void> {
  await CalendarFeed.updateMany({ userId: actor.id, revokedAt: null }, { $set: { revokedAt: clock.now() } });
}

/** Each user's feed, kept per user: a filter on userId reads the whole collection on FerretDB (platform/db/shared-cache.ts). */
const feeds = new SharedCache<{ status?: FeedStatus }>('accounts', 10_000);

export async function feedStatus(actor: Actor): Promise<FeedStatus | undefined> {
  const kept = await feeds.get(actor.id, async () => {
    const doc = await CalendarFeed.findOne({ userId: actor.id, revokedAt: null }).sort({ createdAt: -1, _id: -1 }).lean<CalendarFeedDoc>();
    return doc ? { status: { hint: doc.hint, createdAt: doc.createdAt } } : {};
  });
  return kept?.status;
}

/** The user behind a feed address, or undefined for an unknown or revoked one, or a disabled account. */
export async function feedOwner(token: string): Promise<Actor | undefined> {
  if (!token.startsWith(FEED_PREFIX) || token.length > 100) return undefined;
  const feed = await CalendarFeed.findOne({ tokenHash: hash(token) }).lean<CalendarFeedDoc>();
  if (!feed || feed.revokedAt) return undefined;
  const user = await getUser(feed.userId).catch(() => undefined);
  return user?.status === 'active' ? user : undefined;
}

// ---- week and month grids ---------------------------------------------------------------------------------------

export interface DayCell {
  date: string;
  day: number;
  weekday: string;
  inMonth: boolean;
  today: boolean;
  events: (CalendarEvent & { time: string })[];
}

const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

export interface Grid {
  view: 'week' | 'month';
  title: string;
  from: Date;
  to: Date;
  prev: string;
  next: string;
  weeks: DayCell[][];
}

/** The days of the week (Monday first) or of the month (whole weeks) around `anchor`, without events yet. */
export function gridRange(view: 'week' | 'month', anchor: DateTime): { first: DateTime; last: DateTime; title: string; prev: string; next: string } {
  if (view === 'week') {
    const first = anchor.startOf('week');
    const last = first.plus({ days: 6 });
    return {
      first,
      last,
      title: `${first.toFormat('yyyy年M月d日')}–${last.toFormat(first.month === last.month ? 'd日' : 'M月d日')}`,
      prev: first.minus({ weeks: 1 }).toISODate()!,
      next: first.plus({ weeks: 1 }).toISODate()!,
    };
  }
  const month = anchor.startOf('month');
  return {
    first: month.startOf('week'),
    last: month.endOf('month').startOf('week').plus({ days: 6 }),
    title: month.toFormat('yyyy年M月'),
    prev: month.minus({ months: 1 }).toISODate()!,
    next: month.plus({ months: 1 }).toISODate()!,
  };
}

interface GridDay {
  date: string;
  day: number;
  weekday: string;
  inMonth: boolean;
  today: boolean;
  opensWeek: boolean;
  start: Date;
  end: Date;
}

/**
 * The days of a grid, without events: the same for every viewer of that week or month on the same day, so they
 * are worked out once (luxon's calendar arithmetic was a tenth of the calendar page's CPU time under load). The
 * 500 most recently used grids are kept.
 */
const keptGrids = new LRUCache<string, { range: ReturnType<typeof gridRange>; days: readonly GridDay[] }>({ max: 500 });

function gridDays(view: 'week' | 'month', anchor: DateTime, todayKey: string) {
  const key = `${view}|${anchor.toISODate()}|${todayKey}`;
  const kept = keptGrids.get(key);
  if (kept) return kept;
  const range = gridRange(view, anchor);
  const days: GridDay[] = [];
  for (let day = range.first; day <= range.last; day = day.plus({ days: 1 })) {
    const date = day.toISODate()!;
    days.push({
      date,
      day: day.day,
      weekday: WEEKDAYS[day.weekday - 1]!,
      inMonth: view === 'week' || day.month === anchor.month,
      today: date === todayKey,
      opensWeek: day.weekday === 1,
      start: day.toJSDate(),
      end: day.plus({ days: 1 }).toJSDate(),
    });
  }
  const made = { range, days: Object.freeze(days) };
  keptGrids.set(key, made);
  return made;
}

export function buildGrid(view: 'week' | 'month', anchor: DateTime, events: CalendarEvent[], now = clock.now()): Grid {
  const { range, days } = gridDays(view, anchor, today(now).toISODate()!);
  const weeks: DayCell[][] = [];
  for (const { opensWeek, start, end, ...cell } of days) {
    if (opensWeek) weeks.push([]);
    weeks[weeks.length - 1]!.push({
      ...cell,
      events: events
        .filter((e) => e.start < end && e.end > start)
        .map((e) => ({ ...e, time: `${local(e.start < start ? start : e.start).toFormat('HH:mm')}–${e.end > end ? '24:00' : local(e.end).toFormat('HH:mm')}` })),
    });
  }
  return { view, title: range.title, from: range.first.toJSDate(), to: range.last.plus({ days: 1 }).toJSDate(), prev: range.prev, next: range.next, weeks };
}
