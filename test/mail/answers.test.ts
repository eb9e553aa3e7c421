// Issue 13, "Answers without an account": a contact request to a record with no active account goes to the
// record's contact address as a mail with a single-use link (/answer/<token>, server/matching/answers.ts); the
// recipient answers without signing in; the link then says it is used (410), expires after 14 days (410), and a
// link that never existed is a 404. The token never reaches the log. A record without any address goes to the
// organizers instead.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { capturedLog, useMailDelivery } from '../support/mail.ts';
import { advanceClock } from '../support/clock.ts';
import { csrf, csrfFrom, makeUser } from '../support/agent.ts';
import { owner, PHONE, resultOf } from '../support/directory.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { institutionInput } from '../../server/organizations/schema.ts';
import { ContactRequest, type ContactRequestDoc } from '../../server/matching/model.ts';
import { Notification } from '../../server/notifications/model.ts';
import { Outbox } from '../../server/mail/model.ts';

const BASE = 'http://kj.dongbao.test:8080';
const log = capturedLog();
const t = buildTestApp({ env: { BASE_URL: BASE }, logger: log.logger });
const { app } = t;
let seq = 0;

const { smtp, deliver } = useMailDelivery(t, BASE);

let organizer: Awaited<ReturnType<typeof makeUser>>;
let ent: Awaited<ReturnType<typeof owner>>;

beforeAll(async () => {
  organizer = await makeUser('organizer');
  ent = await owner('enterprise', { name: '荆门市东宝区新材料科技有限公司' });
});

/** An institution the bureau imported: no account; its contact address as given. */
async function institutionWithoutAccount(email?: string) {
  const contact = { name: '王老师', phone: '0724-2300001', ...(email ? { email } : {}) };
  const inst = await institutions.create(organizer, parse(institutionInput, { name: `湖北省磷化工研究院${++seq}`, kind: 'institute', province: '湖北省', city: '荆门市', contact }));
  const result = await resultOf(organizer, { title: `磷石膏净化与高值利用技术${seq}`, institution: inst.id });
  return { instId: inst.id, resultId: result.id, contact };
}

async function ask(resultId: string, message?: string): Promise<string> {
  const res = await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'result', id: resultId, message });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** The answer link mailed to `address` (the last mail it got), as a path. */
function answerPathIn(address: string): { path: string; token: string; text: string; subject: string } {
  const got = smtp.to(address).at(-1);
  expect(got, `a mail to ${address}`).toBeDefined();
  const m = new RegExp(`${BASE.replace(/\./g, '\\.')}/answer/([A-Za-z0-9_-]+)`).exec(got!.mail.text ?? '');
  expect(m, got!.mail.text).not.toBeNull();
  return { path: `/answer/${m![1]}`, token: m![1]!, text: got!.mail.text ?? '', subject: got!.mail.subject ?? '' };
}

const requestDoc = (id: string) => ContactRequest.findById(id).lean<ContactRequestDoc>();
const tokens: string[] = [];

describe('answers without an account', () => {
  it('when an enterprise asks for a result whose institution has no account, then its contact address gets a Chinese mail with a link that accepts without signing in, once', async () => {
    const address = `pilot.${process.pid}.${++seq}@example.cn`;
    const { resultId, contact } = await institutionWithoutAccount(address);
    const before = await request(app).get(`/api/v1/results/${resultId}`).set(ent.auth).expect(200);
    expect(before.body.contact).toBeUndefined();
    const id = await ask(resultId, '希望洽谈技术许可，并到贵院中试线参观。');
    await deliver();

    const mail = answerPathIn(address);
    tokens.push(mail.token);
    expect(smtp.to(address)).toHaveLength(1);
    expect(mail.subject).toMatch(/^荆门市东宝区新材料科技有限公司申请与您对接：磷石膏净化与高值利用技术/);
    expect(mail.text).toContain('王老师，您好：');
    expect(mail.text).toContain('留言：希望洽谈技术许可，并到贵院中试线参观。');
    expect(mail.text).toContain('无需注册或登录');
    expect(mail.text).toContain(`查看并答复：${BASE}/answer/`);
    for (const link of mail.text.match(/https?:\/\/\S+/g)!) expect(link.startsWith(`${BASE}/`)).toBe(true);
    // Stored hashed: the outbox carries the link to send it, the token collection never the token itself.
    const { AnswerToken } = await import('../../server/matching/model.ts');
    expect(await AnswerToken.countDocuments({ _id: mail.token })).toBe(0);
    expect(await AnswerToken.countDocuments({ request: id })).toBe(1);

    // Following the link, with no session: the request, never the enterprise's own contact.
    const visitor = request.agent(app);
    const page = await visitor.get(mail.path).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('荆门市东宝区新材料科技有限公司');
    expect(page.text).toContain('希望洽谈技术许可');
    expect(page.text).not.toContain(PHONE);
    const accepted = await visitor.post(mail.path).type('form').send({ _csrf: csrfFrom(page.text), decision: 'accept', answer: '欢迎下周来院洽谈' });
    expect(accepted.status, accepted.text.slice(0, 500)).toBe(200);
    expect(accepted.text).toContain('已同意对接');
    expect(accepted.text).toContain(PHONE); // the enterprise's contact, for the answerer

    // Accepted on both sides: the enterprise sees the institution's contact and its request answered.
    expect(await requestDoc(id)).toMatchObject({ status: 'accepted', answer: '欢迎下周来院洽谈', answeredVia: 'link' });
    const after = await request(app).get(`/api/v1/results/${resultId}`).set(ent.auth).expect(200);
    expect(after.body.contact).toMatchObject({ name: contact.name, phone: contact.phone, email: address });
    const mine = await request(app).get('/api/v1/contact-requests').set(ent.auth).expect(200);
    expect(mine.body.sent.find((r: { id: string }) => r.id === id)).toMatchObject({ status: 'accepted', answer: '欢迎下周来院洽谈' });
    // …and is told, by notification and mail.
    expect(await Notification.exists({ user: ent.user.id, kind: 'contact.answer', key: `contact-request:${id}:answered|${ent.user.id}` })).toBeTruthy();
    await deliver();
    expect(smtp.to(ent.user.email).at(-1)!.mail.subject).toMatch(/^对方已同意对接：/);

    // The link again: used, says so, changes nothing.
    const again = await visitor.get(mail.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('已经使用过');
    expect(again.text).toContain('区科技局');
    const token = await csrf(visitor);
    const retry = await visitor.post(mail.path).type('form').send({ _csrf: token, decision: 'decline' });
    expect(retry.status).toBe(410);
    expect(await requestDoc(id)).toMatchObject({ status: 'accepted', answer: '欢迎下周来院洽谈' });
  });

  it('when the link is older than 14 days, then it says it expired (410) and the request stays pending', async () => {
    const address = `late.${process.pid}.${++seq}@example.cn`;
    const { resultId } = await institutionWithoutAccount(address);
    const id = await ask(resultId);
    await deliver();
    const mail = answerPathIn(address);
    tokens.push(mail.token);
    advanceClock(15 * 86_400_000);
    const visitor = request.agent(app);
    const page = await visitor.get(mail.path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('已过期');
    const token = await csrf(visitor); // before the POST is built: the agent attaches its cookies then
    const post = await visitor.post(mail.path).type('form').send({ _csrf: token, decision: 'accept' });
    expect(post.status, post.text.slice(0, 600)).toBe(410);
    expect(await requestDoc(id)).toMatchObject({ status: 'pending' });
  });

  it('when a link is unknown or malformed, then it is a 404 page offering the bureau', async () => {
    const { randomBytes } = await import('node:crypto');
    const unknown = await request(app).get(`/answer/${randomBytes(32).toString('base64url')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('链接无效');
    expect(unknown.text).toContain('区科技局');
    expect((await request(app).get('/answer/not-a-token')).status).toBe(404);
  });

  it('when the institution has neither an account nor a contact address, then the organizers are told with a link to the queue', async () => {
    const { resultId } = await institutionWithoutAccount();
    const id = await ask(resultId);
    expect(await Notification.exists({ user: organizer.id, kind: 'contact.unreachable', link: '/contact-requests' })).toBeTruthy();
    expect(await Outbox.exists({ key: `notice:contact-request:${id}:unreachable|${organizer.id}`, to: organizer.email })).toBeTruthy();
  });

  it('when answer links were used, then no token reached the log', async () => {
    expect(log.text()).toContain('/answer/…');
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(log.text()).not.toContain(token);
  });
});
