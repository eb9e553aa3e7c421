// iCalendar files with ical-generator: times are written as Asia/Shanghai wall-clock times with TZID, the zone
// described by a VTIMEZONE, UIDs stable per roadshow (and per visit stop) so that calendar apps update events
// instead of duplicating them.
import ical from 'ical-generator';
import { DateTime } from 'luxon';
import { local } from './times.ts';
import { ZONE } from '../platform/time.ts';

export interface IcsEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string | undefined;
  location?: string | undefined;
  /** absolute address of the event's page */
  url?: string | undefined;
  /** when the record last changed (DTSTAMP), and how often (SEQUENCE) */
  stamp: Date;
  sequence?: number | undefined;
}

/** The VTIMEZONE of a zone without daylight saving time (Asia/Shanghai since 1991); others are left to the client. */
export function vtimezone(zone: string): string | null {
  const winter = DateTime.fromObject({ year: 2026, month: 1, day: 15 }, { zone });
  const summer = DateTime.fromObject({ year: 2026, month: 7, day: 15 }, { zone });
  if (!winter.isValid || winter.offset !== summer.offset) return null;
  const sign = winter.offset < 0 ? '-' : '+';
  const abs = Math.abs(winter.offset);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${zone}`,
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    `TZOFFSETFROM:${offset}`,
    `TZOFFSETTO:${offset}`,
    `TZNAME:${winter.offsetNameShort ?? offset}`,
    'END:STANDARD',
    'END:VTIMEZONE',
  ].join('\r\n');
}

export function icsCalendar(name: string, events: IcsEvent[]): string {
  const calendar = ical({
    name,
    prodId: { company: 'dongbao-kjj', product: 'techbridge', language: 'ZH' },
    // Only the generator: a calendar-wide zone would also write DTSTAMP as local time, which must be UTC.
    timezone: { name: null, generator: vtimezone },
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      start: local(e.start),
      end: local(e.end),
      timezone: ZONE.name,
      summary: e.summary,
      description: e.description,
      location: e.location,
      url: e.url,
      stamp: e.stamp,
      sequence: e.sequence ?? 0,
    });
  }
  return calendar.toString();
}
