// The daily work of brokers and enterprises: the confirmed broker sees both sides' contacts of the needs they hold
// (audited); 待认领 with its columns, filters and pages; workbench counts that add up; contact requests answered by
// their addressee, never the broker; the enterprise confirms 达成意向 / 已签约 with one click on the notice and finds
// its contracts in the navigation; visitors are asked to publish a need and come back where they started; 我的需求
// with one record shows the record.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { demandOf, owner, PHONE, resultOf } from '../support/directory.ts';
import { Audit } from '../../server/audit/model.ts';
import { Match } from '../../server/matching/model.ts';
import { Notification } from '../../server/notifications/model.ts';

const { app, settle } = buildTestApp();

let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
let broker: Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let need: string;
let resultId: string;

beforeAll(async () => {
  ent = await owner('enterprise', { name: '荆门市东宝区日常对接磷化有限公司', contact: { name: '企业联系人', phone: '13972600088', email: 'qiye.daily@example.cn' } });
  inst = await owner('institution', { name: '日常对接测试大学', contact: { name: '成果联系人', phone: '13972600077', email: 'chengguo.daily@example.cn' } });
  expert = await owner('expert', { name: '李煅烧', keywords: ['磷石膏', '煅烧'], contact: { name: '李煅烧', phone: '13972600066', email: 'zhuanjia.daily@example.cn' } });
  broker = await owner('broker');
  organizer = await apiToken('organizer');
  resultId = (await resultOf(inst.actor, { title: '磷石膏低温煅烧日常对接成果', keywords: ['磷石膏', '煅烧', '建筑石膏'] })).id;
  need = (await demandOf(ent.actor, { title: '磷石膏煅烧工艺日常对接需求', keywords: ['磷石膏', '煅烧', '建筑石膏'] })).id;
  await settle();
});

const reveals = (targetId: string) => Audit.countDocuments({ action: 'contact.reveal', targetId, actorId: broker.user.id });

describe('the broker sees both sides of the needs they hold', () => {
  let resultMatch: string;

  it('when the broker claims a need and shortlists a result and an expert, then nothing is revealed until the claim is confirmed', async () => {
    await request(app).post(`/api/v1/demands/${need}/claim`).set(broker.auth).expect(204);
    resultMatch = (await request(app).post(`/api/v1/demands/${need}/matches`).set(broker.auth).send({ kind: 'result', id: resultId }).expect(201)).body.id;
    await request(app).post(`/api/v1/demands/${need}/matches`).set(broker.auth).send({ kind: 'expert', id: expert.id }).expect(201);
    const before = await request(app).get(`/api/v1/demands/${need}/pipeline`).set(broker.auth).expect(200);
    expect(before.body.demand.contact).toBeUndefined();
    expect(before.body.matches.every((m: { contact?: unknown }) => m.contact === undefined)).toBe(true);
    expect((await request(app).get(`/api/v1/results/${resultId}`).set(broker.auth).expect(200)).body.contact).toBeUndefined();
    expect((await request(app).get(`/api/v1/experts/${expert.id}`).set(broker.auth).expect(200)).body.contact).toBeUndefined();
  });

  it('when the enterprise confirms the claim, then the broker sees the enterprise, the institution and the expert, each reveal audited', async () => {
    await request(app).post(`/api/v1/demands/${need}/claim/confirm`).set(ent.auth).expect(200);
    const pipeline = await request(app).get(`/api/v1/demands/${need}/pipeline`).set(broker.auth).expect(200);
    expect(pipeline.headers['cache-control']).toContain('no-store');
    expect(pipeline.body.demand.contact.phone).toBe('13972600088');
    const byKind = Object.fromEntries(pipeline.body.matches.map((m: { candidate: { kind: string }; contact?: { phone?: string } }) => [m.candidate.kind, m.contact?.phone]));
    expect(byKind).toEqual({ result: '13972600077', expert: '13972600066' });
    expect(await reveals(ent.id)).toBeGreaterThanOrEqual(1);
    expect(await reveals(inst.id)).toBeGreaterThanOrEqual(1);
    expect(await reveals(expert.id)).toBeGreaterThanOrEqual(1);
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: inst.id, actorId: broker.user.id, detail: 'broker' })).toBeGreaterThanOrEqual(1);
    // The records' own pages too.
    expect((await request(app).get(`/api/v1/results/${resultId}`).set(broker.auth).expect(200)).body.contact.phone).toBe('13972600077');
    expect((await request(app).get(`/api/v1/experts/${expert.id}`).set(broker.auth).expect(200)).body.contact.phone).toBe('13972600066');
    // And the page.
    const page = await (await loginAgent(app, broker.user.email)).get(`/demands/${need}/pipeline`).expect(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text).toContain('企业联系方式');
    expect(page.text).toContain('13972600088');
    expect(page.text).toContain('13972600077');
    expect(page.text).toContain('13972600066');
  });

  it('when someone else looks, then the candidates stay hidden: another broker, the enterprise, a declined row', async () => {
    const other = await owner('broker');
    expect((await request(app).get(`/api/v1/results/${resultId}`).set(other.auth).expect(200)).body.contact).toBeUndefined();
    expect((await request(app).get(`/api/v1/experts/${expert.id}`).set(other.auth).expect(200)).body.contact).toBeUndefined();
    // The enterprise reads its pipeline without the counterparts' contacts (those come with an accepted request).
    const own = await request(app).get(`/api/v1/demands/${need}/pipeline`).set(ent.auth).expect(200);
    expect(own.body.matches.every((m: { contact?: unknown }) => m.contact === undefined)).toBe(true);
    // A row the broker declined reveals nothing any more.
    const lone = await owner('institution', { name: '未成测试学院' });
    const loneResult = (await resultOf(lone.actor, { title: '磷石膏煅烧未成成果', keywords: ['磷石膏', '煅烧'] })).id;
    const row = (await request(app).post(`/api/v1/demands/${need}/matches`).set(broker.auth).send({ kind: 'result', id: loneResult }).expect(201)).body.id;
    expect((await request(app).get(`/api/v1/results/${loneResult}`).set(broker.auth).expect(200)).body.contact.phone).toBe(PHONE);
    await request(app).post(`/api/v1/matches/${row}/status`).set(broker.auth).send({ status: 'declined', reason: 'price' }).expect(200);
    expect((await request(app).get(`/api/v1/results/${loneResult}`).set(broker.auth).expect(200)).body.contact).toBeUndefined();
    void resultMatch;
  });
});

describe('contact requests are answered by their addressee', () => {
  it("when an enterprise asks an expert about its need, then the need's broker sees it and may nudge, but answering is 403; the expert answers", async () => {
    const asker = await owner('enterprise');
    const own = (await demandOf(asker.actor, { title: '请专家把脉的需求' })).id;
    await request(app).put(`/api/v1/demands/${own}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
    const asked = await request(app).post('/api/v1/contact-requests').set(asker.auth).send({ kind: 'expert', id: expert.id, demand: own }).expect(201);
    const listed = await request(app).get('/api/v1/contact-requests').set(broker.auth).expect(200);
    const seen = listed.body.received.find((r: { id: string }) => r.id === asked.body.id);
    expect(seen).toMatchObject({ canAnswer: false, canNudge: true, status: 'pending' });
    const refused = await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(broker.auth).send({ accept: true });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('经纪人不能代为答复');

    const agent = await loginAgent(app, broker.user.email);
    const inbox = await agent.get('/contact-requests').expect(200);
    expect(inbox.text).not.toContain(`action="/contact-requests/${asked.body.id}/answer"`);
    expect(inbox.text).toContain(`action="/contact-requests/${asked.body.id}/nudge"`);
    await agent.post(`/contact-requests/${asked.body.id}/nudge`).type('form').send({ _csrf: csrfFrom(inbox.text) }).expect(303);
    const told = await Notification.find({ user: expert.user.id }).lean();
    expect(told.filter((n) => n.title.startsWith('提醒')).length).toBe(1);
    // A broker's form post is refused as well.
    expect((await agent.post(`/contact-requests/${asked.body.id}/answer`).type('form').send({ _csrf: csrfFrom(inbox.text), decision: 'accept' })).status).toBe(403);

    await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(expert.auth).send({ accept: true }).expect(200);
  });

  it("when an enterprise asks about an institution's result, then the institution or an organizer answers, not the broker", async () => {
    const asker = await owner('enterprise');
    const own = (await demandOf(asker.actor, { title: '请成果单位答复的需求' })).id;
    await request(app).put(`/api/v1/demands/${own}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
    const asked = await request(app).post('/api/v1/contact-requests').set(asker.auth).send({ kind: 'result', id: resultId, demand: own }).expect(201);
    expect((await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(broker.auth).send({ accept: false })).status).toBe(403);
    await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(organizer.auth).send({ accept: false, answer: '成果单位暂不对外' }).expect(200);
  });
});

describe('the enterprise confirms the steps its broker records', () => {
  it('when the broker records 达成意向, then the enterprise confirms it with one click on the notice and the pipeline shows 企业已确认', async () => {
    const m = await Match.findOne({ demand: need, candidateKind: 'result' }).lean();
    const id = String(m!._id);
    for (const status of ['contacted', 'meeting', 'intention']) await request(app).post(`/api/v1/matches/${id}/status`).set(broker.auth).send({ status }).expect(200);
    const notice = await Notification.findOne({ user: ent.user.id, 'action.href': `/matches/${id}/confirm/intention` }).lean();
    expect(notice?.action?.label).toBe('确认达成意向');
    // The institution's notice carries no such button.
    expect(await Notification.countDocuments({ user: inst.user.id, 'action.href': `/matches/${id}/confirm/intention` })).toBe(0);

    // The broker, or anyone but the enterprise, cannot confirm.
    expect((await request(app).post(`/api/v1/matches/${id}/confirm`).set(broker.auth).send({ stage: 'intention' })).status).toBe(403);
    expect((await request(app).post(`/api/v1/matches/${id}/confirm`).set((await owner('enterprise')).auth).send({ stage: 'intention' })).status).toBe(404);
    expect((await request(app).post(`/api/v1/matches/${id}/confirm`).set(ent.auth).send({ stage: 'contracted' })).status).toBe(409); // not recorded yet

    const agent = await loginAgent(app, ent.user.email);
    const list = await agent.get('/notifications').expect(200);
    expect(list.text).toContain(`action="/matches/${id}/confirm/intention"`);
    const confirmed = await agent.post(`/matches/${id}/confirm/intention`).type('form').send({ _csrf: csrfFrom(list.text), back: '/notifications' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toBe('/notifications');
    const step = (await Match.findById(id).lean())!.history.find((h) => h.to === 'intention')!;
    expect(step.confirmedAt).toBeInstanceOf(Date);
    expect(step.confirmedBy).toBe(ent.user.id);
    expect((await request(app).post(`/api/v1/matches/${id}/confirm`).set(ent.auth).send({ stage: 'intention' })).status).toBe(409); // once
    expect(await Audit.countDocuments({ action: 'match.confirm', targetId: id })).toBe(1);
    const page = await (await loginAgent(app, broker.user.email)).get(`/demands/${need}/pipeline`).expect(200);
    expect(page.text).toContain('企业已确认');

    // 签约 recorded by the broker: confirmed through the API this time.
    await request(app).post(`/api/v1/matches/${id}/status`).set(broker.auth).send({ status: 'contracted' }).expect(200);
    expect(await Notification.countDocuments({ user: ent.user.id, 'action.href': `/matches/${id}/confirm/contracted` })).toBe(1);
    const body = (await request(app).post(`/api/v1/matches/${id}/confirm`).set(ent.auth).send({ stage: 'contracted' }).expect(200)).body;
    expect(body.history.find((h: { to: string }) => h.to === 'contracted').confirmedAt).toBeTruthy();
    expect(body.toConfirm).toBeUndefined();
  });

  it("when the enterprise signs in, then 我的合同 is in its navigation and lists the contracts it is a party to", async () => {
    const agent = await loginAgent(app, ent.user.email);
    const home = await agent.get('/').expect(200);
    expect(home.text).toMatch(/<a href="\/contracts">我的合同/);
    await agent.get('/contracts').expect(200);
  });
});

describe("the broker's workbench", () => {
  it('when needs wait for a broker, then 待认领 shows budget, deadline, industry, town and best score, filters and pages them', async () => {
    const shop = await owner('enterprise', { town: 'lixi', industry: 'building' });
    const titles: string[] = [];
    for (let i = 0; i < 12; i++) {
      const title = `待认领新材料需求${i}`;
      titles.push(title);
      await demandOf(shop.actor, { title, industry: 'building', keywords: ['磷石膏', '煅烧'], budgetMin: (i + 1) * 100_000, budgetMax: (i + 1) * 200_000, deadline: '2027-06-30' });
    }
    await settle();
    const q = { industry: 'building', town: 'lixi' };
    const first = await request(app).get('/api/v1/broker/queue').query({ ...q, sort: 'budget' }).set(broker.auth).expect(200);
    expect(first.body.unassigned).toMatchObject({ total: 12, capped: false, page: 1, limit: 10 });
    expect(first.body.unassigned.items).toHaveLength(10);
    expect(first.body.unassigned.items[0]).toMatchObject({ title: '待认领新材料需求11', industry: 'building', town: 'lixi', budgetMin: 1_200_000, budgetMax: 2_400_000, deadline: '2027-06-30' });
    expect(typeof first.body.unassigned.items[0].bestScore).toBe('number');
    const second = await request(app).get('/api/v1/broker/queue').query({ ...q, sort: 'budget', page: '2' }).set(broker.auth).expect(200);
    expect(second.body.unassigned.items.map((n: { title: string }) => n.title)).toEqual(['待认领新材料需求1', '待认领新材料需求0']);
    // A budget range in 万元: needs whose range meets 30–50 万元 (upper ≥ 30, lower ≤ 50).
    const ranged = await request(app).get('/api/v1/broker/queue').query({ ...q, budgetMin: '30', budgetMax: '50' }).set(broker.auth).expect(200);
    expect(ranged.body.unassigned.items.map((n: { title: string }) => n.title).sort()).toEqual(['待认领新材料需求1', '待认领新材料需求2', '待认领新材料需求3', '待认领新材料需求4'].sort());

    const page = await (await loginAgent(app, broker.user.email)).get('/broker?industry=building&town=lixi').expect(200);
    expect(page.text).toContain('待认领的需求');
    for (const heading of ['行业', '乡镇', '预算', '截止日期', '最高匹配度']) expect(page.text).toContain(`<th scope="col">${heading}</th>`);
    expect(page.text).toContain('共 12 项尚无经纪人负责的需求');
    expect(page.text).toContain('rel="next"');
  });

  it('when the broker opens the workbench, then the totals of every stage add up to the rows', async () => {
    const body = (await request(app).get('/api/v1/broker/queue').set(broker.auth).expect(200)).body;
    const rows = body.needs.reduce((sum: number, n: { total: number }) => sum + n.total, 0);
    expect(body.totals.rows).toBe(rows);
    expect(body.totals.stages.reduce((sum: number, s: { count: number }) => sum + s.count, 0)).toBe(rows);
    expect(body.totals.stages.map((s: { status: string }) => s.status)).toEqual(expect.arrayContaining(['contracted', 'declined', 'shortlisted']));
  });

  it('when a need has more than ten suggestions, then the pipeline shows ten and collapses the rest', async () => {
    const lab = await owner('institution', { name: '推荐折叠测试研究院' });
    for (let i = 0; i < 12; i++) await resultOf(lab.actor, { title: `磷石膏煅烧建筑石膏成果${i}`, keywords: ['磷石膏', '煅烧', '建筑石膏'] });
    await settle();
    const page = await (await loginAgent(app, broker.user.email)).get(`/demands/${need}/pipeline`).expect(200);
    const suggestions = page.text.slice(page.text.indexOf('<h2>系统推荐</h2>'));
    const before = suggestions.slice(0, suggestions.indexOf('<details class="more-suggestions">'));
    expect(suggestions).toContain('<details class="more-suggestions">');
    expect(before.match(/name="candidate"/g)).toHaveLength(10);
  });
});

describe('enterprises and visitors', () => {
  it('when a visitor opens /demands or the home page, then 发布技术需求 leads to registration and back to where they started', async () => {
    const cta = (html: string) => {
      const href = /<a href="(\/register\?[^"]*)" role="button">发布技术需求<\/a>/.exec(html)?.[1];
      const url = new URL(href!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='), 'http://localhost');
      return { role: url.searchParams.get('role'), next: url.searchParams.get('next') };
    };
    expect(cta((await request(app).get('/demands?industry=chemicals').expect(200)).text)).toEqual({ role: 'enterprise', next: '/demands?industry=chemicals' });
    expect(cta((await request(app).get('/').expect(200)).text)).toEqual({ role: 'enterprise', next: '/' });

    const visitor = request.agent(app);
    const form = await visitor.get('/register?role=enterprise&next=%2Fdemands%3Findustry%3Dchemicals').expect(200);
    expect(form.text).toContain('name="next" value="/demands?industry&#x3D;chemicals"');
    const email = uniqueEmail('cta');
    const done = await visitor
      .post('/register')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), role: 'enterprise', name: '东宝区回到原处测试有限公司', email, password: PASSWORD, passwordConfirm: PASSWORD, next: '/demands?industry=chemicals' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/demands?industry=chemicals');
    const back = await visitor.get('/demands?industry=chemicals').expect(200);
    expect(back.text).toContain('注册成功');
    expect(back.text).not.toContain('href="/register?role=enterprise');

    // Only a same-site path: anything else lands on the account page.
    const other = request.agent(app);
    const form2 = await other.get('/register?next=//evil.example').expect(200);
    expect(form2.text).not.toContain('evil.example');
    const r2 = await other.post('/register').type('form').send({ _csrf: csrfFrom(form2.text), role: 'enterprise', name: '东宝区跳转测试有限公司', email: uniqueEmail('cta'), password: PASSWORD, passwordConfirm: PASSWORD, next: 'https://evil.example/' });
    expect(r2.headers.location).toBe('/account');
  });

  it('when an enterprise with one need opens 我的需求, then the need is shown instead of the filters', async () => {
    const solo = await owner('enterprise');
    const id = (await demandOf(solo.actor, { title: '唯一一项技术需求' })).id;
    await settle();
    const agent = await loginAgent(app, solo.user.email);
    const page = await agent.get('/demands?mine=1').expect(200);
    expect(page.text).toContain('唯一一项技术需求');
    expect(page.text).toContain(`href="/demands/${id}/pipeline"`);
    expect(page.text).not.toContain('class="filters"');
    // A second one: the list with its filters again.
    await demandOf(solo.actor, { title: '第二项技术需求' });
    await settle();
    expect((await agent.get('/demands?mine=1').expect(200)).text).toContain('class="filters"');
  });
});
