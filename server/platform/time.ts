// Calendar questions in the district's time zone (Asia/Shanghai): a contract signed at 00:30 on 1 January
// Beijing time belongs to the new year even though it is still 31 December in UTC.
import { DateTime } from 'luxon';
import { clock } from './clock.ts';

export const ZONE = 'Asia/Shanghai';

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
