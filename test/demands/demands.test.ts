import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { demandOf, owner, PHONE } from '../support/directory.ts';
import { Demand } from '../../server/demands/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { assignBroker } from '../../server/demands/service.ts';

const { app, settle } = buildTestApp();

let ent: Awaited<ReturnType<typeof owner>>;
let broker: Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;

beforeAll(async () => {
  ent = await owner('enterprise', { name: '荆门市东宝区测试磷化有限公司', town: 'shiqiaoyi' });
  broker = await owner('broker');
  organizer = await apiToken('organizer');
});

const newDemand = {
  title: '磷石膏制备建筑石膏粉工艺优化',
  description: '我公司年产磷石膏 80 万吨，现用煅烧工艺制得的建筑石膏粉初凝时间不稳定，强度波动大，希望引进稳定的净化与煅烧工艺。',
  industry: 'chemicals',
  keywords: ['磷石膏', '建筑石膏', '煅烧'],
  cooperationModes: ['joint-development', 'transfer'],
  budgetMin: 500_000,
  budgetMax: 1_500_000,
  deadline: '2027-06-30',
};

describe('posting a need', () => {
  it('when an enterprise posts through the API, then it is published under its own enterprise with budgets in 元', async () => {
    const res = await request(app).post('/api/v1/demands').set(ent.auth).send(newDemand);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/demands/${res.body.id}`);
    expect(res.body).toMatchObject({
      status: 'published',
      enterprise: { id: ent.id, name: '荆门市东宝区测试磷化有限公司' },
      town: 'shiqiaoyi',
      budgetMin: 500_000,
      budgetMax: 1_500_000,
    });
    expect(res.body.deadline).toBe('2027-06-30'); // a calendar date (stored as midnight in Asia/Shanghai)
  });

  it('when the input is wrong, then each field gets its own message and nothing is written', async () => {
    const before = await Demand.countDocuments();
    const res = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ ...newDemand, title: '短', industry: 'mining', keywords: Array.from({ length: 11 }, (_, i) => `词${i}`), budgetMin: 2_000_000, budgetMax: 1_000_000, deadline: '明年' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(Object.keys(res.body.errors).sort()).toEqual(['budgetMax', 'deadline', 'industry', 'keywords', 'title']);
    expect(res.body.errors.budgetMax).toContain('不能低于下限');
    expect(await Demand.countDocuments()).toBe(before);
  });

  it('when status, enterprise of someone else or owner are posted, then the request is refused', async () => {
    const other = await owner('enterprise');
    const sneaky = await request(app).post('/api/v1/demands').set(ent.auth).send({ ...newDemand, status: 'contracted' });
    expect(sneaky.status).toBe(400);
    const foreign = await request(app).post('/api/v1/demands').set(ent.auth).send({ ...newDemand, enterprise: other.id });
    expect(foreign.status).toBe(403);
    const owned = await request(app).post('/api/v1/demands').set(ent.auth).send({ ...newDemand, owner: 'x', verified: true });
    expect(owned.status).toBe(400);
  });

  it('when an organizer posts, then the enterprise is required and used', async () => {
    const missing = await request(app).post('/api/v1/demands').set(organizer.auth).send(newDemand);
    expect(missing.status).toBe(400);
    expect(missing.body.errors.enterprise).toBeDefined();
    const ok = await request(app).post('/api/v1/demands').set(organizer.auth).send({ ...newDemand, enterprise: ent.id });
    expect(ok.status).toBe(201);
    expect(ok.body.enterprise.id).toBe(ent.id);
  });

  it('when an expert or a broker tries to post, then it is refused', async () => {
    const expert = await owner('expert');
    expect((await request(app).post('/api/v1/demands').set(expert.auth).send(newDemand)).status).toBe(403);
    expect((await request(app).post('/api/v1/demands').set(broker.auth).send(newDemand)).status).toBe(403);
  });
});

describe('who sees a need', () => {
  it('when a need is a draft, then only its parties see it', async () => {
    const draft = await demandOf(ent.actor, { draft: true });
    expect(draft.status).toBe('draft');
    await settle();
    expect((await request(app).get(`/api/v1/demands/${draft.id}`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/demands/${draft.id}`).set(broker.auth)).status).toBe(404);
    expect((await request(app).get(`/api/v1/demands/${draft.id}`).set(ent.auth)).status).toBe(200);
    const list = await request(app).get('/api/v1/demands?limit=100');
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(draft.id);
    const mine = await request(app).get('/api/v1/demands?mine=1&limit=100').set(ent.auth);
    expect(mine.body.items.map((d: { id: string }) => d.id)).toContain(draft.id);
  });

  it('when a need is for members only, then visitors are asked to log in', async () => {
    const members = await demandOf(ent.actor, { visibility: 'members' });
    expect((await request(app).get(`/api/v1/demands/${members.id}`)).status).toBe(401);
    expect((await request(app).get(`/api/v1/demands/${members.id}`).set(broker.auth)).status).toBe(200);
    const page = await request(app).get(`/demands/${members.id}`);
    expect(page.status).toBe(401);
    expect(page.text).toContain('仅对注册用户公开');
  });

  it("when the enterprise's contact is asked for, then only the owner, organizers and the assigned broker see it, and reveals are audited", async () => {
    const d = await demandOf(ent.actor);
    const anon = await request(app).get(`/api/v1/demands/${d.id}`);
    expect(anon.body.contact).toBeUndefined();
    expect(JSON.stringify(anon.body)).not.toContain(PHONE);
    expect((await request(app).get(`/api/v1/demands/${d.id}`).set(broker.auth)).body.contact).toBeUndefined();
    expect((await request(app).get(`/api/v1/demands/${d.id}`).set(ent.auth)).body.contact.phone).toBe(PHONE);

    const before = await Audit.countDocuments({ action: 'contact.reveal', targetId: ent.id });
    expect((await request(app).get(`/api/v1/demands/${d.id}`).set(organizer.auth)).body.contact.phone).toBe(PHONE);
    await assignBroker(organizer.user, d.id, broker.id);
    const asBroker = await request(app).get(`/api/v1/demands/${d.id}`).set(broker.auth);
    expect(asBroker.body.contact.phone).toBe(PHONE);
    expect(asBroker.headers['cache-control']).toContain('no-store');
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: ent.id })).toBe(before + 2);

    // The page too: the contact shows for the broker, and not for a visitor.
    const agent = await loginAgent(app, broker.user.email);
    const page = await agent.get(`/demands/${d.id}`).expect(200);
    expect(page.text).toContain(PHONE);
    expect(page.headers['cache-control']).toContain('no-store');
    expect((await request(app).get(`/demands/${d.id}`)).text).not.toContain(PHONE);
  });
});

describe('workflow', () => {
  it('when a need moves through the workflow, then allowed steps work, others are refused with 409, and history is kept', async () => {
    const d = await demandOf(ent.actor);
    const step = (auth: Record<string, string>, status: string, note?: string) =>
      request(app).post(`/api/v1/demands/${d.id}/status`).set(auth).send({ status, note });
    // The enterprise cannot sign a contract on its own, nor jump from published to negotiating.
    expect((await step(ent.auth, 'contracted')).status).toBe(409);
    const jump = await step(ent.auth, 'negotiating');
    expect(jump.status).toBe(409);
    expect(jump.body.detail).toContain('“已发布”，不能变更为“洽谈中”');
    // A broker who is not assigned has no say.
    expect((await step(broker.auth, 'matching')).status).toBe(403);
    await assignBroker(organizer.user, d.id, broker.id);
    expect((await step(broker.auth, 'matching', '已梳理需求')).status).toBe(200);
    expect((await step(broker.auth, 'negotiating', '双方已见面')).status).toBe(200);
    const signed = await step(broker.auth, 'contracted', '合同已签订');
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('contracted');
    expect(signed.body.history.map((h: { to: string }) => h.to)).toEqual(['published', 'matching', 'negotiating', 'contracted']);
    expect(signed.body.history[3].note).toBe('合同已签订');
    // Contracted is final: no edits, no further steps.
    expect((await step(ent.auth, 'closed')).status).toBe(409);
    expect((await request(app).patch(`/api/v1/demands/${d.id}`).set(ent.auth).send({ title: '改一个新的名字吧' })).status).toBe(403);
    expect((await step(ent.auth, 'published' as string)).status).toBe(409);
    expect((await request(app).post(`/api/v1/demands/${d.id}/status`).set(ent.auth).send({ status: 'finished' })).status).toBe(400);
  });

  it('when the owner closes and reopens a need, then both are recorded', async () => {
    const d = await demandOf(ent.actor);
    await request(app).post(`/api/v1/demands/${d.id}/status`).set(ent.auth).send({ status: 'closed', note: '已自行解决' }).expect(200);
    const reopened = await request(app).post(`/api/v1/demands/${d.id}/status`).set(ent.auth).send({ status: 'published' }).expect(200);
    expect(reopened.body.history.map((h: { to: string }) => h.to)).toEqual(['published', 'closed', 'published']);
  });

  it('when two parties change the status at once, then no change is lost: the history is one unbroken chain, and a loser is told', async () => {
    for (let round = 0; round < 8; round++) {
      const d = await demandOf(ent.actor);
      await assignBroker(organizer.user, d.id, broker.id);
      const answers = await Promise.all([
        request(app).post(`/api/v1/demands/${d.id}/status`).set(broker.auth).send({ status: 'matching' }),
        request(app).post(`/api/v1/demands/${d.id}/status`).set(ent.auth).send({ status: 'closed' }),
      ]);
      const ok = answers.filter((r) => r.status === 200).length;
      expect(answers.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      const history = (await Demand.findById(d.id).lean())!.statusHistory;
      // Both may succeed one after the other (published → matching → closed), never both from "published".
      expect(history).toHaveLength(1 + ok);
      for (let i = 1; i < history.length; i++) expect(history[i]!.from).toBe(history[i - 1]!.to);
    }
  });
});

describe('clarification', () => {
  it('when the need is clarified, then the completeness score rises and tells the owner what is still missing', async () => {
    const d = await demandOf(ent.actor, { keywords: ['磷石膏'], budgetMin: undefined, budgetMax: undefined });
    const before = await request(app).get(`/api/v1/demands/${d.id}`).set(ent.auth);
    expect(before.body.completeness.missing).toEqual(expect.arrayContaining(['至少 3 个关键词', '预算范围', '关键技术指标（要达到的具体数值）']));
    await assignBroker(organizer.user, d.id, broker.id);
    const res = await request(app)
      .put(`/api/v1/demands/${d.id}/clarification`)
      .set(broker.auth)
      .send({ indicator: '综合利用率≥70%，制品抗压强度≥15 MPa', bottleneck: '可溶磷、氟杂质波动大', targetMaturity: 'pilot' });
    expect(res.status).toBe(200);
    expect(res.body.completeness.score).toBe(before.body.completeness.score + 35);
    expect(res.body.clarification.updatedByName).toBe(broker.user.name);
    // Visitors see the indicator but not what is stuck, nor the score.
    const anon = await request(app).get(`/api/v1/demands/${d.id}`);
    expect(anon.body.clarification.indicator).toContain('综合利用率');
    expect(anon.body.clarification.bottleneck).toBeUndefined();
    expect(anon.body.completeness).toBeUndefined();
    // The assigned broker clarifies but does not rewrite the need itself.
    expect((await request(app).patch(`/api/v1/demands/${d.id}`).set(broker.auth).send({ title: '经纪人改的标题内容' })).status).toBe(403);
    const bad = await request(app).put(`/api/v1/demands/${d.id}/clarification`).set(broker.auth).send({ targetMaturity: 'ready' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.targetMaturity).toBeDefined();
  });
});

describe('lists', () => {
  it('when filtering, then industry, town, budget, keyword, jiebang and paging narrow the list in the documented shape', async () => {
    const agri = await owner('enterprise', { industry: 'agriculture', town: 'lixi' });
    const mushroom = await demandOf(agri.actor, {
      title: '香菇菌棒污染率控制技术需求',
      industry: 'agriculture',
      keywords: ['香菇', '菌棒', '污染率'],
      budgetMin: 50_000,
      budgetMax: 200_000,
      jiebang: true,
    });
    await settle();
    const byIndustry = (await request(app).get('/api/v1/demands?industry=agriculture&limit=100')).body;
    expect(byIndustry.items.map((d: { id: string }) => d.id)).toContain(mushroom.id);
    expect(byIndustry.items.every((d: { industry: string }) => d.industry === 'agriculture')).toBe(true);
    expect((await request(app).get('/api/v1/demands?town=lixi&limit=100')).body.items.every((d: { town: string }) => d.town === 'lixi')).toBe(true);
    // It offers up to 20 万元: a filter of at least 10 万元 keeps it, at least 100 万元 drops it.
    const ids = async (qs: string) => (await request(app).get(`/api/v1/demands?${qs}&limit=100`)).body.items.map((d: { id: string }) => d.id);
    expect(await ids('budget=10')).toContain(mushroom.id);
    expect(await ids('budget=100')).not.toContain(mushroom.id);
    expect(await ids('q=菌棒')).toEqual([mushroom.id]);
    expect(await ids('jiebang=1')).toContain(mushroom.id);
    expect(await ids('industry=chemicals&q=菌棒')).toEqual([]);

    const page = (await request(app).get('/api/v1/demands?limit=2&page=2')).body;
    expect(page).toMatchObject({ page: 2, limit: 2 });
    expect(page.items.length).toBeLessThanOrEqual(2);
    expect(page.total).toBeGreaterThan(2);
    expect((await request(app).get('/api/v1/demands?limit=1000')).body.limit).toBe(20); // over the cap falls back
  });

  it('when the list page is viewed, then filters, cards and pagination render; the empty state is friendly', async () => {
    await settle();
    const page = await request(app).get('/demands?industry=chemicals').expect(200);
    expect(page.text).toContain('需求大厅');
    expect(page.text).toContain('<option value="chemicals" selected>磷化工与新材料</option>');
    expect(page.text).toContain('荆门市东宝区测试磷化有限公司');
    const none = await request(app).get('/demands?q=不存在的需求关键词').expect(200);
    expect(none.text).toContain('没有符合条件的技术需求');
  });
});

describe('pages', () => {
  it('when an enterprise posts through the form with mistakes, then each message shows next to its field; a good form publishes', async () => {
    const agent = await loginAgent(app, ent.user.email);
    const form = await agent.get('/demands/new').expect(200);
    expect(form.text).toContain('需求名称'); // labels render
    const bad = await agent.post('/demands').type('form').send({ _csrf: csrfFrom(form.text), title: '短', description: '太短', industry: '', keywords: '', budgetMin: '50', budgetMax: '10', intent: 'publish' });
    expect(bad.status).toBe(400);
    for (const field of ['title', 'description', 'industry', 'keywords', 'budgetMax']) expect(bad.text).toMatch(new RegExp(`id="e-${field}"`));
    expect(bad.text).toContain('value="50"'); // what was typed stays
    const good = await agent.post('/demands').type('form').send({
      _csrf: csrfFrom(form.text),
      title: '复合肥防结块工艺改进需求',
      description: '公司复合肥产品在夏季仓储期间结块严重，客户投诉较多，希望改进包膜工艺与防结块剂配方，结块率降低到 1% 以下。',
      industry: 'chemicals',
      keywords: '复合肥、防结块、包膜',
      cooperationModes: ['commissioned-development', 'consulting'],
      budgetMin: '20',
      budgetMax: '50',
      intent: 'publish',
      visibility: 'public',
    });
    expect(good.status).toBe(303);
    const id = good.headers.location!.split('/').pop();
    const saved = await Demand.findById(id).lean();
    expect(saved).toMatchObject({ budgetMin: 200_000, budgetMax: 500_000, status: 'published', keywords: ['复合肥', '防结块', '包膜'] });
    const shown = await agent.get(`/demands/${id}`).expect(200);
    expect(shown.text).toContain('20 万元 – 50 万元');
    expect(shown.text).toContain('完整度');
  });

  it('when free text carries markup, then every page shows it escaped', async () => {
    const evil = '<script>alert(1)</script>" onmouseover="alert(2)';
    const d = await demandOf(ent.actor, { title: `需求${evil}`, description: `描述${evil}描述描述描述描述描述描述描述描述`, keywords: [evil.slice(0, 20), '磷石膏', '综合'] });
    await settle();
    for (const path of [`/demands/${d.id}`, '/demands?q=alert', `/enterprises/${ent.id}`]) {
      const res = await request(app).get(path).expect(200);
      expect(res.text, path).not.toContain('<script>alert');
      expect(res.text, path).not.toContain('" onmouseover="');
      expect(res.text, path).toContain('&lt;script&gt;');
    }
  });
});
