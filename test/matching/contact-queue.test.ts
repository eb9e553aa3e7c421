// Issue 13, the remaining contact-request points: a request nobody can receive reaches the bureau and the need's
// broker; an organizer forwards a pending request to an address they enter (a fresh single-use answer link,
// earlier links revoked, server/matching/contact-queue.ts); requests unanswered after 7 days are escalated to the
// organizers once; the requester reads who holds the request and since when; the organizers' navigation counts
// the open requests; and a request from a result or expert page can be about one of the enterprise's needs.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { useMailDelivery } from '../support/mail.ts';
import { advanceClock } from '../support/clock.ts';
import { csrfFrom, loginAgent, makeUser, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { institutionInput } from '../../server/organizations/schema.ts';
import { createToken } from '../../server/accounts/service.ts';
import { Outbox } from '../../server/mail/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { Notification } from '../../server/notifications/model.ts';
import { ContactRequest, type ContactRequestDoc } from '../../server/matching/model.ts';
import { escalateStale } from '../../server/matching/contact-queue.ts';

const BASE = 'http://kj.dongbao.test:8080';
const t = buildTestApp({ env: { BASE_URL: BASE } });
const { app, settle } = t;
let seq = 0;

const { smtp, deliver } = useMailDelivery(t, BASE, { batch: 200 });

type Owner = Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof makeUser>>;
let organizer2: Awaited<ReturnType<typeof makeUser>>;
let orgAuth: { Authorization: string };
let orgAgent: Agent;
let ent: Owner;
let entAgent: Agent;

beforeAll(async () => {
  organizer = await makeUser('organizer', { name: '区科技局王科长' });
  organizer2 = await makeUser('organizer', { name: '区科技局李干事' });
  orgAuth = { Authorization: `Bearer ${(await createToken(organizer, 'test')).token}` };
  orgAgent = await loginAgent(app, organizer.email);
  ent = await owner('enterprise', { name: '荆门市东宝区磷化工有限公司' });
  entAgent = await loginAgent(app, ent.user.email);
});

/** A result of an institution the bureau imported: no account, and the contact address given (or none). */
async function resultWithoutAccount(email?: string) {
  const contact = { name: '张老师', phone: '0724-2300002', ...(email ? { email } : {}) };
  const inst = await institutions.create(organizer, parse(institutionInput, { name: `荆楚理工学院化工研究所${++seq}`, kind: 'institute', province: '湖北省', city: '荆门市', contact }));
  return (await resultOf(organizer, { title: `磷石膏无害化处理技术${seq}`, institution: inst.id })).id;
}

async function ask(who: Owner, resultId: string, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await request(app).post('/api/v1/contact-requests').set(who.auth).send({ kind: 'result', id: resultId, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const address = (name: string) => `${name}.${process.pid}.${++seq}@example.cn`;
const requestDoc = (id: string) => ContactRequest.findById(id).lean<ContactRequestDoc>();

/** The organizer forwards through the queue's form, as in a browser. */
async function forwardForm(id: string, email: string) {
  const page = await orgAgent.get('/contact-requests?status=pending');
  return orgAgent.post(`/contact-requests/${id}/forward`).type('form').send({ _csrf: csrfFrom(page.text), email, back: '/contact-requests?status=pending' });
}

/** The answer link in the last mail to `to`, checked to be absolute on BASE_URL, as a path. */
function linkIn(to: string): { path: string; subject: string; text: string } {
  const got = smtp.to(to).at(-1);
  expect(got, `a mail to ${to}`).toBeDefined();
  const text = got!.mail.text ?? '';
  const m = new RegExp(`${BASE.replace(/\./g, '\\.')}/answer/([A-Za-z0-9_-]{43})`).exec(text);
  expect(m, text).not.toBeNull();
  return { path: `/answer/${m![1]}`, subject: got!.mail.subject ?? '', text };
}

/** The sent request as the requester's API list shows it. */
async function asSent(who: Owner, id: string) {
  const mine = await request(app).get('/api/v1/contact-requests').set(who.auth).expect(200);
  return mine.body.sent.find((r: { id: string }) => r.id === id);
}

describe('forwarding a request to an address', () => {
  it('when an organizer forwards a request nobody could receive, then the address gets an absolute answer link that works, the forward is audited and not sent twice', async () => {
    const id = await ask(ent, await resultWithoutAccount(), { message: '希望引进磷石膏无害化处理技术。' });
    const to = address('forward');
    const queue = await orgAgent.get('/contact-requests').expect(200);
    expect(queue.text).toContain(`action="/contact-requests/${id}/forward"`);
    expect(queue.text).toContain('对方未登记联系邮箱，已转交区科技局处理');

    const sent = await forwardForm(id, to);
    expect(sent.status, sent.text.slice(0, 400)).toBe(303);
    expect(sent.headers.location).toBe('/contact-requests?status=pending');
    expect((await orgAgent.get('/contact-requests?status=pending')).text).toContain(`已将申请转交给 ${to}`);
    expect(await Audit.exists({ action: 'contact.forward', targetId: id, actorId: organizer.id })).toBeTruthy();
    expect(await requestDoc(id)).toMatchObject({ status: 'pending', holder: { kind: 'forwarded', to } });

    // The same forward again (a second click): the link stands, nothing is mailed twice.
    const again = await forwardForm(id, to);
    expect(again.status).toBe(303);
    expect((await orgAgent.get('/contact-requests')).text).toContain('未重复发送');
    await deliver();
    expect(smtp.to(to)).toHaveLength(1);
    const mail = linkIn(to);
    expect(mail.subject).toMatch(/^东宝区科技局转交对接申请：磷石膏无害化处理技术/);
    expect(mail.text).toContain('东宝区科技局将这项申请转交给您');
    expect(mail.text).toContain('留言：希望引进磷石膏无害化处理技术。');
    for (const link of mail.text.match(/https?:\/\/\S+/g)!) expect(link.startsWith(`${BASE}/`)).toBe(true);

    const visitor = request.agent(app);
    const page = await visitor.get(mail.path).expect(200);
    expect(page.text).toContain('荆门市东宝区磷化工有限公司');
    const accepted = await visitor.post(mail.path).type('form').send({ _csrf: csrfFrom(page.text), decision: 'accept', answer: '可以联系' });
    expect(accepted.status, accepted.text.slice(0, 400)).toBe(200);
    expect(await requestDoc(id)).toMatchObject({ status: 'accepted', answeredVia: 'link' });
    expect(await Outbox.exists({ key: `contact-request:${id}:forward:1`, to })).toBeTruthy();
  });

  it('when the address is not an e-mail address, then the form shows the error beside the field and the API answers 400 problem+json naming it', async () => {
    const id = await ask(ent, await resultWithoutAccount());
    const form = await forwardForm(id, '王老师@磷化所');
    expect(form.status).toBe(400);
    expect(form.text).toMatch(new RegExp(`id="f-forward-${id}"[^>]*value="王老师@磷化所"[^>]*aria-invalid="true"`));
    expect(form.text).toContain(`<small id="e-forward-${id}" class="field-error">邮箱格式不正确。</small>`);

    const api = await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(orgAuth).send({ email: 'not-an-address' });
    expect(api.status).toBe(400);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.body).toMatchObject({ status: 400, errors: { email: '邮箱格式不正确。' } });
    expect((await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(orgAuth).send({})).body.errors.email).toBeDefined();
    // Only organizers forward.
    expect((await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(ent.auth).send({ email: address('x') })).status).toBe(403);
    expect(await requestDoc(id)).toMatchObject({ status: 'pending', forwards: 0 });
  });

  it('when the request was already answered, then forwarding it is refused with 409', async () => {
    const id = await ask(ent, await resultWithoutAccount());
    await request(app).post(`/api/v1/contact-requests/${id}/answer`).set(orgAuth).send({ accept: false, answer: '对方暂无合作意向' }).expect(200);
    const res = await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(orgAuth).send({ email: address('late') });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toContain('已经婉拒，不能再转交');
    const form = await forwardForm(id, address('late'));
    expect(form.status).toBe(303);
    expect((await orgAgent.get('/contact-requests')).text).toContain('已经婉拒，不能再转交');
  });

  it('when a request is forwarded to a second address, then the first link stops working (410) and the second one answers', async () => {
    const first = address('first');
    const id = await ask(ent, await resultWithoutAccount(first)); // the record's own address gets the first link
    const second = address('second');
    const third = address('third');
    await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(orgAuth).send({ email: second }).expect(200);
    const res = await request(app).post(`/api/v1/contact-requests/${id}/forward`).set(orgAuth).send({ email: third }).expect(200);
    expect(res.body).toMatchObject({ holder: { kind: 'forwarded', to: third }, forwarded: { to: third, repeated: false } });
    await deliver();

    for (const old of [first, second]) {
      const gone = await request(app).get(linkIn(old).path);
      expect(gone.status).toBe(410);
      expect(gone.text).toContain('转交给其他联系人');
    }
    const visitor = request.agent(app);
    const { path } = linkIn(third);
    const page = await visitor.get(path).expect(200);
    await visitor.post(path).type('form').send({ _csrf: csrfFrom(page.text), decision: 'decline', answer: '暂不合作' }).expect(200);
    expect(await requestDoc(id)).toMatchObject({ status: 'declined', forwards: 2 });
  });
});

describe('who is told, and who holds the request', () => {
  it('when a request tied to a need reaches a record without any address, then the need\'s broker is told as well as the organizers', async () => {
    const broker = await owner('broker');
    const demandId = (await demandOf(ent.actor, { title: '磷石膏堆场渗滤液处理' })).id;
    await request(app).post(`/api/v1/demands/${demandId}/claim`).set(broker.auth).expect(204);
    const id = await ask(ent, await resultWithoutAccount(), { demand: demandId });

    for (const user of [broker.user.id, organizer.id, organizer2.id]) {
      expect(await Notification.exists({ user, kind: 'contact.unreachable', key: `contact-request:${id}:unreachable|${user}` })).toBeTruthy();
    }
    expect(await Outbox.exists({ key: `notice:contact-request:${id}:unreachable|${broker.user.id}`, to: broker.user.email })).toBeTruthy();
    const received = await request(app).get('/api/v1/contact-requests').set(broker.auth).expect(200);
    expect(received.body.received.find((r: { id: string }) => r.id === id)).toMatchObject({ canAnswer: false, canNudge: true, holder: { kind: 'bureau' } });
  });

  it('when the requester looks at its requests, then it reads who holds each and since when, never the counterpart\'s address', async () => {
    const hidden = address('private');
    const mailed = await resultWithoutAccount(hidden);
    const mailedId = await ask(ent, mailed);
    const inst = await owner('institution');
    const onPlatformId = await ask(ent, (await resultOf(inst.actor)).id);
    const nowhereId = await ask(ent, await resultWithoutAccount());

    expect(await asSent(ent, mailedId)).toMatchObject({ holder: { kind: 'contact-mail', label: '已通过邮件发送给对方联系人' } });
    expect(await asSent(ent, onPlatformId)).toMatchObject({ holder: { kind: 'counterpart', label: '已送达对方的平台账户' } });
    expect(await asSent(ent, nowhereId)).toMatchObject({ holder: { kind: 'bureau', label: '对方未登记联系邮箱，已转交区科技局处理' } });
    const sentView = await asSent(ent, mailedId);
    expect(new Date(sentView.holder.since).getTime()).toBeGreaterThanOrEqual(new Date(sentView.createdAt).getTime());
    expect(sentView.holder.to).toBeUndefined();

    const list = await entAgent.get('/contact-requests').expect(200);
    expect(list.text).toContain('等待答复：已通过邮件发送给对方联系人，自 12月5日起');
    expect(list.text).toContain('等待答复：已送达对方的平台账户，自 12月5日起');
    const page = await entAgent.get(`/results/${mailed}`).expect(200);
    expect(page.text).toContain('等待对方答复：已通过邮件发送给对方联系人，自 12月5日起');
    for (const text of [list.text, page.text, JSON.stringify((await request(app).get('/api/v1/contact-requests').set(ent.auth)).body)]) {
      expect(text).not.toContain(hidden);
    }

    // Forwarded by the bureau: the requester reads that, not the address.
    const forwardedTo = address('elsewhere');
    await request(app).post(`/api/v1/contact-requests/${nowhereId}/forward`).set(orgAuth).send({ email: forwardedTo }).expect(200);
    const forwarded = await asSent(ent, nowhereId);
    expect(forwarded.holder).toEqual({ kind: 'forwarded', label: '已由区科技局通过邮件转交对方联系人', since: expect.any(String) });
    expect((await entAgent.get('/contact-requests')).text).not.toContain(forwardedTo);
  });
});

describe('the organizers\' queue', () => {
  it('when an organizer opens a page, then the navigation links to the queue with the count of open requests; others see no count', async () => {
    await ask(ent, await resultWithoutAccount());
    const open = await ContactRequest.countDocuments({ status: 'pending' });
    expect(open).toBeGreaterThan(0);
    const home = await orgAgent.get('/').expect(200);
    expect(home.text).toContain(`<a href="/contact-requests">对接申请<span class="badge">${open}<span class="visually-hidden"> 条待答复</span></span></a>`);
    const theirs = await entAgent.get('/').expect(200);
    expect(theirs.text).toContain('<a href="/contact-requests">对接申请</a>');
    expect(theirs.text).not.toContain('条待答复');
  });

  it('when an organizer filters the queue by status, then it lists only those, a page at a time', async () => {
    const pending = await ContactRequest.countDocuments({ status: 'pending' });
    const first = await request(app).get('/api/v1/contact-requests/queue').query({ status: 'pending', limit: '2' }).set(orgAuth).expect(200);
    expect(first.body).toMatchObject({ total: pending, page: 1, limit: 2 });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.every((r: { status: string }) => r.status === 'pending')).toBe(true);
    const second = await request(app).get('/api/v1/contact-requests/queue').query({ status: 'pending', limit: '2', page: '2' }).set(orgAuth).expect(200);
    const ids = first.body.items.map((r: { id: string }) => r.id);
    expect(second.body.items.some((r: { id: string }) => ids.includes(r.id))).toBe(false);
    const declined = await request(app).get('/api/v1/contact-requests/queue').query({ status: 'declined' }).set(orgAuth).expect(200);
    expect(declined.body.total).toBeGreaterThan(0);
    expect(declined.body.items.every((r: { status: string }) => r.status === 'declined')).toBe(true);
    expect((await request(app).get('/api/v1/contact-requests/queue').set(ent.auth)).status).toBe(403);

    const page = await orgAgent.get('/contact-requests?status=declined').expect(200);
    expect(page.text).toContain('<option value="declined" selected>已拒绝</option>');
    expect(page.text).toContain('已婉拒');
    expect(page.text).not.toContain('转交并发送答复链接');
  });
});

describe('a request about one of the enterprise\'s needs', () => {
  it('when an enterprise with open needs opens a result page, then it may choose which need the request is about, and the need\'s broker receives the request', async () => {
    const asker = await owner('enterprise', { name: '荆门市东宝区石膏建材有限公司' });
    const agent = await loginAgent(app, asker.user.email);
    const inst = await owner('institution');
    const resultId = (await resultOf(inst.actor, { title: '磷石膏煅烧制建筑石膏粉成套技术', keywords: ['磷石膏', '建筑石膏', '煅烧'] })).id;
    const other = (await demandOf(asker.actor, { title: '石膏砌块生产线自动化改造', keywords: ['砌块', '自动化'] })).id;
    const need = (await demandOf(asker.actor, { title: '磷石膏煅烧建筑石膏粉工艺', keywords: ['磷石膏', '建筑石膏', '煅烧'] })).id;
    const broker = await owner('broker');
    await request(app).post(`/api/v1/demands/${need}/claim`).set(broker.auth).expect(204);
    await settle();

    // The need's page links its suggestions with ?demand=, and the result's page then offers that need.
    const needPage = await agent.get(`/demands/${need}`).expect(200);
    expect(needPage.text).toContain(`/results/${resultId}?demand=${need}`);
    const page = await agent.get(`/results/${resultId}?demand=${need}`).expect(200);
    expect(page.text).toContain('关于本企业的哪项需求（可选）');
    expect(page.text).toContain('<option value="">不关联需求</option>');
    expect(page.text).toContain(`<option value="${need}" selected>磷石膏煅烧建筑石膏粉工艺</option>`);
    expect(page.text).toContain(`<option value="${other}" >石膏砌块生产线自动化改造</option>`);
    // Another enterprise's need in the link is not offered.
    const theirs = (await demandOf(ent.actor)).id;
    expect((await agent.get(`/results/${resultId}?demand=${theirs}`).expect(200)).text).not.toContain(`<option value="${theirs}"`);
    const expertPage = await agent.get(`/experts/${(await owner('expert')).id}`).expect(200);
    expect(expertPage.text).toContain(`<option value="${need}"`);

    const sent = await agent.post('/contact-requests').type('form').send({ _csrf: csrfFrom(page.text), kind: 'result', target: resultId, demand: need, back: `/results/${resultId}`, message: '' });
    expect(sent.status).toBe(303);
    const r = await ContactRequest.findOne({ enterprise: asker.id, 'target.id': resultId }).lean<ContactRequestDoc>();
    expect(r).toMatchObject({ demand: need, status: 'pending' });
    const received = await request(app).get('/api/v1/contact-requests').set(broker.auth).expect(200);
    expect(received.body.received.find((x: { id: string }) => x.id === String(r!._id))).toMatchObject({ demand: need, canAnswer: false, canNudge: true });
    expect(await Notification.exists({ user: broker.user.id, kind: 'contact.request' })).toBeTruthy();
    // Someone else's need cannot be named.
    const bad = await request(app).post('/api/v1/contact-requests').set(asker.auth).send({ kind: 'expert', id: (await owner('expert')).id, demand: (await demandOf(ent.actor)).id });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.demand).toBeDefined();
  });
});

describe('escalation after 7 days', () => {
  it('when a request stays unanswered for 7 days, then the task tells each organizer once, by notice and mail, and the requester sees the bureau holding it', async () => {
    const id = await ask(ent, await resultWithoutAccount(address('silent')));
    expect(await escalateStale()).toBe(0);
    expect((await requestDoc(id))!.escalatedAt).toBeFalsy(); // not yet a week

    advanceClock(7 * 86_400_000 + 60_000);
    // Two instances run the task at once, and again an hour later: one escalation.
    await Promise.all([escalateStale(), escalateStale()]);
    advanceClock(3_600_000);
    await escalateStale();

    const doc = await requestDoc(id);
    expect(doc!.escalatedAt).toBeInstanceOf(Date);
    expect(doc!.holder).toMatchObject({ kind: 'bureau', reason: 'escalated' });
    for (const user of [organizer, organizer2]) {
      expect(await Notification.countDocuments({ user: user.id, kind: 'contact.escalated', key: `contact-request:${id}:escalated|${user.id}` })).toBe(1);
      expect(await Outbox.countDocuments({ key: `notice:contact-request:${id}:escalated|${user.id}`, to: user.email })).toBe(1);
    }
    await deliver();
    const mail = smtp.to(organizer.email).find((m) => m.mail.subject === `对接申请 7 天未答复：${doc!.target.title}`);
    expect(mail?.mail.text).toContain(`${BASE}/contact-requests?status=escalated`);
    expect(mail?.mail.text).toContain('此前：已通过邮件发送给对方联系人');

    const sent = await asSent(ent, id);
    expect(sent.holder).toMatchObject({ kind: 'bureau', label: '超过 7 天未答复，已转交区科技局处理' });
    expect(new Date(sent.holder.since).getTime()).toBe(doc!.escalatedAt!.getTime());
    const fresh = await loginAgent(app, ent.user.email); // a week later: the earlier session has timed out
    expect((await fresh.get('/contact-requests')).text).toContain('等待答复：超过 7 天未答复，已转交区科技局处理，自 12月12日起');
    const escalated = await request(app).get('/api/v1/contact-requests/queue').query({ status: 'escalated', limit: '100' }).set(orgAuth).expect(200);
    expect(escalated.body.items.map((r: { id: string }) => r.id)).toContain(id);
    expect(escalated.body.items.every((r: { escalatedAt?: string }) => !!r.escalatedAt)).toBe(true);
  });
});
