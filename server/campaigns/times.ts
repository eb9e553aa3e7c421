// Time in the district's zone. Forms send `datetime-local` values ("2026-12-05T09:00") that mean Beijing
// time; the API may also send an offset or Z. Everything is stored as a UTC Date and shown in Asia/Shanghai.
import { DateTime } from 'luxon';
import { clock } from '../platform/clock.ts';
import { ZONE } from '../platform/time.ts';
export const MINUTE = 60_000;

const LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** "2026-12-05T09:00" (Beijing time), "2026-12-05 09:00", or ISO 8601 with an offset → a Date; else undefined. */
export function parseInstant(value: string): Date | undefined {
  const text = value.trim();
  if (!LOCAL.test(text)) return undefined;
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: ZONE });
  return dt.isValid ? dt.toJSDate() : undefined;
}

/** "09:30" on the Beijing calendar day of `day` → a Date. */
export function atTimeOf(day: Date, hhmm: string): Date | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return undefined;
  return local(day).set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 }).toJSDate();
}

export const local = (d: Date): DateTime => DateTime.fromJSDate(d, { zone: ZONE });

/** The value of a `datetime-local` input. */
export const toInput = (d: Date | null | undefined): string => (d ? local(d).toFormat("yyyy-MM-dd'T'HH:mm") : '');
/** The value of a `time` input. */
export const toTimeInput = (d: Date | null | undefined): string => (d ? local(d).toFormat('HH:mm') : '');
/** The value of a `date` input. */
export const toDateInput = (d: Date | null | undefined): string => (d ? local(d).toFormat('yyyy-MM-dd') : '');

export const addMinutes = (d: Date, minutes: number): Date => new Date(d.getTime() + minutes * MINUTE);

/** "12月5日 09:00–09:30", or with both days when a span crosses midnight. */
export function spanText(start: Date, end: Date): string {
  const a = local(start);
  const b = local(end);
  const sameDay = a.hasSame(b, 'day') || (b.hour === 0 && b.minute === 0 && b.minus({ minutes: 1 }).hasSame(a, 'day'));
  return sameDay ? `${a.toFormat('M月d日 HH:mm')}–${b.toFormat('HH:mm')}` : `${a.toFormat('M月d日 HH:mm')}–${b.toFormat('M月d日 HH:mm')}`;
}

/** Midnight (Beijing) at the start of the calendar day "YYYY-MM-DD", or undefined. */
export function dayStart(iso: string): DateTime | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return undefined;
  const dt = DateTime.fromISO(iso, { zone: ZONE });
  return dt.isValid ? dt.startOf('day') : undefined;
}

export const today = (now = clock.now()): DateTime => local(now).startOf('day');
