// Issue 15, dates that never move: one date module (server/platform/time.ts). Date-only fields are calendar
// dates in Beijing, read from every form people write them in, never rolled over, and written back as
// "YYYY-MM-DD", so a read followed by a write changes nothing; an instant is taken as the Beijing day it falls on.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { demandOf, owner } from '../support/directory.ts';
import { IANAZone, DateTime } from 'luxon';
import { FIXED_SINCE_MS, ZONE, isoDate, parseCalendarDate } from '../../server/platform/time.ts';

const { app } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let buyer: Awaited<ReturnType<typeof owner>>;
let seller: Awaited<ReturnType<typeof owner>>;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  buyer = await owner('enterprise');
  seller = await owner('institution');
});

const day = (v: string | Date) => {
  const d = parseCalendarDate(v);
  return d ? isoDate(d) : undefined;
};

describe('calendar dates', () => {
  it('when a date is written as 2026-12-03, 2026/12/3, 2026.12.3, 2026年12月3日 or a spreadsheet date cell, then it is the same Beijing day', () => {
    for (const form of ['2026-12-03', '2026/12/3', '2026.12.3', '2026年12月3日', '2026年12月3', ' 2026 年 12 月 3 日 ', '２０２６年１２月３日']) {
      expect(day(form), form).toBe('2026-12-03');
    }
    // exceljs gives a date cell as midnight UTC of that day
    expect(day(new Date(Date.UTC(2026, 11, 3)))).toBe('2026-12-03');
    // the stored value is midnight in Beijing
    expect(parseCalendarDate('2026-12-03')!.toISOString()).toBe('2026-12-02T16:00:00.000Z');
  });

  it('when an instant is given, then it is the Beijing calendar day it falls on, never the first ten characters', () => {
    expect(day('2022-12-31T16:30:00Z')).toBe('2023-01-01');
    expect(day('2022-12-31T15:59:59Z')).toBe('2022-12-31');
    expect(day('2022-12-31T23:30:00+08:00')).toBe('2022-12-31');
    expect(day('2022-12-31 08:00')).toBe('2022-12-31'); // no offset: Beijing time
  });

  it("when the district's zone answers an offset, then it is the tz database's Asia/Shanghai, before its last change as after", () => {
    const tz = new IANAZone('Asia/Shanghai');
    // every 7 days and 13 hours from 1985 (daylight saving time 1986–1991) to 2100
    for (let ts = Date.UTC(1985, 0, 1); ts < Date.UTC(2100, 0, 1); ts += (7 * 24 + 13) * 3600_000) {
      expect(ZONE.offset(ts), new Date(ts).toISOString()).toBe(tz.offset(ts));
    }
    expect(ZONE.offset(Date.UTC(1990, 6, 1))).toBe(540); // summer time, answered by luxon
    expect(ZONE.offset(FIXED_SINCE_MS - 1)).toBe(tz.offset(FIXED_SINCE_MS - 1));
    expect(DateTime.fromObject({ year: 1991, month: 7, day: 1, hour: 12 }, { zone: ZONE }).toISO()).toBe('1991-07-01T12:00:00.000+09:00');
  });

  it('when a day does not exist or the text is not a date, then there is no date (never a rolled-over one)', () => {
    for (const bad of ['2023-02-31', '2023-02-29', '2026-13-01', '2026-00-10', '2026年2月30日', '03/12/2026', '明天', '2026-12', '']) {
      expect(day(bad), bad).toBeUndefined();
    }
    expect(day('2024-02-29')).toBe('2024-02-29');
  });
});

describe('date-only fields through the API', () => {
  const contract = (extra: Record<string, unknown>) => ({
    title: '磷石膏净化技术开发合同',
    type: 'development',
    buyer: buyer.id,
    seller: { kind: 'institution', id: seller.id },
    amount: 1_000_000,
    ...extra,
  });

  it('when a contract is registered at 2022-12-31T16:30:00Z, then it is dated 1 January 2023, counts in 2023, and reads back as "2023-01-01"', async () => {
    await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: 2023, value: 50_000_000, scope: 'district' }).expect(201);
    const res = await request(app)
      .post('/api/v1/contracts')
      .set(organizer.auth)
      .send(contract({ signedAt: '2022-12-31T16:30:00Z', registration: { number: '2023420500000001', date: '2022-12-31T16:30:00Z' } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ signedAt: '2023-01-01', signedYear: 2023, registeredYear: 2023, registration: { date: '2023-01-01' } });
    const progress = await request(app).get('/api/v1/targets/progress').set(organizer.auth).query({ year: 2023, indicator: 'contract-value', scope: 'district' }).expect(200);
    expect(progress.body.items[0].actual).toBe(1_000_000);
  });

  it('when a client reads a record and sends its dates back, then nothing moves', async () => {
    const created = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ signedAt: '2025/3/1', registration: { number: '2025420500000077', date: '2025年3月15日' } })).expect(201);
    let body = created.body;
    for (let i = 0; i < 3; i++) {
      const read = await request(app).get(`/api/v1/contracts/${body.id}`).set(organizer.auth).expect(200);
      const patched = await request(app).patch(`/api/v1/contracts/${body.id}`).set(organizer.auth).send({ signedAt: read.body.signedAt, registration: read.body.registration }).expect(200);
      body = patched.body;
    }
    expect(body).toMatchObject({ signedAt: '2025-03-01', registration: { number: '2025420500000077', date: '2025-03-15' }, registeredYear: 2025 });

    const need = await demandOf(buyer.actor, { deadline: '2027-06-30' });
    const read = await request(app).get(`/api/v1/demands/${need.id}`).set(buyer.auth).expect(200);
    expect(read.body.deadline).toBe('2027-06-30');
    const back = await request(app).patch(`/api/v1/demands/${need.id}`).set(buyer.auth).send({ deadline: read.body.deadline }).expect(200);
    expect(back.body.deadline).toBe('2027-06-30');

    const campaign = await request(app).post('/api/v1/campaigns').set(organizer.auth).send({ kind: 'roadshow', name: '日期往返测试活动', startsOn: '2027-01-01', endsOn: '2027-03-31' }).expect(201);
    expect(campaign.body).toMatchObject({ startsOn: '2027-01-01', endsOn: '2027-03-31' });
    const again = await request(app).patch(`/api/v1/campaigns/${campaign.body.id}`).set(organizer.auth).send({ startsOn: campaign.body.startsOn, endsOn: campaign.body.endsOn }).expect(200);
    expect(again.body).toMatchObject({ startsOn: '2027-01-01', endsOn: '2027-03-31' });
  });

  it('when a date does not exist or lies outside 2000 to next year, then the field says so and nothing is written', async () => {
    const before = (await request(app).get('/api/v1/contracts').set(organizer.auth).query({ limit: 100 }).expect(200)).body.total;
    const impossible = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ signedAt: '2023-02-31' }));
    expect(impossible.status).toBe(400);
    expect(impossible.body.errors.signedAt).toContain('不是有效的日期');
    const old = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ signedAt: '1999-12-31' }));
    expect(old.status).toBe(400);
    expect(old.body.errors.signedAt).toContain('2000 年');
    const far = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ signedAt: '2025-01-01', registration: { number: '2025420500000099', date: '2206-01-01' } }));
    expect(far.status).toBe(400);
    expect(far.body.errors['registration.date']).toBeDefined();
    expect((await request(app).get('/api/v1/contracts').set(organizer.auth).query({ limit: 100 }).expect(200)).body.total).toBe(before);
  });
});
