// Issue 6, "Done when": a need from publication through matches, shortlist, contact, meeting and intention;
// declines with a reason the other side sees; the broker's override; overdue reminders; contact requests that
// reveal both sides on acceptance; notifications with an unread count.
import mongoose from 'mongoose';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { demandOf, owner, PHONE, resultOf } from '../support/directory.ts';
import { Demand } from '../../server/demands/model.ts';
import { Match } from '../../server/matching/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { remindOverdue } from '../../server/matching/service.ts';
import { clock } from '../../server/platform/clock.ts';

const { app, settle } = buildTestApp();

let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let broker: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let demandId: string;
let resultId: string;
let otherResultId: string;

beforeAll(async () => {
  ent = await owner('enterprise', { name: '荆门市东宝区磷石膏建材有限公司', town: 'shiqiaoyi' });
  inst = await owner('institution', { name: '武汉理工大学（测试）', city: '武汉市' });
  broker = await owner('broker');
  expert = await owner('expert', { name: '王石膏', keywords: ['磷石膏', '建筑石膏', '煅烧'], bio: '研究磷石膏煅烧制建筑石膏二十年。', availableForVisits: true });
  organizer = await apiToken('organizer');
  resultId = (await resultOf(inst.actor, { title: '磷石膏低温煅烧制建筑石膏粉', keywords: ['磷石膏', '建筑石膏', '煅烧'], maturity: 'industrial', askingPrice: 600_000 })).id;
  otherResultId = (await resultOf(inst.actor, { title: '磷石膏制备α型高强石膏', keywords: ['磷石膏', '高强石膏'], maturity: 'pilot' })).id;
  demandId = (
    await demandOf(ent.actor, {
      title: '磷石膏制建筑石膏粉工艺改进',
      keywords: ['磷石膏', '建筑石膏', '煅烧'],
      cooperationModes: ['transfer'],
      budgetMin: 500_000,
      budgetMax: 1_000_000,
    })
  ).id;
  await settle();
});

describe('a need from publication to intention', () => {
  it('when the need is published, then its matches come with scores and reasons, for results and experts', async () => {
    const results = await request(app).get(`/api/v1/demands/${demandId}/matches`).query({ kind: 'result', limit: '5' }).expect(200);
    expect(results.body.items[0]).toMatchObject({ kind: 'result', id: resultId, title: '磷石膏低温煅烧制建筑石膏粉' });
    expect(results.body.items[0].score).toBeGreaterThanOrEqual(70);
    expect(results.body.items[0].score).toBeLessThanOrEqual(100);
    expect(results.body.items[0].reasons).toEqual(expect.arrayContaining(['关键词重合：磷石膏、建筑石膏、煅烧', '成熟度：产业化，满足需求', '报价 60 万元，在预算内']));
    const experts = await request(app).get(`/api/v1/demands/${demandId}/matches`).query({ kind: 'expert' }).expect(200);
    expect(experts.body.items.map((i: { id: string }) => i.id)).toContain(expert.id);
    expect(experts.body.items.find((i: { id: string }) => i.id === expert.id).reasons).toContain('可参加“专家东宝行”到企业走访');
    // And the reverse: the result page's candidate needs.
    const needs = await request(app).get(`/api/v1/results/${resultId}/matches`).expect(200);
    expect(needs.body.items.map((i: { id: string }) => i.id)).toContain(demandId);
    // The need page shows them.
    const page = await request(app).get(`/demands/${demandId}`).expect(200);
    expect(page.text).toContain('匹配的科技成果');
    expect(page.text).toContain('报价 60 万元，在预算内');
  });

  it('when a broker claims the need and works the pipeline, then each step is recorded, the need follows, and both sides are told', async () => {
    await request(app).post(`/api/v1/demands/${demandId}/claim`).set(broker.auth).expect(204);
    const other = await owner('broker');
    expect((await request(app).post(`/api/v1/demands/${demandId}/claim`).set(other.auth)).status).toBe(409);

    // The enterprise reads the pipeline but does not work it.
    expect((await request(app).get(`/api/v1/demands/${demandId}/pipeline`).set(ent.auth)).status).toBe(200);
    expect((await request(app).post(`/api/v1/demands/${demandId}/matches`).set(ent.auth).send({ kind: 'result', id: resultId })).status).toBe(403);
    // Someone else's broker has no access at all.
    expect((await request(app).get(`/api/v1/demands/${demandId}/pipeline`).set(other.auth)).status).toBe(403);

    const pipeline = await request(app).get(`/api/v1/demands/${demandId}/pipeline`).set(broker.auth).expect(200);
    expect(pipeline.body.suggestions.map((s: { id: string }) => s.id)).toContain(resultId);

    const added = await request(app).post(`/api/v1/demands/${demandId}/matches`).set(broker.auth).send({ kind: 'result', id: resultId, note: '企业最关心强度指标' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'shortlisted', statusLabel: '已入围', next: ['contacted', 'declined'] });
    const due = new Date(added.body.dueAt).getTime() - clock.ms();
    expect(due).toBeGreaterThan(6.9 * 86_400_000);
    expect((await Demand.findById(demandId).lean())?.status).toBe('matching');
    expect((await request(app).post(`/api/v1/demands/${demandId}/matches`).set(broker.auth).send({ kind: 'result', id: resultId })).status).toBe(409);

    const matchId = added.body.id;
    const step = (status: string, body: Record<string, string> = {}) => request(app).post(`/api/v1/matches/${matchId}/status`).set(broker.auth).send({ status, ...body });
    expect((await step('meeting')).status).toBe(409); // no skipping
    expect((await step('contacted', { note: '已电话联系成果团队' })).status).toBe(200);
    expect((await step('meeting', { note: '约定下周到企业看现场' })).status).toBe(200);
    expect((await Demand.findById(demandId).lean())?.status).toBe('negotiating');
    const intention = await step('intention', { note: '双方同意以技术转让方式合作' });
    expect(intention.body.history.map((h: { to: string }) => h.to)).toEqual(['shortlisted', 'contacted', 'meeting', 'intention']);
    expect(intention.body.history[3].note).toBe('双方同意以技术转让方式合作');

    // Both sides heard about it.
    const entNotes = await request(app).get('/api/v1/notifications').set(ent.auth).expect(200);
    expect(entNotes.body.unread).toBeGreaterThanOrEqual(4);
    expect(entNotes.body.items.some((n: { title: string }) => n.title.includes('达成意向'))).toBe(true);
    const instNotes = await request(app).get('/api/v1/notifications').set(inst.auth).expect(200);
    expect(instNotes.body.items.some((n: { title: string }) => n.title.includes('磷石膏低温煅烧制建筑石膏粉'))).toBe(true);
  });

  it('when a match is declined, then a reason is required and the other side sees it', async () => {
    const added = await request(app).post(`/api/v1/demands/${demandId}/matches`).set(broker.auth).send({ kind: 'result', id: otherResultId }).expect(201);
    const noReason = await request(app).post(`/api/v1/matches/${added.body.id}/status`).set(broker.auth).send({ status: 'declined' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.reason).toBeDefined();
    const declined = await request(app).post(`/api/v1/matches/${added.body.id}/status`).set(broker.auth).send({ status: 'declined', reason: 'price', note: '报价超出企业承受范围' });
    expect(declined.body).toMatchObject({ status: 'declined', declineReasonLabel: '价格不合适' });
    const instNotes = await request(app).get('/api/v1/notifications').set(inst.auth).expect(200);
    expect(instNotes.body.items.some((n: { body?: string }) => n.body?.includes('原因：价格不合适'))).toBe(true);
  });

  it("when the broker overrides the ranking, then the stated reason shows and the order follows", async () => {
    const expertMatch = await request(app).post(`/api/v1/demands/${demandId}/matches`).set(broker.auth).send({ kind: 'expert', id: expert.id }).expect(201);
    const noReason = await request(app).put(`/api/v1/matches/${expertMatch.body.id}/override`).set(broker.auth).send({ rank: 1 });
    expect(noReason.status).toBe(400);
    await request(app).put(`/api/v1/matches/${expertMatch.body.id}/override`).set(broker.auth).send({ rank: 1, reason: '企业希望先请专家到现场诊断' }).expect(200);
    const pipeline = await request(app).get(`/api/v1/demands/${demandId}/pipeline`).set(broker.auth).expect(200);
    expect(pipeline.body.matches[0]).toMatchObject({ candidate: { id: expert.id }, override: { rank: 1, reason: '企业希望先请专家到现场诊断' } });
    expect(await Audit.countDocuments({ action: 'match.override', targetId: expertMatch.body.id })).toBe(1);
  });

  it('when a stage passes its deadline, then it shows as overdue and the broker is reminded once a day', async () => {
    const open = await Match.findOne({ demand: demandId, candidateKind: 'expert' }).lean();
    await Match.updateOne({ _id: open!._id }, { $set: { dueAt: new Date(clock.ms() - 86_400_000) } });
    expect(await remindOverdue()).toBeGreaterThanOrEqual(1);
    await remindOverdue(); // the same day: no second notice
    const notes = await request(app).get('/api/v1/notifications').set(broker.auth).expect(200);
    expect(notes.body.items.filter((n: { title: string }) => n.title.startsWith('对接逾期')).length).toBe(1);
    const queue = await request(app).get('/api/v1/broker/queue').set(broker.auth).expect(200);
    const row = queue.body.needs.find((n: { id: string }) => n.id === demandId);
    expect(row.overdue).toHaveLength(1);
    const agent = await loginAgent(app, broker.user.email);
    const page = await agent.get('/broker').expect(200);
    expect(page.text).toContain('1 项逾期');
    const pipelinePage = await agent.get(`/demands/${demandId}/pipeline`).expect(200);
    expect(pipelinePage.text).toContain('已逾期');
  });
});

describe("the broker's workbench", () => {
  it('when a need has a signed, a failed and an open match, then /broker counts every stage and the stages add up to the pipeline rows', async () => {
    const own = await owner('broker');
    const need = (await demandOf(ent.actor, { title: '磷石膏建材工作台计数', keywords: ['磷石膏', '建筑石膏'] })).id;
    await request(app).post(`/api/v1/demands/${need}/claim`).set(own.auth).expect(204);
    const take = async (kind: 'result' | 'expert', id: string) => (await request(app).post(`/api/v1/demands/${need}/matches`).set(own.auth).send({ kind, id }).expect(201)).body.id as string;
    const step = (id: string, body: Record<string, string>) => request(app).post(`/api/v1/matches/${id}/status`).set(own.auth).send(body).expect(200);
    const signed = await take('result', resultId);
    for (const status of ['contacted', 'meeting', 'intention', 'contracted']) await step(signed, { status });
    await step(await take('result', otherResultId), { status: 'declined', reason: 'price' });
    await take('expert', expert.id); // still 已入围

    const pipeline = (await request(app).get(`/api/v1/demands/${need}/pipeline`).set(own.auth).expect(200)).body.matches as { status: string }[];
    expect(pipeline.map((m) => m.status).sort()).toEqual(['contracted', 'declined', 'shortlisted']);
    const row = (await request(app).get('/api/v1/broker/queue').set(own.auth).expect(200)).body.needs.find((n: { id: string }) => n.id === need);
    expect(row.total).toBe(pipeline.length);
    expect(row.stages.reduce((sum: number, s: { count: number }) => sum + s.count, 0)).toBe(pipeline.length);
    for (const s of row.stages as { status: string; count: number }[]) expect(s.count, s.status).toBe(pipeline.filter((m) => m.status === s.status).length);

    const page = await (await loginAgent(app, own.user.email)).get('/broker').expect(200);
    expect(page.text).toContain('3（已入围 1 · 已联系 0 · 已约见 0 · 达成意向 0 · 已签约 1 · 未成 1）');
  });
});

describe('contact requests', () => {
  it('when an enterprise asks for a result contact and the institution accepts, then each sees the other, audited', async () => {
    const before = await request(app).get(`/api/v1/results/${resultId}`).set(ent.auth).expect(200);
    expect(before.body.contact).toBeUndefined();
    const asked = await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'result', id: resultId, demand: demandId, message: '希望到贵校中试基地参观' });
    expect(asked.status).toBe(201);
    expect((await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'result', id: resultId })).status).toBe(409);

    // Only the other side (or an organizer) may answer — never the broker (README "Contact requests"); to a stranger the request does
    // not exist (404, as for an unused id), the asking enterprise sees it but may not answer it (403).
    const stranger = await owner('institution');
    expect((await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(stranger.auth).send({ accept: true })).status).toBe(404);
    expect((await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(ent.auth).send({ accept: true })).status).toBe(403);
    const incoming = await request(app).get('/api/v1/contact-requests').set(inst.auth).expect(200);
    expect(incoming.body.received[0]).toMatchObject({ id: asked.body.id, canAnswer: true, message: '希望到贵校中试基地参观' });

    await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(inst.auth).send({ accept: true, answer: '欢迎下周来访' }).expect(200);
    const after = await request(app).get(`/api/v1/results/${resultId}`).set(ent.auth).expect(200);
    expect(after.body.contact.phone).toBe(PHONE);
    const theirs = await request(app).get(`/api/v1/enterprises/${ent.id}`).set(inst.auth).expect(200);
    expect(theirs.body.contact.phone).toBe(PHONE);
    const reveals = await Audit.find({ action: 'contact.reveal', detail: 'counterpart' }).lean();
    expect(reveals.map((r) => r.actorId)).toEqual(expect.arrayContaining([ent.user.id, inst.user.id]));
    // A third party still sees nothing.
    const other = await owner('enterprise');
    expect((await request(app).get(`/api/v1/results/${resultId}`).set(other.auth)).body.contact).toBeUndefined();
    const answered = await request(app).get('/api/v1/notifications').set(ent.auth).expect(200);
    expect(answered.body.items.some((n: { title: string }) => n.title.startsWith('对方已同意对接'))).toBe(true);
  });

  it('when an expert declines, then no contact is revealed; only enterprises may ask', async () => {
    const other = await owner('enterprise');
    const asked = await request(app).post('/api/v1/contact-requests').set(other.auth).send({ kind: 'expert', id: expert.id }).expect(201);
    await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(expert.auth).send({ accept: false, answer: '近期行程已满' }).expect(200);
    expect((await request(app).get(`/api/v1/experts/${expert.id}`).set(other.auth)).body.contact).toBeUndefined();
    expect((await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(expert.auth).send({ accept: true })).status).toBe(409);
    expect((await request(app).post('/api/v1/contact-requests').set(broker.auth).send({ kind: 'expert', id: expert.id })).status).toBe(403);
    const bad = await request(app).post('/api/v1/contact-requests').set(other.auth).send({ kind: 'expert', id: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.id).toBeDefined();
  });

  it('when the pages are used, then the request button, the answer form and the unread count work without JavaScript', async () => {
    const asker = await owner('enterprise');
    const agent = await loginAgent(app, asker.user.email);
    const page = await agent.get(`/results/${otherResultId}`).expect(200);
    expect(page.text).toContain('申请对接');
    const sent = await agent.post('/contact-requests').type('form').send({ _csrf: csrfFrom(page.text), kind: 'result', target: otherResultId, back: `/results/${otherResultId}`, message: '' });
    expect(sent.status).toBe(303);
    expect((await agent.get(`/results/${otherResultId}`)).text).toContain('等待对方答复');

    const instAgent = await loginAgent(app, inst.user.email);
    const inbox = await instAgent.get('/contact-requests').expect(200);
    expect(inbox.text).toContain('同意并互换联系方式');
    expect(inbox.text).toMatch(/class="badge">\d+</); // unread count in the header
    const id = /action="\/contact-requests\/([0-9a-f]{24})\/answer"/.exec(inbox.text)![1];
    await instAgent.post(`/contact-requests/${id}/answer`).type('form').send({ _csrf: csrfFrom(inbox.text), decision: 'accept' }).expect(303);
    expect((await agent.get(`/results/${otherResultId}`)).text).toContain(PHONE);
    const notes = await instAgent.get('/notifications').expect(200);
    await instAgent.post('/notifications/read').type('form').send({ _csrf: csrfFrom(notes.text) }).expect(303);
    expect((await instAgent.get('/contact-requests')).text).not.toMatch(/class="badge">/);
  });
});

describe('announcements', () => {
  it('when a need is published that strongly matches a result, then its enterprise is told at once', async () => {
    const res = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ title: '磷石膏低温煅烧建筑石膏生产线', description: '希望引进磷石膏低温煅烧制建筑石膏粉的成套技术，年处理磷石膏 30 万吨。', industry: 'chemicals', keywords: ['磷石膏', '建筑石膏', '煅烧'], cooperationModes: ['transfer'], budgetMax: 1_000_000 })
      .expect(201);
    const deadline = performance.now() + 10_000;
    let found = false;
    while (!found && performance.now() < deadline) {
      const notes = await request(app).get('/api/v1/notifications').set(ent.auth);
      found = notes.body.items.some((n: { title: string; link?: string }) => n.title.includes('高匹配度成果') && n.link?.includes(res.body.id));
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBe(true);
  });
});

describe('guards', () => {
  it('when matches are asked for a draft by a stranger, then they are not found', async () => {
    const draft = await demandOf(ent.actor, { draft: true });
    expect((await request(app).get(`/api/v1/demands/${draft.id}/matches`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/demands/${new mongoose.Types.ObjectId()}/matches`)).status).toBe(404);
    expect((await request(app).get('/broker').set(organizer.auth)).status).toBe(303); // pages need a session
  });
});

describe('matches follow changes', () => {
  const topIds = async () =>
    ((await request(app).get(`/api/v1/demands/${demandId}/matches`).query({ kind: 'result', limit: '5' }).expect(200)).body.items as { id: string; reasons: string[] }[]);

  it('when a closer result is published, then withdrawn, and the need changes its keywords, then its matches follow each change once the index has it', async () => {
    const before = await topIds();
    expect(before.map((i) => i.id)).toContain(resultId);

    const closer = await request(app)
      .post('/api/v1/results')
      .set(inst.auth)
      .send({ title: '磷石膏制建筑石膏粉工艺改进技术', abstract: '磷石膏经低温煅烧制备建筑石膏粉，工艺改进后能耗降低 20%。', industry: 'chemicals', keywords: ['磷石膏', '建筑石膏', '煅烧'], maturity: 'industrial' })
      .expect(201);
    await settle();
    expect((await topIds()).map((i) => i.id)).toContain(closer.body.id);

    await request(app).delete(`/api/v1/results/${closer.body.id}`).set(inst.auth).expect(204);
    await settle();
    expect((await topIds()).map((i) => i.id)).not.toContain(closer.body.id);

    await request(app).patch(`/api/v1/demands/${demandId}`).set(ent.auth).send({ keywords: ['高强石膏'] }).expect(200);
    await settle();
    const after = await topIds();
    expect(after.find((i) => i.id === otherResultId)?.reasons).toContain('关键词重合：高强石膏');
  });
});
