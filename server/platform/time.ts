// The server's one date module: calendar questions in the district's time zone (Asia/Shanghai). A contract
// signed at 00:30 on 1 January Beijing time belongs to the new year even though it is still 31 December in UTC.
//
// Date-only fields (a signing date, a deadline, a campaign's first day) are calendar dates: stored as the Date of
// midnight Beijing time, read from every form people write them in (`parseCalendarDate`), and written to JSON
// as "YYYY-MM-DD" (`CalendarDate`), so a client that reads a record and sends it back changes nothing.
// Instants (a roadshow's start, createdAt) stay Dates and go out as ISO 8601 in UTC.
import { DateTime, IANAZone } from 'luxon';
import { clock } from './clock.ts';

/** From here on (1992-01-01 in Beijing) Asia/Shanghai is UTC+8 with no daylight saving time (tz database). */
export const FIXED_SINCE_MS = Date.UTC(1991, 11, 31, 16);

/**
 * Asia/Shanghai, answering its offset without asking Intl for instants after its last change: luxon's IANA zone
 * formats each instant with Intl.DateTimeFormat to find the offset, a tenth of the CPU time of a page full of
 * dates (the target board, measured with `node --cpu-prof` under `npm run bench -- http`). Earlier instants, and
 * everything else (its name, formatting), are luxon's.
 */
class DistrictZone extends IANAZone {
  override offset(ts: number): number {
    return ts >= FIXED_SINCE_MS ? 480 : super.offset(ts);
  }
}

/** The district's zone; the only definition in the server. */
export const ZONE = new DistrictZone('Asia/Shanghai');

export const yearOf = (d: Date): number => DateTime.fromJSDate(d, { zone: ZONE }).year;

/** Today's year in the district. */
export const currentYear = (now = clock.now()): number => yearOf(now);

/** How much of the years from..to (inclusive) has passed at `now`, from 0 to 1. */
export function elapsedShare(from: number, to: number, now = clock.now()): number {
  const start = DateTime.fromObject({ year: from, month: 1, day: 1 }, { zone: ZONE }).toMillis();
  const end = DateTime.fromObject({ year: to + 1, month: 1, day: 1 }, { zone: ZONE }).toMillis();
  return Math.min(1, Math.max(0, (now.getTime() - start) / (end - start)));
}

/** "2026-11-26" for a date in the district's calendar (forms, spreadsheets); '' for none. */
export const isoDate = (d: Date | null | undefined): string => (d ? DateTime.fromJSDate(d, { zone: ZONE }).toISODate() ?? '' : '');

/** The month (1–12) of a date in the district's calendar. */
export const monthOf = (d: Date): number => DateTime.fromJSDate(d, { zone: ZONE }).month;

/** A Beijing calendar day as Chinese text: "2026年12月19日". */
export const beijingDay = (d: Date): string => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy年M月d日');

// ---- calendar dates ---------------------------------------------------------------------------------------------

/** A calendar date: a Date at midnight Beijing time that serialises to JSON as "YYYY-MM-DD". */
export class CalendarDate extends Date {
  override toJSON(): string {
    return isoDate(this);
  }
}

/** The calendar date of a stored date-only field, for views and the API; undefined stays undefined. */
export function calendarDate(d: Date | null | undefined): CalendarDate | undefined {
  return d ? new CalendarDate(d.getTime()) : undefined;
}

const dayOfMonth = (year: number, month: number, day: number): Date | undefined => {
  const dt = DateTime.fromObject({ year, month, day }, { zone: ZONE });
  return dt.isValid ? dt.toJSDate() : undefined;
};

// 2026-12-03, 2026/12/3, 2026.12.3, 2026年12月3日 (with or without 日, spaces allowed around the parts)
const DAY_FORMS = /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$/;
// an instant: a day, then a time, with an optional offset or Z
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * A calendar date from what people and programs send: "2026-12-03", "2026/12/3", "2026.12.3", "2026年12月3日",
 * an ISO instant ("2022-12-31T16:30:00Z" is 1 January 2023 in Beijing; without an offset it is Beijing time),
 * or a Date (a spreadsheet's date cell, or an instant) — each taken as the Beijing calendar date it falls on.
 * Returns the Date of that day's midnight in Beijing, or undefined when the text is not a date or names a day
 * that does not exist (2023-02-31).
 */
export function parseCalendarDate(value: string | Date): Date | undefined {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    return DateTime.fromJSDate(value, { zone: ZONE }).startOf('day').toJSDate();
  }
  const text = value.trim().normalize('NFKC');
  const day = DAY_FORMS.exec(text);
  if (day) return dayOfMonth(Number(day[1]), Number(day[2]), Number(day[3]));
  if (INSTANT.test(text)) {
    const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: ZONE });
    return dt.isValid ? dt.setZone(ZONE).startOf('day').toJSDate() : undefined;
  }
  return undefined;
}
