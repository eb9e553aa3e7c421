// The scheduling rules as pure functions over time spans: nothing here reads the database. Spans are
// half-open [start, end), so one slot ending at 10:00 and the next starting at 10:00 do not overlap.
// Each rule returns clashes with a Chinese message naming both sides, and the form field to show it on.
import { MINUTE, spanText } from './times.ts';

export interface Span {
  start: Date;
  end: Date;
}

export interface Clash {
  /** the form field the message belongs next to ("venue", "slots.2.startsAt" …) */
  field?: string | undefined;
  message: string;
}

export const overlaps = (a: Span, b: Span): boolean => a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();

export const contains = (outer: Span, inner: Span): boolean =>
  inner.start.getTime() >= outer.start.getTime() && inner.end.getTime() <= outer.end.getTime();

/** Minutes between two spans that do not overlap (0 when back to back); -1 when they overlap. */
export function gapMinutes(a: Span, b: Span): number {
  if (overlaps(a, b)) return -1;
  const [first, second] = a.start.getTime() <= b.start.getTime() ? [a, b] : [b, a];
  return Math.round((second.start.getTime() - first.end.getTime()) / MINUTE);
}

/** Venues compare without regard to case, width or spaces: "东宝工业园 会议中心" = "东宝工业园会议中心". */
export const venueKey = (venue: string): string => venue.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');

/** A presenter known only by name is one person per normalised name. */
export const nameKey = (name: string): string => `name:${venueKey(name)}`;
export const expertKey = (id: string): string => `expert:${id}`;

const when = (s: Span) => spanText(s.start, s.end);

// ---- inside one event ---------------------------------------------------------------------------------------

export interface SlotSpan extends Span {
  /** "第 2 项“磷石膏制备高强石膏”" */
  label: string;
  field: string;
}

/** Slots of one session: each inside the session, none overlapping another. */
export function slotClashes(session: Span, slots: SlotSpan[]): Clash[] {
  const clashes: Clash[] = [];
  for (const slot of slots) {
    if (!contains(session, slot)) clashes.push({ field: slot.field, message: `${slot.label}（${when(slot)}）超出路演时间（${when(session)}）。` });
  }
  slots.forEach((b, j) => {
    const a = slots.slice(0, j).find((earlier) => overlaps(earlier, b));
    if (a) clashes.push({ field: b.field, message: `${b.label}（${when(b)}）与${a.label}（${when(a)}）时间重叠。` });
  });
  return clashes;
}

export interface StopSpan extends Span {
  /** where the stop is (an enterprise id): no travel time is needed between two stops at one place */
  place: string;
  /** "第 2 站“荆门某公司”" */
  label: string;
  field: string;
}

/** Stops of one itinerary: none overlapping, and at least `travelMinutes` between stops at different places. */
export function stopClashes(stops: StopSpan[], travelMinutes: number): Clash[] {
  const clashes: Clash[] = [];
  stops.forEach((b, j) => {
    for (const a of stops.slice(0, j)) {
      const gap = gapMinutes(a, b);
      if (gap < 0) {
        clashes.push({ field: b.field, message: `${b.label}（${when(b)}）与${a.label}（${when(a)}）时间重叠。` });
        return;
      }
      if (a.place !== b.place && gap < travelMinutes) {
        clashes.push({ field: b.field, message: `${a.label}与${b.label}之间只有 ${gap} 分钟，不同企业之间至少需要 ${travelMinutes} 分钟路程时间。` });
        return;
      }
    }
  });
  return clashes;
}

// ---- across events -------------------------------------------------------------------------------------------

export interface Booking extends Span {
  /** who is booked: expertKey(id) or nameKey(name) */
  person: string;
  personName: string;
  /** "本场第 2 项" for the event being saved, "“电子信息专场”第 3 项" for another */
  where: string;
  /** set for visit stops: an enterprise id, for the travel gap between visits */
  place?: string | undefined;
  field?: string | undefined;
}

/**
 * One person in two places: a booking of the event being saved that overlaps another event's booking of the
 * same person. Between two visit stops at different enterprises the travel gap applies as well.
 */
export function personClashes(mine: Booking[], others: Booking[], travelMinutes = 0): Clash[] {
  const clashes: Clash[] = [];
  for (const b of mine) {
    for (const a of others) {
      if (a.person !== b.person) continue;
      const gap = gapMinutes(a, b);
      if (gap < 0) {
        clashes.push({ field: b.field, message: `${b.personName}在 ${when(a)} 已安排在${a.where}，与${b.where}（${when(b)}）时间冲突。` });
        break;
      }
      if (a.place && b.place && a.place !== b.place && gap < travelMinutes) {
        clashes.push({
          field: b.field,
          message: `${b.personName}在${a.where}（${when(a)}）与${b.where}（${when(b)}）之间只有 ${gap} 分钟，不同企业之间至少需要 ${travelMinutes} 分钟路程时间。`,
        });
        break;
      }
    }
  }
  return clashes;
}

export interface VenueUse extends Span {
  venue: string;
  title: string;
}

/** Two events in one venue at overlapping times (venues compared by venueKey). */
export function venueClashes(mine: VenueUse, others: VenueUse[]): Clash[] {
  const key = venueKey(mine.venue);
  return others
    .filter((o) => venueKey(o.venue) === key && overlaps(o, mine))
    .map((o) => ({ field: 'venue', message: `场地“${o.venue}”在 ${when(o)} 已有“${o.title}”，与本场（${when(mine)}）时间重叠。` }));
}

/** The messages as a Conflict's detail and its per-field messages (the first per field). */
export function describe(clashes: Clash[]): { detail: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const c of clashes) if (c.field) fields[c.field] ??= c.message;
  return { detail: `排期冲突：${clashes.map((c) => c.message).join(' ')}`, fields };
}
