// Issue 15: a contract's parties as a real ledger has them. The seller may be a district enterprise, an
// institution, an expert or a party outside the platform typed by name (with its credit code if known); the buyer
// a district enterprise or an outside party. Each contract records what it is for the district — 技术吸纳 (a
// district enterprise buys), 技术输出 (a district enterprise, or an institution in 荆门市, sells), or both — and the
// dashboard shows the two apart. A contract with no district party is refused.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { creditCode, owner } from '../support/directory.ts';

const { app } = buildTestApp();
const YEAR = 2015;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let maker: Awaited<ReturnType<typeof owner>>; // a district enterprise that sells its process
let buyer: Awaited<ReturnType<typeof owner>>;
let localUni: Awaited<ReturnType<typeof owner>>;
let farUni: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
let n = 0;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  maker = await owner('enterprise', { name: '湖北东宝磷化工装备有限公司' });
  buyer = await owner('enterprise', { name: '荆门东宝新型建材有限公司' });
  localUni = await owner('institution', { name: '荆楚理工学院（测试）', city: '荆门市' });
  farUni = await owner('institution', { name: '武汉工程大学（测试）', city: '武汉市' });
  expert = await owner('expert');
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: YEAR, value: 100_000_000, scope: 'district' }).expect(201);
});

function contract(buyerValue: unknown, seller: unknown, amount: number) {
  n++;
  return {
    title: `磷石膏综合利用技术开发合同（${n}）`,
    type: 'development',
    buyer: buyerValue,
    seller,
    amount,
    signedAt: `${YEAR}-05-0${n % 9 || 1}`,
    registration: { number: `${YEAR}42050000${String(n).padStart(4, '0')}`, date: `${YEAR}-06-01` },
  };
}

const progress = async () =>
  (await request(app).get('/api/v1/targets/progress').set(organizer.auth).query({ year: YEAR, indicator: 'contract-value', scope: 'district' }).expect(200)).body.items[0];

describe('contract parties and direction', () => {
  it('when a district enterprise sells to a company outside the platform, then it is 技术输出, counted, and the seller sees it', async () => {
    const outside = { name: '宜昌某磷化有限公司', creditCode: creditCode() };
    const res = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract(outside, { kind: 'enterprise', id: maker.id }, 3_000_000));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ direction: 'export', buyer: { kind: 'outside', name: outside.name, creditCode: outside.creditCode }, seller: { kind: 'enterprise', id: maker.id }, town: 'shiqiaoyi' });
    expect(res.body.buyer.id).toBeUndefined();
    // The selling enterprise is a party: it sees its contract.
    await request(app).get(`/api/v1/contracts/${res.body.id}`).set(maker.auth).expect(200);
    const mine = await request(app).get('/api/v1/contracts').set(maker.auth).expect(200);
    expect(mine.body.items.map((c: { id: string }) => c.id)).toContain(res.body.id);
  });

  it('when a district enterprise buys from a university not yet on the platform, then it is 技术吸纳 with the university named as typed', async () => {
    const res = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract(buyer.id, { kind: 'outside', name: '某某大学化工学院' }, 2_000_000));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ direction: 'absorb', seller: { kind: 'outside', name: '某某大学化工学院' }, buyer: { kind: 'enterprise', id: buyer.id } });
  });

  it('when both sides are district parties, then it is both 吸纳 and 输出; an institution in 荆门市 sells as the district does', async () => {
    const both = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract(buyer.id, { kind: 'enterprise', id: maker.id }, 1_000_000));
    expect(both.body.direction).toBe('both');
    const local = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ name: '襄阳某建材公司' }, { kind: 'institution', id: localUni.id }, 500_000));
    expect(local.status, JSON.stringify(local.body)).toBe(201);
    expect(local.body.direction).toBe('export');

    // The figure counts every registered contract; the two directions are shown apart.
    const item = await progress();
    expect(item.actual).toBe(3_000_000 + 2_000_000 + 1_000_000 + 500_000);
    expect(item.absorb).toBe(2_000_000 + 1_000_000);
    expect(item.export).toBe(3_000_000 + 1_000_000 + 500_000);
    const bureau = await loginAgent(app, organizer.user.email);
    const page = await bureau.get(`/targets?year=${YEAR}`).expect(200);
    expect(page.text).toContain('其中 吸纳 300 万元 · 输出 450 万元');
  });

  it('when no party is the district’s, or a party is badly given, then the contract is refused with the field named and nothing is written', async () => {
    const before = (await progress()).actual;
    const none = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ name: '外地甲公司' }, { kind: 'institution', id: farUni.id }, 900_000));
    expect(none.status).toBe(400);
    expect(none.body.errors.buyer).toContain('至少一方应为本区单位');
    const expertOnly = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ name: '外地乙公司' }, { kind: 'expert', id: expert.id }, 900_000));
    expect(expertOnly.status).toBe(400);
    const badCode = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract({ name: '外地丙公司', creditCode: '123' }, { kind: 'enterprise', id: maker.id }, 900_000));
    expect(badCode.status).toBe(400);
    expect(badCode.body.errors['buyer.creditCode']).toBeDefined();
    const noName = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract(buyer.id, { kind: 'outside', name: '' }, 900_000));
    expect(noName.status).toBe(400);
    expect(noName.body.errors['seller.name']).toBeDefined();
    const self = await request(app).post('/api/v1/contracts').set(organizer.auth).send(contract(maker.id, { kind: 'enterprise', id: maker.id }, 900_000));
    expect(self.status).toBe(400);
    expect(self.body.errors.seller).toContain('同一家企业');
    expect((await progress()).actual).toBe(before);
  });

  it('when a contract is entered on the form with a party outside the platform, then it saves and its page says so', async () => {
    const bureau = await loginAgent(app, organizer.user.email);
    const form = await bureau.get('/contracts/new').expect(200);
    expect(form.text).toContain('平台外单位（在下方填写名称）');
    const res = await bureau.post('/contracts').type('form').send({
      _csrf: csrfFrom(form.text), title: '磷石膏制品技术转让合同', type: 'transfer', buyer: buyer.id, seller: 'outside', sellerOutsideName: '中南某研究院', sellerOutsideCode: '',
      amount: '80', signedAt: `${YEAR}-07-01`,
    });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const page = await bureau.get(res.headers.location!).expect(200);
    expect(page.text).toContain('中南某研究院（平台外）');
    expect(page.text).toContain('技术吸纳');
  });
});
