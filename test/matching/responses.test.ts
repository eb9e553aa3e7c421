// Two-way matching: institutions and experts respond to needs (响应需求 / 揭榜), the enterprise is told and answers,
// the broker sees responders in the pipeline; strong matches of later results are announced once per pair, with
// one digest mail a day.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { demandOf, owner, PHONE, resultOf } from '../support/directory.ts';
import { advanceClock } from '../support/clock.ts';
import { Outbox } from '../../server/mail/model.ts';
import { Notification } from '../../server/notifications/model.ts';
import { DemandResponse } from '../../server/matching/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { sendDigests } from '../../server/matching/alerts.ts';
import { results } from '../../server/results/service.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { resultPatch } from '../../server/results/schema.ts';

const t = buildTestApp();
const { app, settle } = t;
const announcer = () => (app.locals.announcer as { idle(): Promise<void> }).idle();

let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let otherInst: Awaited<ReturnType<typeof owner>>;
let expert: Awaited<ReturnType<typeof owner>>;
let broker: Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let jiebangId: string;
let instResult: string;
let otherResult: string;

beforeAll(async () => {
  ent = await owner('enterprise', { name: '东宝区响应测试化工有限公司' });
  inst = await owner('institution', { name: '响应测试理工大学' });
  otherInst = await owner('institution', { name: '另一所测试学院' });
  expert = await owner('expert', { name: '李揭榜', keywords: ['锂电池', '正极材料'], industries: ['chemicals'] });
  broker = await owner('broker');
  organizer = await apiToken('organizer');
  instResult = (await resultOf(inst.actor, { title: '磷酸铁锂正极材料低成本制备', keywords: ['磷酸铁锂', '正极材料'] })).id;
  otherResult = (await resultOf(otherInst.actor, { title: '别人的成果', keywords: ['无关'] })).id;
  jiebangId = (await demandOf(ent.actor, { title: '揭榜：磷酸铁锂正极材料压实密度提升', keywords: ['磷酸铁锂', '正极材料', '压实密度'], jiebang: true })).id;
  await request(app).put(`/api/v1/demands/${jiebangId}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
  await settle();
});

describe('an expert takes up a 揭榜 need through the pages', () => {
  it('when the expert 揭榜s, then the enterprise is told by notice and mail, sees the response, the broker sees it in the pipeline, and accepting reveals both contacts', async () => {
    const expertAgent = await loginAgent(app, expert.user.email);
    const page = await expertAgent.get(`/demands/${jiebangId}`).expect(200);
    expect(page.text).toContain(`href="/demands/${jiebangId}/respond"`);
    expect(page.text).toMatch(/role="button">揭榜</);
    const form = await expertAgent.get(`/demands/${jiebangId}/respond`).expect(200);
    // Too short a message: the field says so, and nothing is written.
    const short = await expertAgent.post(`/demands/${jiebangId}/respond`).type('form').send({ _csrf: csrfFrom(form.text), message: '能做' }).expect(400);
    expect(short.text).toMatch(/id="e-message" class="field-error">响应说明至少 10 个字。/);
    expect(await DemandResponse.countDocuments({ demand: jiebangId })).toBe(0);
    const message = '本人团队做正极材料十余年，<script>alert(1)</script> 可在三个月内给出压实密度提升到 2.6 g/cm³ 的方案。';
    await expertAgent.post(`/demands/${jiebangId}/respond`).type('form').send({ _csrf: csrfFrom(form.text), message }).expect(303);

    // The enterprise: a notice (with its mail in the outbox) and the response on the need's page, escaped.
    const notices = await Notification.find({ user: ent.user.id, kind: 'demand.response' }).lean();
    expect(notices.map((n) => n.title)).toEqual([`李揭榜揭榜了需求“揭榜：磷酸铁锂正极材料压实密度提升”`]);
    expect(await Outbox.exists({ kind: 'demand.response', to: ent.user.email })).toBeTruthy();
    expect(await Notification.exists({ user: broker.user.id, kind: 'demand.response' })).toBeTruthy();
    const entAgent = await loginAgent(app, ent.user.email);
    const needPage = await entAgent.get(`/demands/${jiebangId}`).expect(200);
    expect(needPage.text).toContain('李揭榜');
    expect(needPage.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(needPage.text).not.toContain('<script>alert(1)</script>');

    // The broker: the expert is a candidate in the pipeline, marked as having 揭榜'd.
    const pipeline = await request(app).get(`/api/v1/demands/${jiebangId}/pipeline`).set(broker.auth).expect(200);
    const candidate = pipeline.body.matches.find((m: { candidate: { id: string } }) => m.candidate.id === expert.id);
    expect(candidate).toMatchObject({ status: 'suggested', candidate: { kind: 'expert', title: '李揭榜' } });
    expect(candidate.reasons[0]).toBe('李揭榜主动揭榜');
    const listed = await request(app).get(`/api/v1/demands/${jiebangId}/responses`).set(broker.auth).expect(200);
    expect(listed.body.items).toHaveLength(1);

    // Before acceptance neither side sees the other's contact.
    expect((await entAgent.get(`/experts/${expert.id}`)).text).not.toContain(PHONE);
    expect((await expertAgent.get(`/enterprises/${ent.id}`)).text).not.toContain(PHONE);
    // The broker cannot answer for the enterprise.
    const responseId = listed.body.items[0].id;
    expect((await request(app).post(`/api/v1/responses/${responseId}/answer`).set(broker.auth).send({ accept: true })).status).toBe(403);
    await entAgent.post(`/responses/${responseId}/answer`).type('form').send({ _csrf: csrfFrom(needPage.text), decision: 'accept', answer: '请下周来厂里详谈' }).expect(303);
    expect((await entAgent.get(`/experts/${expert.id}`)).text).toContain(PHONE);
    expect((await expertAgent.get(`/enterprises/${ent.id}`)).text).toContain(PHONE);
    expect(await Audit.exists({ action: 'contact.reveal', targetId: expert.id, actorId: ent.user.id })).toBeTruthy();
    const expertNotices = await Notification.find({ user: expert.user.id }).lean();
    expect(expertNotices.some((n) => n.title.startsWith('企业接受了您'))).toBe(true);
    // Answered: a second answer and an edit are refused, with the reason.
    expect((await request(app).post(`/api/v1/responses/${responseId}/answer`).set(ent.auth).send({ accept: false })).status).toBe(409);
    const edit = await request(app).post(`/api/v1/demands/${jiebangId}/responses`).set(expert.auth).send({ message: '再补充一点说明，方案可以更快。' });
    expect(edit.status).toBe(409);
    expect(edit.body.detail).toContain('已被企业接受');
  });
});

describe('responses through the API, and what is refused', () => {
  it('when an institution responds twice, then the second edits the first; results must be its own and published', async () => {
    const need = (await demandOf(ent.actor, { title: '正极材料烧结工艺优化', keywords: ['正极材料', '烧结'] })).id;
    const none = await request(app).post(`/api/v1/demands/${need}/responses`).set(inst.auth).send({ message: '我们有成熟的烧结工艺，可以合作开发。' });
    expect(none.status).toBe(400);
    expect(none.body.errors).toHaveProperty('results');
    const foreign = await request(app).post(`/api/v1/demands/${need}/responses`).set(inst.auth).send({ results: [otherResult], message: '我们有成熟的烧结工艺，可以合作开发。' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors.results).toContain('本单位');
    const first = await request(app).post(`/api/v1/demands/${need}/responses`).set(inst.auth).send({ results: [instResult], message: '我们有成熟的烧结工艺，可以合作开发。' }).expect(201);
    const second = await request(app).post(`/api/v1/demands/${need}/responses`).set(inst.auth).send({ results: [instResult], message: '补充：中试线已经运行两年，可以直接放大。' }).expect(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await DemandResponse.countDocuments({ demand: need })).toBe(1);
    expect(second.body.message).toContain('中试线');
    // Who may list them: the enterprise and organizers; another institution may not.
    await request(app).get(`/api/v1/demands/${need}/responses`).set(ent.auth).expect(200);
    await request(app).get(`/api/v1/demands/${need}/responses`).set(organizer.auth).expect(200);
    expect((await request(app).get(`/api/v1/demands/${need}/responses`).set(otherInst.auth)).status).toBe(403);
    // Enterprises do not respond to needs.
    expect((await request(app).post(`/api/v1/demands/${need}/responses`).set(ent.auth).send({ message: '企业自己也想响应一下这个需求。' })).status).toBe(403);
  });

  it('when the need is closed, contracted or a draft, then a response is refused with the reason (or the need is not found)', async () => {
    const closed = (await demandOf(ent.actor, { title: '已经关闭的测试需求' })).id;
    await request(app).post(`/api/v1/demands/${closed}/status`).set(ent.auth).send({ status: 'closed', note: '已自行解决' }).expect(200);
    const res = await request(app).post(`/api/v1/demands/${closed}/responses`).set(expert.auth).send({ message: '我可以提供技术咨询服务。' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('需求当前为“已关闭”，不再接受响应。');
    const draft = (await demandOf(ent.actor, { title: '尚未发布的草稿需求', draft: true })).id;
    expect((await request(app).post(`/api/v1/demands/${draft}/responses`).set(expert.auth).send({ message: '我可以提供技术咨询服务。' })).status).toBe(404);
    expect(await DemandResponse.countDocuments({ demand: closed }) + (await DemandResponse.countDocuments({ demand: draft }))).toBe(0);
  });
});

describe('match alerts', () => {
  it('when a result is published after a need, then the need owner and broker are told once, and the day ends in one digest mail', async () => {
    const need = (await demandOf(ent.actor, { title: '磷石膏低温煅烧制建筑石膏粉成套技术', keywords: ['磷石膏', '建筑石膏', '煅烧'], cooperationModes: ['transfer'], budgetMax: 1_000_000 })).id;
    await request(app).put(`/api/v1/demands/${need}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
    await settle();
    await announcer();
    const before = await Notification.countDocuments({ user: ent.user.id, kind: 'match.alert' });
    const later = await resultOf(inst.actor, { title: '磷石膏低温煅烧建筑石膏粉技术', keywords: ['磷石膏', '建筑石膏', '煅烧'], maturity: 'industrial', transferModes: ['transfer'], askingPrice: 600_000 });
    await settle();
    await announcer();
    const told = await Notification.find({ user: ent.user.id, kind: 'match.alert' }).lean();
    expect(told.length - before).toBe(1);
    expect(told.at(-1)!.title).toContain('磷石膏低温煅烧建筑石膏粉技术');
    expect(told.at(-1)!.link).toBe(`/demands/${need}#matches`);
    expect(await Notification.exists({ user: broker.user.id, kind: 'match.alert', title: told.at(-1)!.title })).toBeTruthy();
    expect(await Outbox.exists({ kind: 'match.digest' })).toBeFalsy(); // no mail per match

    // Edited and saved again: not announced twice.
    await results.update(inst.actor, later.id, parse(resultPatch, { abstract: '以磷石膏为原料低温煅烧制备建筑石膏粉，补充说明：已在两家企业应用。' }));
    await settle();
    await announcer();
    expect(await Notification.countDocuments({ user: ent.user.id, kind: 'match.alert' })).toBe(told.length);

    // The day is over: one digest per person, listing the pair; a second run sends nothing more.
    advanceClock(24 * 3_600_000);
    expect(await sendDigests()).toBeGreaterThanOrEqual(2);
    const digest = await Outbox.findOne({ kind: 'match.digest', to: ent.user.email }).lean();
    expect(JSON.stringify(digest!.data)).toContain('磷石膏低温煅烧建筑石膏粉技术');
    await sendDigests();
    expect(await Outbox.countDocuments({ kind: 'match.digest', to: ent.user.email })).toBe(1);
  });

  it('when a matching result is a draft, then nobody is told until it is published', async () => {
    await demandOf(ent.actor, { title: '钛白粉废酸浓缩回用', keywords: ['钛白粉', '废酸', '浓缩'] });
    await settle();
    await announcer();
    const before = await Notification.countDocuments({ user: ent.user.id, kind: 'match.alert' });
    const draft = await resultOf(inst.actor, { title: '钛白粉废酸浓缩回用技术', keywords: ['钛白粉', '废酸', '浓缩'], draft: true });
    await settle();
    await announcer();
    expect(await Notification.countDocuments({ user: ent.user.id, kind: 'match.alert' })).toBe(before);
    // Published, the same result is announced.
    await results.update(inst.actor, draft.id, parse(resultPatch, { draft: false }));
    await settle();
    await announcer();
    expect(await Notification.countDocuments({ user: ent.user.id, kind: 'match.alert' })).toBe(before + 1);
  });
});
