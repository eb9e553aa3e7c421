// Issue 13, "Done when", first flow, in the browser: with SMTP_URL pointed at a real SMTP server on the loopback
// (test/mail/smtp.ts), an enterprise asks for the contact of a result whose institution has no account; the
// institution's contact address gets a Chinese mail with an absolute link; the recipient follows it in a browser
// that is not signed in and accepts; the enterprise then sees the institution's contact and the request answered.
// Then the same with the SMTP server stopped during the request: the click succeeds, the mail waits in the
// outbox (queued, not failed) and arrives once the server is back.
//
// The app is configured as in production (SMTP_URL, MAIL_FROM, BASE_URL = the address the browser uses) and its
// mail worker runs as server/main.ts starts it — nudged by each new mail, polling every 5–30 s — rather than being
// driven pass by pass: the test waits for the mail as a recipient would.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildTestApp } from '../support/app.ts';
import { advanceClock } from '../support/clock.ts';
import { flash, go, login, shot, textOf, useBrowser } from '../support/browser.ts';
import { makeUser, PASSWORD } from '../support/agent.ts';
import { owner, resultOf } from '../support/directory.ts';
import { clock } from '../../server/platform/clock.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { institutionInput } from '../../server/organizations/schema.ts';
import { mailSettings } from '../../server/mail/service.ts';
import { MailWorker } from '../../server/mail/worker.ts';
import { Outbox, type OutboxDoc } from '../../server/mail/model.ts';
import { ContactRequest, type ContactRequestDoc } from '../../server/matching/model.ts';
import { TestSmtp, type Received } from '../mail/smtp.ts';

/** A port of 127.0.0.1 that nothing listens on right now (the app is served there moments later). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// Both addresses go into the app's configuration, so both are known before the app is built: the SMTP server
// listens from the start (and comes back on the same port after the outage), the app is served on a port picked
// here, and BASE_URL is exactly the address the browser opens.
const smtp = new TestSmtp();
await smtp.start();
const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const t = buildTestApp({ env: { BASE_URL: BASE, SMTP_URL: smtp.url, MAIL_FROM: '东宝科技对接 <noreply@kj.dongbao.test>' } });
const b = useBrowser(t.app, { port: PORT });

const ENTERPRISE = '荆门市东宝区新材料科技有限公司';
/** The enterprise's own contact: private until a request of its is accepted. */
const ENTERPRISE_CONTACT = { name: '刘经理', phone: '13972600088', email: 'liu.jingli@dongbao-xincailiao.test' };
const INSTITUTE = { name: '湖北省磷化工研究院（测试）', contact: { name: '王老师', phone: '0724-2300001', email: 'keyanchu@hbphos-institute.test' } };
const INSTITUTE2 = { name: '荆门市磷石膏工程技术中心（测试）', contact: { name: '陈工', phone: '0724-2300002', email: 'jishu@jm-gypsum-centre.test' } };
const TITLE = '磷石膏净化与高值利用技术';
const TITLE2 = '磷石膏基胶凝材料制备技术';
const MESSAGE = '希望洽谈技术许可，并到贵院中试线参观。';
const MESSAGE2 = '我公司每年副产磷石膏约 80 万吨，希望了解胶凝材料的中试条件。';

let worker: MailWorker;
let organizer: Awaited<ReturnType<typeof makeUser>>;
let enterprise: Awaited<ReturnType<typeof owner>>;
const resultIds: { first: string; second: string } = { first: '', second: '' };

/** An institution the bureau recorded (no account speaks for it), with a contact address, and a published result of it. */
async function institutionWithoutAccount(inst: typeof INSTITUTE, title: string): Promise<string> {
  const created = await institutions.create(organizer, parse(institutionInput, { name: inst.name, kind: 'institute', province: '湖北省', city: '荆门市', contact: inst.contact }));
  return (await resultOf(organizer, { title, institution: created.id })).id;
}

beforeAll(async () => {
  organizer = await makeUser('organizer', { name: '区科技局（测试）' });
  enterprise = await owner('enterprise', { name: ENTERPRISE, contact: ENTERPRISE_CONTACT });
  resultIds.first = await institutionWithoutAccount(INSTITUTE, TITLE);
  resultIds.second = await institutionWithoutAccount(INSTITUTE2, TITLE2);
  await t.settle();
  // As server/main.ts does, with the app's own configuration.
  worker = new MailWorker(mailSettings(t.config), t.logger);
  worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await smtp.stop();
});

/** Waits (bounded) until `address` has received `count` mails and returns the last one. */
async function mailTo(address: string, count = 1, timeout = 30_000): Promise<Received> {
  await expect.poll(() => smtp.to(address).length, { timeout, interval: 200, message: `mail to ${address}` }).toBeGreaterThanOrEqual(count);
  return smtp.to(address).at(-1)!;
}

/** The answer link of a mail: absolute, on the address the browser uses. */
function answerLinkIn(got: Received): string {
  const m = new RegExp(`${BASE.replace(/\./g, '\\.')}/answer/[A-Za-z0-9_-]{43}(?=\\s|$)`).exec(got.mail.text ?? '');
  expect(m, got.mail.text).not.toBeNull();
  return m![0];
}

/** The enterprise's latest request for a result. */
async function requestFor(resultId: string): Promise<ContactRequestDoc> {
  const r = await ContactRequest.findOne({ 'target.kind': 'result', 'target.id': resultId }).sort({ _id: -1 }).lean<ContactRequestDoc>();
  expect(r, `a contact request for ${resultId}`).toBeTruthy();
  return r!;
}

const answerMailOf = async (requestId: string) => Outbox.findOne({ key: `contact-request:${requestId}:answer-link` }).lean<OutboxDoc>();

/**
 * The request's answer-link mail reaches `expected` in the outbox (bounded wait): the SMTP server has the message
 * a moment before the worker, told 250, records it as sent.
 */
async function expectOutbox(requestId: string, expected: Partial<Pick<OutboxDoc, 'status' | 'attempts' | 'to'>>): Promise<void> {
  await expect.poll(async () => {
    const doc = await answerMailOf(requestId);
    return doc && { status: doc.status, attempts: doc.attempts, to: doc.to };
  }, { timeout: 10_000, interval: 100 }).toMatchObject(expected);
}

/** On the result page, as the signed-in enterprise: writes a message and clicks 申请对接; the page confirms. */
async function askForContact(page: Page, resultId: string, message: string): Promise<void> {
  await page.goto(`/results/${resultId}`);
  // Before any answer, the contact card keeps the institution's contact to itself.
  const card = page.getByRole('complementary', { name: '联系方式' });
  expect(await textOf(card)).toContain('联系方式仅对本人');
  await page.getByLabel('给对方留言（可选）').fill(message);
  await go(page, page.getByRole('button', { name: '申请对接' }));
  expect(new URL(page.url()).pathname).toBe(`/results/${resultId}`);
  // The page confirms, and shows the request's state (followed by who holds the request now). The flash is
  // stored before the redirect goes out (server/platform/auth/session.ts), so the page the browser lands on has it.
  expect(await flash(page)).toContain('已发送对接申请');
  await page.getByText('已申请对接，等待对方答复').waitFor();
}

/** The organizers' outbox (/admin/mail) row of the mail to `address`: status, attempts and the last SMTP answer. */
async function outboxRow(page: Page, address: string): Promise<{ status: string; attempts: string; answer: string }> {
  await page.goto('/admin/mail');
  const row = page.locator('tbody tr').filter({ hasText: address });
  await row.waitFor();
  expect(await row.count()).toBe(1);
  const cells = row.locator('td');
  return { status: await textOf(cells.nth(3)), attempts: await textOf(cells.nth(4)), answer: await textOf(cells.nth(5)) };
}

describe('a contact request to an institution without an account', () => {
  it('when an enterprise asks in the browser, then the institution gets a Chinese mail within a minute whose link accepts without signing in, and the enterprise sees the contact and the request answered', async () => {
    const J = 'reach-link';
    const address = INSTITUTE.contact.email;

    // ---- the enterprise asks on the result page -------------------------------------------------------------
    const company = await b.page();
    await login(company, enterprise.user.email, PASSWORD);
    const asked = performance.now();
    await askForContact(company, resultIds.first, MESSAGE);
    await shot(company, J, 'enterprise-asked');
    const req = await requestFor(resultIds.first);
    expect(req).toMatchObject({ status: 'pending', message: MESSAGE, enterpriseName: ENTERPRISE });

    // ---- the institution's contact address gets the mail, in Chinese, with an absolute link ----------------
    const got = await mailTo(address);
    const waited = performance.now() - asked;
    expect(waited, 'the mail arrives within a minute').toBeLessThan(60_000);
    expect(smtp.to(address)).toHaveLength(1);
    expect(got.envelope.to).toEqual([address]);
    expect(got.mail.from?.value[0]).toEqual({ name: '东宝科技对接', address: 'noreply@kj.dongbao.test' });
    expect(got.mail.to && !Array.isArray(got.mail.to) ? got.mail.to.value[0] : undefined).toEqual({ name: INSTITUTE.contact.name, address });
    expect(got.mail.subject).toBe(`${ENTERPRISE}申请与您对接：${TITLE}`);
    const text = got.mail.text ?? '';
    expect(text).toContain(`${INSTITUTE.contact.name}，您好：`);
    expect(text).toContain(`${ENTERPRISE}通过东宝科技对接平台，希望就科技成果“${TITLE}”与您对接。`);
    expect(text).toContain(`留言：${MESSAGE}`);
    expect(text).toContain('无需注册或登录');
    const link = answerLinkIn(got);
    expect(text).toContain(`查看并答复：${link}`);
    expect(link.startsWith(`${BASE}/answer/`)).toBe(true);
    for (const l of text.match(/https?:\/\/\S+/g)!) expect(l.startsWith(`${BASE}/`), l).toBe(true);
    expect(got.mail.html).toContain(`href="${link}"`);
    expect(got.mail.html).not.toMatch(/href="(?!https?:\/\/)/);
    // The mail never carries the enterprise's own contact either.
    for (const secret of [ENTERPRISE_CONTACT.phone, ENTERPRISE_CONTACT.email]) expect(`${text}\n${got.mail.html}`).not.toContain(secret);
    await expectOutbox(String(req._id), { status: 'sent', attempts: 1, to: address });

    // ---- the recipient follows the link in a browser that is not signed in -----------------------------------
    const visitor = await b.page();
    const opened = await visitor.goto(link);
    expect(opened?.status()).toBe(200);
    expect(new URL(visitor.url()).pathname).toBe(new URL(link).pathname); // no detour to /login
    await visitor.getByRole('heading', { level: 1, name: '答复对接申请' }).waitFor();
    const invitation = await textOf(visitor.getByRole('main'));
    expect(invitation).toContain(ENTERPRISE);
    expect(invitation).toContain(TITLE);
    expect(invitation).toContain(INSTITUTE.name);
    expect(invitation).toContain(`留言：${MESSAGE}`);
    const before = await visitor.content();
    for (const secret of [ENTERPRISE_CONTACT.phone, ENTERPRISE_CONTACT.email, ENTERPRISE_CONTACT.name]) expect(before).not.toContain(secret);
    await expect.poll(() => visitor.getByRole('button', { name: '退出' }).count()).toBe(0); // nobody is signed in
    await shot(visitor, J, 'link-opened');

    await visitor.getByLabel('答复（可选）').fill('欢迎下周来院洽谈');
    await go(visitor, visitor.getByRole('button', { name: '同意并互换联系方式' }));
    await visitor.getByRole('heading', { level: 1, name: '已同意对接' }).waitFor();
    const done = await textOf(visitor.getByRole('main'));
    expect(done).toContain(`您已同意${ENTERPRISE}就“${TITLE}”的对接申请`);
    // …and gets the enterprise's contact in return, once.
    expect(done).toContain(ENTERPRISE_CONTACT.name);
    expect(done).toContain(ENTERPRISE_CONTACT.phone);
    expect(done).toContain(ENTERPRISE_CONTACT.email);
    await shot(visitor, J, 'link-accepted');
    expect(await requestFor(resultIds.first)).toMatchObject({ status: 'accepted', answer: '欢迎下周来院洽谈', answeredVia: 'link' });

    // ---- the enterprise sees the institution's contact, and the request answered ----------------------------
    await company.goto(`/results/${resultIds.first}`);
    await company.getByText('对方已同意对接，联系方式见右侧。').waitFor();
    const card = await textOf(company.getByRole('complementary', { name: '联系方式' }));
    for (const shown of [INSTITUTE.contact.name, INSTITUTE.contact.phone, INSTITUTE.contact.email]) expect(card).toContain(shown);
    await expect.poll(() => company.getByRole('button', { name: '申请对接' }).count()).toBe(0);
    await shot(company, J, 'enterprise-sees-contact');
    await company.goto('/contact-requests');
    const sent = company.locator('li').filter({ has: company.getByRole('link', { name: TITLE }) });
    const line = await textOf(sent);
    expect(line).toContain('已同意');
    expect(line).toContain('欢迎下周来院洽谈');
    await shot(company, J, 'enterprise-requests');
    // …and is told by mail too, through the same SMTP server, with an absolute link to the result.
    const told = await mailTo(enterprise.user.email);
    expect(told.mail.subject).toBe(`对方已同意对接：${TITLE}`);
    expect(told.mail.text).toContain(`${BASE}/results/${resultIds.first}`);

    // ---- the bureau, which speaks for records without an account, sees it answered (nothing left to do) -------
    const bureau = await b.page();
    await login(bureau, organizer.email, PASSWORD);
    await bureau.goto('/contact-requests');
    const received = bureau.locator('li.card').filter({ has: bureau.getByRole('link', { name: TITLE }) });
    expect(await textOf(received)).toContain('已同意：欢迎下周来院洽谈');
    await expect.poll(() => received.getByRole('button', { name: '同意并互换联系方式' }).count()).toBe(0);

    // ---- the link again: used, said in Chinese, nothing changes ----------------------------------------------
    const again = await visitor.goto(link);
    expect(again?.status()).toBe(410);
    await visitor.getByRole('heading', { level: 1, name: '链接已失效' }).waitFor();
    const gone = await textOf(visitor.getByRole('main'));
    expect(gone).toContain('这个答复链接已经使用过，每个链接只能使用一次。');
    expect(gone).toContain('东宝区科技局');
    await expect.poll(() => visitor.getByRole('button', { name: '同意并互换联系方式' }).count()).toBe(0);
    await shot(visitor, J, 'link-used');
    expect(await requestFor(resultIds.first)).toMatchObject({ status: 'accepted', answer: '欢迎下周来院洽谈' });
  }, 120_000);

  it('when the SMTP server is down while the enterprise asks, then the click succeeds, the mail waits queued in the outbox and arrives after the server is back', async () => {
    const J = 'reach-outage';
    const address = INSTITUTE2.contact.email;
    await smtp.stop();

    // ---- the enterprise asks while no SMTP server answers: the action succeeds all the same ----------------------
    const company = await b.page();
    await login(company, enterprise.user.email, PASSWORD);
    await askForContact(company, resultIds.second, MESSAGE2);
    await shot(company, J, 'enterprise-asked-during-outage');
    const req = await requestFor(resultIds.second);
    expect(req).toMatchObject({ status: 'pending', message: MESSAGE2 });

    // The worker, nudged by the new mail, tries at once, is refused a connection and puts the mail back for a
    // retry in a minute.
    await expect.poll(async () => (await answerMailOf(String(req._id)))?.attempts ?? 0, { timeout: 30_000, interval: 200 }).toBe(1);
    await expect.poll(async () => (await answerMailOf(String(req._id)))?.status, { timeout: 10_000, interval: 200 }).toBe('queued');
    const waiting = (await answerMailOf(String(req._id)))!;
    expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(waiting.dueAt.getTime() - clock.ms()).toBeGreaterThan(45_000);
    expect(smtp.to(address)).toHaveLength(0);

    // The bureau's outbox says so: waiting to be sent (with the next attempt), not failed.
    const bureau = await b.page();
    await login(bureau, organizer.email, PASSWORD);
    const queued = await outboxRow(bureau, address);
    expect(queued.status).toContain('待发送');
    expect(queued.status).toContain('下次');
    expect(queued.status).not.toContain('发送失败');
    expect(queued.attempts).toBe('1');
    expect(queued.answer).toMatch(/ECONNREFUSED|connect/i);
    await shot(bureau, J, 'outbox-queued');

    // ---- the server comes back on the same port -------------------------------------------------------------------
    await smtp.start();
    // The retry is due a minute after the failed attempt, on the server's clock. Rather than sleeping a minute,
    // the test moves that clock past it; the app's worker, which keeps polling every 5–30 s, then finds the mail
    // due and sends it on its own (no pass is driven from here).
    advanceClock(61_000);
    const got = await mailTo(address, 1, 45_000);
    expect(smtp.to(address)).toHaveLength(1);
    expect(got.envelope.to).toEqual([address]);
    expect(got.mail.subject).toBe(`${ENTERPRISE}申请与您对接：${TITLE2}`);
    expect(got.mail.text).toContain(`留言：${MESSAGE2}`);
    await expectOutbox(String(req._id), { status: 'sent', attempts: 2 });
    const sent = await outboxRow(bureau, address);
    expect(sent.status).toContain('已发送');
    expect(sent.attempts).toBe('2');
    expect(sent.answer).toMatch(/^250/);
    await shot(bureau, J, 'outbox-sent');

    // The late mail's link works as the first one did.
    const link = answerLinkIn(got);
    const visitor = await b.page();
    expect((await visitor.goto(link))?.status()).toBe(200);
    await visitor.getByRole('heading', { level: 1, name: '答复对接申请' }).waitFor();
    const invitation = await textOf(visitor.getByRole('main'));
    expect(invitation).toContain(ENTERPRISE);
    expect(invitation).toContain(TITLE2);
    expect(invitation).toContain(`留言：${MESSAGE2}`);
    await shot(visitor, J, 'late-link-opened');
    expect(await requestFor(resultIds.second)).toMatchObject({ status: 'pending' });
  }, 120_000);
});
