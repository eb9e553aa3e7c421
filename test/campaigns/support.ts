// Helpers for the campaigns tests: Beijing wall-clock times relative to today (so the tests keep working as
// the calendar moves on), campaigns made through the API, and a roadshow body with sensible defaults.
import type { Express } from 'express';
import { DateTime } from 'luxon';
import request from 'supertest';
import { expect } from 'vitest';
import { clock } from '../../server/platform/clock.ts';

export const ZONE = 'Asia/Shanghai';

/** Monday of the week `weeks` weeks from now, at 00:00 Beijing time. */
export const monday = (weeks: number): DateTime => DateTime.fromJSDate(clock.now(), { zone: ZONE }).startOf('week').plus({ weeks });

/** "2026-12-07T09:30" — a `datetime-local` value, `days` after the Monday `weeks` from now. */
export function at(weeks: number, days: number, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return monday(weeks).plus({ days }).set({ hour: h!, minute: m! }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The UTC instant of a Beijing wall-clock value. */
export const utc = (local: string): string => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;

/** "20261207T093000" — how a TZID=Asia/Shanghai DTSTART writes a wall-clock value. */
export const icsLocal = (local: string): string => DateTime.fromISO(local, { zone: ZONE }).toFormat("yyyyMMdd'T'HHmmss");

let seq = 0;
/** A venue of its own, so tests in one file do not meet in one room by accident. */
export const venue = (name = '路演厅') => `东宝工业园科技服务中心 ${name}${++seq}`;

export async function makeCampaign(app: Express, auth: Record<string, string>, body: Record<string, unknown> = {}): Promise<string> {
  const res = await request(app)
    .post('/api/v1/campaigns')
    .set(auth)
    .send({
      kind: 'hundred-universities',
      name: `测试活动${++seq}`,
      startsOn: DateTime.fromJSDate(clock.now(), { zone: ZONE }).minus({ years: 1 }).toISODate(),
      endsOn: DateTime.fromJSDate(clock.now(), { zone: ZONE }).plus({ years: 1 }).toISODate(),
      ...body,
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

export interface SlotBody {
  kind: 'result' | 'demand' | 'expert';
  ref: string;
  startsAt: string;
  minutes: number;
  presenter?: string;
}

export const roadshowBody = (campaign: string, fields: { startsAt: string; endsAt: string; venue?: string; title?: string; capacity?: number; slots?: SlotBody[] }) => ({
  campaign,
  title: fields.title ?? `测试路演${++seq}`,
  venue: fields.venue ?? venue(),
  capacity: fields.capacity ?? 50,
  slots: fields.slots ?? [],
  startsAt: fields.startsAt,
  endsAt: fields.endsAt,
});

/** Unfolds iCalendar content lines (RFC 5545 §3.1) and splits them. */
export function icsLines(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, '').split(/\r\n/).filter(Boolean);
}

/** Page text with the entities Handlebars writes in attributes (= and &) decoded, for matching URLs. */
export const decoded = (html: string): string => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
