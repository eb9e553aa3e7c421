import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrfFrom, loginAgent } from '../support/agent.ts';
import { owner, resultOf } from '../support/directory.ts';
import { Result } from '../../server/results/model.ts';

const { app, settle } = buildTestApp();
let inst: Awaited<ReturnType<typeof owner>>;

beforeAll(async () => {
  inst = await owner('institution', { name: '荆楚理工学院（测试）', city: '荆门市' });
});

describe('results', () => {
  it('when an institution publishes a result, then it carries its institution and the price in 元', async () => {
    const expert = await owner('expert');
    const res = await request(app)
      .post('/api/v1/results')
      .set(inst.auth)
      .send({
        title: '磷石膏基自流平砂浆制备技术',
        abstract: '以净化磷石膏为主要胶凝材料，复配缓凝剂与减水剂，制备的自流平砂浆 24 h 抗压强度≥6 MPa，已完成中试。',
        industry: 'building',
        keywords: ['磷石膏', '自流平', '砂浆'],
        maturity: 'pilot',
        transferModes: ['license'],
        askingPrice: 600_000,
        leadExpert: expert.id,
        patents: [{ number: 'ZL202210123456.7', title: '一种磷石膏基自流平砂浆' }],
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ institution: { id: inst.id, name: '荆楚理工学院（测试）' }, city: '荆门市', askingPrice: 600_000, leadExpert: { id: expert.id } });
    const page = await request(app).get(`/results/${res.body.id}`).expect(200);
    expect(page.text).toContain('60 万元');
    expect(page.text).toContain('ZL202210123456.7');
  });

  it('when the input is wrong, then each field says why', async () => {
    const res = await request(app).post('/api/v1/results').set(inst.auth).send({ title: '短', abstract: '太短', industry: 'x', keywords: [], maturity: 'done', patents: [{ number: '12' }], askingPrice: -1 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['abstract', 'askingPrice', 'industry', 'keywords', 'maturity', 'patents.0.number', 'title']);
  });

  it('when a result is a draft, then only its institution sees it', async () => {
    const draft = await resultOf(inst.actor, { draft: true });
    await settle();
    expect((await request(app).get(`/api/v1/results/${draft.id}`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/results/${draft.id}`).set(inst.auth)).status).toBe(200);
    const mine = await request(app).get('/api/v1/results?mine=1&limit=100').set(inst.auth);
    expect(mine.body.items.map((r: { id: string }) => r.id)).toContain(draft.id);
    expect((await request(app).get('/api/v1/results?limit=100')).body.items.map((r: { id: string }) => r.id)).not.toContain(draft.id);
  });

  it('when filtering by maturity and price, then the list narrows', async () => {
    const cheap = await resultOf(inst.actor, { maturity: 'industrial', askingPrice: 100_000 });
    await settle();
    const ids = async (qs: string) => (await request(app).get(`/api/v1/results?${qs}&limit=100`)).body.items.map((r: { id: string }) => r.id);
    expect(await ids('maturity=industrial&price=20')).toContain(cheap.id);
    expect(await ids('maturity=industrial&price=5')).not.toContain(cheap.id);
    expect(await ids('maturity=lab')).not.toContain(cheap.id);
  });

  it('when the form is used, then patents are one per line and the price is in 万元', async () => {
    const agent = await loginAgent(app, inst.user.email);
    const form = await agent.get('/results/new').expect(200);
    const res = await agent.post('/results').type('form').send({
      _csrf: csrfFrom(form.text),
      title: '香菇菌渣制备生物有机肥技术',
      abstract: '以香菇菌渣为主料，接种复合功能菌高温堆肥 21 天，产品有机质≥45%，有效活菌数≥0.2 亿/克，适合蔬菜与果园。',
      industry: 'agriculture',
      maturity: 'industrial',
      keywords: '香菇菌渣、有机肥、堆肥',
      transferModes: 'transfer',
      askingPrice: '35.5',
      patents: 'ZL202110765432.1 一种菌渣有机肥的制备方法\nZL202120765432.X',
      intent: 'publish',
    });
    expect(res.status).toBe(303);
    const saved = await Result.findById(res.headers.location!.split('/').pop()).lean();
    expect(saved).toMatchObject({ askingPrice: 355_000, transferModes: ['transfer'] });
    expect(saved?.patents.map((p) => p.number)).toEqual(['ZL202110765432.1', 'ZL202120765432.X']);
  });
});
