// Issue 8, "Done when": contracts and talents entered through the API, and every progress figure checked
// against a hand-computed sum — per year and per scope, with a contract signed in one year and registered in
// the next, unverified records not counted, and edits and deletions followed. Years 2011–2013 keep these
// records apart from anything dated today.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { owner } from '../support/directory.ts';

const { app } = buildTestApp();

let organizer: Awaited<ReturnType<typeof apiToken>>;
let broker: Awaited<ReturnType<typeof owner>>;
let otherBroker: Awaited<ReturnType<typeof owner>>;
let lixi: Awaited<ReturnType<typeof owner>>;
let mahe: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
const ids: Record<string, string> = {};

const WAN = 10_000;

type Auth = Record<string, string>;
const post = (path: string, auth: Auth, body: unknown) => request(app).post(path).set(auth).send(body as object);

function contract(buyer: string, amount: number, signedAt: string, registered?: string, extra: Record<string, unknown> = {}) {
  return {
    title: `磷石膏净化技术开发合同 ${signedAt}`,
    type: 'development',
    buyer,
    seller: { kind: 'institution', id: inst.id },
    amount,
    signedAt,
    ...(registered ? { registration: { number: `4205${signedAt.replace(/-/g, '')}${String(amount).slice(0, 4)}`, date: registered } } : {}),
    ...extra,
  };
}

/** The progress item of one target for a year. */
async function figure(year: number, indicator: string, scope = 'district', period?: [number, number]) {
  const res = await request(app).get('/api/v1/targets/progress').set(organizer.auth).query({ year, indicator, scope }).expect(200);
  const items = res.body.items as { indicator: string; scope: string; target: number; actual: number; unit: string; period: { start: number; end: number }; signed?: number; pending?: number; status: string }[];
  const item = items.find((i) => !period || (i.period.start === period[0] && i.period.end === period[1]));
  if (!item) throw new Error(`no target ${indicator} ${scope} ${year}: ${JSON.stringify(items)}`);
  return item;
}

/** The drill-down behind a figure: its records, and their sum. */
async function records(indicator: string, from: number, to: number, scope = 'district') {
  const res = await request(app).get('/api/v1/targets/records').set(organizer.auth).query({ indicator, from, to, scope, limit: 500 }).expect(200);
  return { ids: (res.body.items as { id: string }[]).map((i) => i.id).sort(), sum: res.body.sum as number, actual: res.body.actual as number };
}

beforeAll(async () => {
  organizer = await apiToken('organizer');
  broker = await owner('broker');
  otherBroker = await owner('broker');
  lixi = await owner('enterprise', { town: 'lixi' });
  mahe = await owner('enterprise', { town: 'mahe' });
  inst = await owner('institution');
  expert = await owner('expert');
  for (const [indicator, year, value, scope] of [
    ['contract-value', 2011, 1000 * WAN, 'district'],
    ['contract-value', 2012, 2000 * WAN, 'district'],
    ['contract-value', 2012, 500 * WAN, 'lixi'],
    ['contract-count', 2012, 5, 'district'],
  ] as const) {
    await post('/api/v1/targets', organizer.auth, { indicator, year, value, scope }).expect(201);
  }
  await post('/api/v1/targets', organizer.auth, { indicator: 'contract-value', startYear: 2011, endYear: 2012, value: 2500 * WAN, scope: 'district' }).expect(201);
  await post('/api/v1/targets', organizer.auth, { indicator: 'talent-shortage', startYear: 2011, endYear: 2015, value: 30, scope: 'district' }).expect(201);
  await post('/api/v1/targets', organizer.auth, { indicator: 'talent-shortage', startYear: 2011, endYear: 2015, value: 10, scope: '马河镇' }).expect(201);
});

describe('contracts through the API', () => {
  it('refuses bad contracts with field-level problems and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...contract(lixi.id, 0, '2011-03-01') }, 'amount'],
      [{ ...contract(lixi.id, 100, '2011-03-01'), amount: 100.5 }, 'amount'],
      [contract(lixi.id, 100 * WAN, '2011-03-01', '2011-02-01'), 'registration.date'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), techIncome: 200 * WAN }, 'techIncome'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), seller: { kind: 'university', id: inst.id } }, 'seller.kind'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), registration: { number: '2011420500001' } }, 'registration.date'],
      [{ ...contract(lixi.id, 100 * WAN, '2099-01-01') }, 'signedAt'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-13-45') }, 'signedAt'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), buyer: '0123456789abcdef01234567' }, 'buyer'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), seller: { kind: 'expert', id: inst.id } }, 'seller'],
      [{ ...contract(lixi.id, 100 * WAN, '2011-03-01'), verified: true }, ''],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/v1/contracts', organizer.auth, body).expect(400);
      expect(res.type).toBe('application/problem+json');
      if (field) expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
    }
    const list = await request(app).get('/api/v1/contracts').set(organizer.auth).expect(200);
    expect(list.body.total).toBe(0);
  });

  it('lets brokers and organizers record, and nobody else', async () => {
    await request(app).post('/api/v1/contracts').send(contract(lixi.id, 100 * WAN, '2011-03-01')).expect(401);
    await post('/api/v1/contracts', lixi.auth, contract(lixi.id, 100 * WAN, '2011-03-01')).expect(403);
    await post('/api/v1/contracts', inst.auth, contract(lixi.id, 100 * WAN, '2011-03-01')).expect(403);
    // A broker records their own deals only.
    await post('/api/v1/contracts', broker.auth, { ...contract(lixi.id, 100 * WAN, '2011-03-01'), broker: otherBroker.id }).expect(403);
  });

  it('counts verified contracts by registration year; signed and unverified amounts are shown apart', async () => {
    const c1 = await post('/api/v1/contracts', organizer.auth, contract(lixi.id, 300 * WAN, '2011-03-01', '2011-03-20')).expect(201);
    expect(c1.body).toMatchObject({ verified: true, signedYear: 2011, registeredYear: 2011, town: 'lixi' });
    ids.c1 = c1.body.id;
    // Signed in December 2011, registered in January 2012: it counts in 2012.
    ids.c2 = (await post('/api/v1/contracts', organizer.auth, contract(mahe.id, 500 * WAN, '2011-12-20', '2012-01-10')).expect(201)).body.id;
    ids.c3 = (await post('/api/v1/contracts', organizer.auth, { ...contract(lixi.id, 200 * WAN, '2012-05-01', '2012-05-15'), seller: { kind: 'expert', id: expert.id } }).expect(201)).body.id;
    // A broker's entry waits for verification.
    const c4 = await post('/api/v1/contracts', broker.auth, contract(lixi.id, 700 * WAN, '2012-06-01', '2012-06-10')).expect(201);
    expect(c4.body).toMatchObject({ verified: false, broker: { id: broker.id } });
    ids.c4 = c4.body.id;
    // Signed, not yet registered: in the signed figure, not in the target's.
    ids.c5 = (await post('/api/v1/contracts', organizer.auth, contract(mahe.id, 100 * WAN, '2012-07-01')).expect(201)).body.id;

    expect(await figure(2011, 'contract-value', 'district', [2011, 2011])).toMatchObject({ target: 1000 * WAN, actual: 300 * WAN, signed: 800 * WAN, unit: '元' });
    expect(await figure(2012, 'contract-value', 'district', [2012, 2012])).toMatchObject({ actual: 500 * WAN + 200 * WAN, signed: 200 * WAN + 100 * WAN, pending: 700 * WAN });
    expect(await figure(2012, 'contract-value', 'lixi')).toMatchObject({ target: 500 * WAN, actual: 200 * WAN });
    expect(await figure(2012, 'contract-count')).toMatchObject({ target: 5, actual: 2 });
    // The span target counts from its start to the year asked about.
    expect(await figure(2011, 'contract-value', 'district', [2011, 2012])).toMatchObject({ actual: 300 * WAN });
    expect(await figure(2012, 'contract-value', 'district', [2011, 2012])).toMatchObject({ actual: 1000 * WAN });
  });

  it('counts a broker’s contract once an organizer verifies it', async () => {
    await post(`/api/v1/contracts/${ids.c4}/verify`, broker.auth, {}).expect(403);
    const res = await post(`/api/v1/contracts/${ids.c4}/verify`, organizer.auth, {}).expect(200);
    expect(res.body.verified).toBe(true);
    await post(`/api/v1/contracts/${ids.c4}/verify`, organizer.auth, {}).expect(409);
    expect((await figure(2012, 'contract-value', 'district', [2012, 2012])).actual).toBe(1400 * WAN);
    expect((await figure(2012, 'contract-value', 'lixi')).actual).toBe(900 * WAN);
    expect((await figure(2012, 'contract-count')).actual).toBe(3);
    // Verified, it is the organizers' to change.
    await request(app).patch(`/api/v1/contracts/${ids.c4}`).set(broker.auth).send({ amount: 1 }).expect(403);
  });

  it('follows edits and deletions', async () => {
    // The registration moves back into 2011.
    await request(app).patch(`/api/v1/contracts/${ids.c2}`).set(organizer.auth).send({ registration: { number: '2011420500777', date: '2011-12-28' } }).expect(200);
    expect((await figure(2011, 'contract-value', 'district', [2011, 2011])).actual).toBe(800 * WAN);
    expect((await figure(2012, 'contract-value', 'district', [2012, 2012])).actual).toBe(900 * WAN);
    // A registration date before the signing date is refused, and nothing changes.
    await request(app).patch(`/api/v1/contracts/${ids.c2}`).set(organizer.auth).send({ signedAt: '2012-02-01' }).expect(400);
    expect((await figure(2011, 'contract-value', 'district', [2011, 2011])).actual).toBe(800 * WAN);
    await request(app).patch(`/api/v1/contracts/${ids.c1}`).set(organizer.auth).send({ amount: 350 * WAN }).expect(200);
    expect((await figure(2011, 'contract-value', 'district', [2011, 2011])).actual).toBe(850 * WAN);
    await request(app).delete(`/api/v1/contracts/${ids.c3}`).set(organizer.auth).expect(204);
    expect((await figure(2012, 'contract-value', 'district', [2012, 2012])).actual).toBe(700 * WAN);
    expect((await figure(2012, 'contract-value', 'lixi')).actual).toBe(700 * WAN);
    expect((await figure(2012, 'contract-value', 'district', [2011, 2012])).actual).toBe(1550 * WAN);
    await request(app).get(`/api/v1/contracts/${ids.c3}`).set(organizer.auth).expect(404);
  });

  it('drills every figure down to records whose sum is the figure', async () => {
    const y2011 = await records('contract-value', 2011, 2011);
    expect(y2011.ids).toEqual([ids.c1, ids.c2].sort());
    expect(y2011.sum).toBe(850 * WAN);
    expect(y2011.actual).toBe(850 * WAN);
    const y2012lixi = await records('contract-value', 2012, 2012, 'lixi');
    expect(y2012lixi).toEqual({ ids: [ids.c4], sum: 700 * WAN, actual: 700 * WAN });
    const count = await records('contract-count', 2011, 2012);
    expect(count.ids).toEqual([ids.c1, ids.c2, ids.c4].sort());
    expect(count.sum).toBe(3);
    // By signing date: the unregistered one is there, the figure and the sum still agree.
    const signed = await request(app).get('/api/v1/targets/records').set(organizer.auth).query({ indicator: 'contract-value', from: 2012, to: 2012, scope: 'district', by: 'signed' }).expect(200);
    expect(signed.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.c4, ids.c5].sort());
    expect(signed.body.sum).toBe(800 * WAN);
    // Contracts are dated by calendar dates: the drill-down answers YYYY-MM-DD, never an instant that moves a day.
    for (const item of signed.body.items as { date: string }[]) expect(item.date).toMatch(/^2012-\d{2}-\d{2}$/);
    // Drill-downs name records: organizers only.
    await request(app).get('/api/v1/targets/records').query({ indicator: 'contract-value', from: 2011, to: 2011 }).expect(401);
    await request(app).get('/api/v1/targets/records').set(broker.auth).query({ indicator: 'contract-value', from: 2011, to: 2011 }).expect(403);
  });

  it('shows contracts to their parties and organizers only', async () => {
    await request(app).get(`/api/v1/contracts/${ids.c4}`).set(broker.auth).expect(200);
    await request(app).get(`/api/v1/contracts/${ids.c4}`).set(lixi.auth).expect(200); // the buyer
    await request(app).get(`/api/v1/contracts/${ids.c4}`).set(inst.auth).expect(200); // the seller
    await request(app).get(`/api/v1/contracts/${ids.c4}`).set(mahe.auth).expect(404);
    await request(app).get(`/api/v1/contracts/${ids.c4}`).set(otherBroker.auth).expect(404);
    await request(app).get(`/api/v1/contracts/${ids.c4}`).expect(401);
    const mine = await request(app).get('/api/v1/contracts').set(mahe.auth).expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids.c2, ids.c5].sort());
  });
});

describe('talent introductions through the API', () => {
  const talent = (employer: string, category: string, date: string, extra: Record<string, unknown> = {}) => ({
    name: '张博士',
    degree: 'doctor',
    category,
    mode: 'flexible',
    employer,
    industry: 'chemicals',
    date,
    ...extra,
  });

  it('counts verified talents by category, year and town; follows verification, edits and deletions', async () => {
    ids.t1 = (await post('/api/v1/talents', organizer.auth, talent(mahe.id, 'shortage', '2011-05-01')).expect(201)).body.id;
    ids.t2 = (await post('/api/v1/talents', broker.auth, talent(mahe.id, 'shortage', '2012-05-01', { name: '李教授', mode: 'tech-vp' })).expect(201)).body.id;
    ids.t3 = (await post('/api/v1/talents', organizer.auth, talent(lixi.id, 'shortage', '2013-02-01')).expect(201)).body.id;
    await post('/api/v1/talents', organizer.auth, talent(lixi.id, 'innovative', '2012-03-01')).expect(201);
    // An enterprise records its own introductions only.
    await post('/api/v1/talents', lixi.auth, talent(mahe.id, 'graduate', '2012-03-01')).expect(403);
    const own = await post('/api/v1/talents', lixi.auth, talent(lixi.id, 'graduate', '2012-03-01')).expect(201);
    expect(own.body.verified).toBe(false);

    expect(await figure(2012, 'talent-shortage', 'district')).toMatchObject({ target: 30, actual: 1, unit: '人' });
    expect(await figure(2012, 'talent-shortage', 'mahe')).toMatchObject({ target: 10, actual: 1 });
    expect((await figure(2013, 'talent-shortage', 'district')).actual).toBe(2);
    await post(`/api/v1/talents/${ids.t2}/verify`, organizer.auth, {}).expect(200);
    expect((await figure(2012, 'talent-shortage', 'mahe')).actual).toBe(2);
    expect((await figure(2013, 'talent-shortage', 'district')).actual).toBe(3);
    // Moved to another category: no longer a shortage talent.
    await request(app).patch(`/api/v1/talents/${ids.t3}`).set(organizer.auth).send({ category: 'innovative' }).expect(200);
    expect((await figure(2013, 'talent-shortage', 'district')).actual).toBe(2);
    await request(app).delete(`/api/v1/talents/${ids.t1}`).set(organizer.auth).expect(204);
    expect((await figure(2013, 'talent-shortage', 'district')).actual).toBe(1);
    const behind = await records('talent-shortage', 2011, 2013);
    expect(behind).toEqual({ ids: [ids.t2], sum: 1, actual: 1 });
  });

  it('keeps personal data to organizers and whoever entered the record', async () => {
    const byOrganizer = await request(app).get(`/api/v1/talents/${ids.t2}`).set(organizer.auth).expect(200);
    expect(byOrganizer.body.name).toBe('李教授');
    await request(app).get(`/api/v1/talents/${ids.t2}`).set(broker.auth).expect(200);
    await request(app).get(`/api/v1/talents/${ids.t2}`).set(otherBroker.auth).expect(404);
    await request(app).get(`/api/v1/talents/${ids.t2}`).set(mahe.auth).expect(404);
    await request(app).get(`/api/v1/talents/${ids.t2}`).expect(401);
    const brokersList = await request(app).get('/api/v1/talents').set(otherBroker.auth).expect(200);
    expect(brokersList.body.total).toBe(0);
    // The public progress answer carries counts, never names.
    const board = await request(app).get('/api/v1/targets/progress').query({ year: 2012 }).expect(200);
    expect(JSON.stringify(board.body)).not.toContain('李教授');
    expect(board.body.items.every((i: Record<string, unknown>) => !('pending' in i))).toBe(true);
  });
});

describe('the breakdown table', () => {
  it('refuses duplicates, unknown scopes and impossible values with specific errors', async () => {
    const dup = await post('/api/v1/targets', organizer.auth, { indicator: 'contract-value', year: 2011, value: 5, scope: 'district' }).expect(409);
    expect(dup.body.detail).toContain('已有目标值');
    const bad: [Record<string, unknown>, string][] = [
      [{ indicator: 'contract-value', year: 2011, value: 5, scope: '火星镇' }, 'scope'],
      [{ indicator: 'roadshows-held', year: 2011, value: 5, scope: 'lixi' }, 'scope'],
      [{ indicator: 'contract-count', year: 2013, value: 2.5 }, 'value'],
      [{ indicator: 'rd-ratio', year: 2013, value: 120 }, 'value'],
      [{ indicator: 'contract-value', year: 2013, startYear: 2011, endYear: 2013, value: 5 }, 'year'],
      [{ indicator: 'contract-value', startYear: 2015, endYear: 2013, value: 5 }, 'endYear'],
      [{ indicator: 'no-such-thing', year: 2013, value: 5 }, 'indicator'],
      [{ indicator: 'contract-value', year: 2013, value: -1 }, 'value'],
    ];
    for (const [body, field] of bad) {
      const res = await post('/api/v1/targets', organizer.auth, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.errors), JSON.stringify(res.body)).toContain(field);
    }
    await post('/api/v1/targets', broker.auth, { indicator: 'contract-value', year: 2013, value: 5 }).expect(403);
  });

  it('edits a target and the progress follows', async () => {
    const list = await request(app).get('/api/v1/targets').query({ indicator: 'contract-count' }).expect(200);
    const id = list.body.items[0].id;
    await request(app).patch(`/api/v1/targets/${id}`).set(organizer.auth).send({ value: 6 }).expect(200);
    expect(await figure(2012, 'contract-count')).toMatchObject({ target: 6 });
    await request(app).patch(`/api/v1/targets/${id}`).set(organizer.auth).send({ value: 0 }).expect(400);
  });

  it('takes manual entries with checked evidence; a level counts its latest entry', async () => {
    await post('/api/v1/targets', organizer.auth, { indicator: 'rd-ratio', year: 2012, value: 2.69 }).expect(201);
    const pdf = Buffer.from('%PDF-1.4\n% 2012 年研发投入统计\n%%EOF\n');
    const entry = (value: string, file?: [Buffer, string], indicator = 'rd-ratio') => {
      const req = request(app).post('/api/v1/targets/entries').set(organizer.auth).field('indicator', indicator).field('year', '2012').field('scope', 'district').field('value', value);
      return file ? req.attach('evidence', file[0], file[1]) : req;
    };
    expect((await entry('2.1')).status).toBe(400); // no evidence
    const disguised = await entry('2.1', [Buffer.from('<script>alert(1)</script>'), '统计表.pdf']);
    expect(disguised.status).toBe(400);
    expect(disguised.body.errors.evidence).toContain('PDF');
    expect((await entry('5', [pdf, 'a.pdf'], 'contract-value')).status).toBe(400); // computed, not entered
    const first = await entry('2.1', [pdf, '2012年一季度.pdf']).expect(201);
    expect(first.body).toMatchObject({ value: 2.1, enteredByName: organizer.user.name });
    expect((await figure(2012, 'rd-ratio')).actual).toBe(2.1);
    const second = await entry('2.5', [pdf, '..\\..\\etc\\年报.pdf']).expect(201);
    expect(second.body.evidence.name).toBe('年报.pdf');
    const item = await figure(2012, 'rd-ratio');
    expect(item).toMatchObject({ actual: 2.5, target: 2.69 });
    const behind = await records('rd-ratio', 2012, 2012);
    expect(behind).toEqual({ ids: [second.body.id], sum: 2.5, actual: 2.5 });

    await request(app).delete(`/api/v1/targets/entries/${second.body.id}`).set(organizer.auth).expect(204);
    expect((await figure(2012, 'rd-ratio')).actual).toBe(2.1);
  });
});
