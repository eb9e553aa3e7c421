// Issue 15: verifying a contract offers its registration (认定登记号, 登记日期) in the same step. Verified and
// registered, it counts in its registration year; verified without registration it says "已核实，待登记后计入" and
// the figure does not move; a registration number belongs to one contract only.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';

const { app } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let broker: Awaited<ReturnType<typeof owner>>;
let buyer: Awaited<ReturnType<typeof owner>>;
let seller: Awaited<ReturnType<typeof owner>>;
const YEAR = 2014; // apart from anything dated today

beforeAll(async () => {
  organizer = await apiToken('organizer');
  broker = await owner('broker');
  buyer = await owner('enterprise');
  seller = await owner('institution');
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: YEAR, value: 10_000_000, scope: 'district' }).expect(201);
});

const actual = async () =>
  (await request(app).get('/api/v1/targets/progress').set(organizer.auth).query({ year: YEAR, indicator: 'contract-value', scope: 'district' }).expect(200)).body.items[0].actual as number;

async function brokersContract(title: string, amount: number) {
  const res = await request(app)
    .post('/api/v1/contracts')
    .set(broker.auth)
    .send({ title, type: 'development', buyer: buyer.id, seller: { kind: 'institution', id: seller.id }, amount, signedAt: `${YEAR}-03-01` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.verified).toBe(false);
  return res.body.id as string;
}

describe('verifying contracts', () => {
  it('when the bureau verifies a contract without its registration, then it says it waits for registration and the figure does not move', async () => {
    const before = await actual();
    const id = await brokersContract('磷石膏制品技术开发合同（未登记）', 2_000_000);
    const bureau = await loginAgent(app, organizer.user.email);
    const page = await bureau.get(`/contracts/${id}`).expect(200);
    expect(page.text).toContain('认定登记号');
    const res = await bureau.post(`/contracts/${id}/verify`).type('form').send({ _csrf: csrfFrom(page.text), registrationNumber: '', registrationDate: '' });
    expect(res.status).toBe(303);
    const after = await bureau.get(`/contracts/${id}`).expect(200);
    expect(after.text).toContain('尚未登记：登记后计入技术合同成交额');
    expect(after.text).toContain('已核实，待登记后计入');
    expect(after.text).not.toContain('计入目标</span>');
    expect(await actual()).toBe(before);
    // Registered later by an edit, it counts.
    await request(app).patch(`/api/v1/contracts/${id}`).set(organizer.auth).send({ registration: { number: `${YEAR}420500000301`, date: `${YEAR}-04-01` } }).expect(200);
    expect(await actual()).toBe(before + 2_000_000);
  });

  it('when the bureau verifies with the registration number and date, then the contract counts in its registration year at once', async () => {
    const before = await actual();
    const id = await brokersContract('磷石膏制品技术开发合同（核实时登记）', 3_000_000);
    const res = await request(app).post(`/api/v1/contracts/${id}/verify`).set(organizer.auth).send({ registration: { number: `${YEAR}420500000302`, date: `${YEAR}年4月2日` } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ verified: true, registeredYear: YEAR, registration: { number: `${YEAR}420500000302`, date: `${YEAR}-04-02` } });
    expect(await actual()).toBe(before + 3_000_000);
  });

  it('when the registration given at verification is incomplete, taken by another contract or before the signing, then nothing is verified and the reason names the field', async () => {
    const id = await brokersContract('磷石膏制品技术开发合同（登记有误）', 1_000_000);
    const half = await request(app).post(`/api/v1/contracts/${id}/verify`).set(organizer.auth).send({ registration: { number: `${YEAR}420500000303` } });
    expect(half.status).toBe(400);
    expect(half.body.errors['registration.date']).toContain('请同时填写登记日期');
    const taken = await request(app).post(`/api/v1/contracts/${id}/verify`).set(organizer.auth).send({ registration: { number: `${YEAR}420500000302`, date: `${YEAR}-04-03` } });
    expect(taken.status).toBe(400);
    expect(taken.body.errors['registration.number']).toContain('磷石膏制品技术开发合同（核实时登记）');
    const early = await request(app).post(`/api/v1/contracts/${id}/verify`).set(organizer.auth).send({ registration: { number: `${YEAR}420500000304`, date: `${YEAR}-01-01` } });
    expect(early.status).toBe(400);
    expect(early.body.errors['registration.date']).toContain('不能早于签订日期');
    expect((await request(app).get(`/api/v1/contracts/${id}`).set(organizer.auth).expect(200)).body.verified).toBe(false);
  });
});
