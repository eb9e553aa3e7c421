// Issue 13, "E-mail, delivered for real and never lost": mail goes through nodemailer's SMTP transport to a real
// SMTP server on the loopback (smtp.ts) and is read back with mailparser — recipient, Chinese subject and body,
// absolute links; an outage loses nothing and fails no user action; a restart resumes; nothing is sent twice.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { advanceClock } from '../support/clock.ts';
import { owner, resultOf } from '../support/directory.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { clock } from '../../server/platform/clock.ts';
import { enqueueMail, mailSettings, type MailSettings } from '../../server/mail/service.ts';
import { MailWorker, type MailWorkerOptions } from '../../server/mail/worker.ts';
import { Outbox, type OutboxDoc } from '../../server/mail/model.ts';
import * as messages from '../../server/mail/messages.ts';
import { notifyUsers } from '../../server/notifications/service.ts';
import { TestSmtp } from './smtp.ts';

const BASE = 'http://kj.dongbao.test:8080';
const t = buildTestApp({ env: { BASE_URL: BASE } });
const { app } = t;
const smtp = new TestSmtp();
let settings: MailSettings;
const workers: MailWorker[] = [];

/** A worker as main.ts starts one (each call: a new process, as after a restart). */
function worker(opts?: MailWorkerOptions): MailWorker {
  const w = new MailWorker(settings, t.logger, opts);
  workers.push(w);
  return w;
}

const outboxByKey = (key: string) => Outbox.findOne({ key }).lean<OutboxDoc>();
let seq = 0;
const address = (name: string) => `${name}.${process.pid}.${++seq}@example.cn`;

let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;

beforeAll(async () => {
  await smtp.start();
  settings = mailSettings(
    loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: t.config.dataDir,
      SESSION_SECRET: t.config.sessionSecret,
      BASE_URL: BASE,
      SMTP_URL: smtp.url,
      MAIL_FROM: '东宝科技对接 <noreply@kj.dongbao.test>',
    }),
  );
  ent = await owner('enterprise', { name: '荆门市东宝区磷石膏建材有限公司' });
  inst = await owner('institution', { name: '荆楚理工学院（邮件测试）' });
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await smtp.stop();
});

async function askFor(resultTitle: string, message?: string) {
  const result = await resultOf(inst.actor, { title: resultTitle });
  const asked = await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'result', id: result.id, message });
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  return { resultId: result.id, requestId: asked.body.id as string, key: `notice:contact-request:${asked.body.id}:created|${inst.user.id}` };
}

describe('delivery through SMTP', () => {
  it('when an enterprise asks for a result contact, then the institution account gets a Chinese mail with one absolute link, sent and recorded', async () => {
    const { resultId, requestId, key } = await askFor('磷石膏低温煅烧制建筑石膏粉', '希望到贵校中试基地参观，洽谈技术许可。');
    expect(await worker().runOnce()).toMatchObject({ sent: 1, retried: 0, failed: 0 });

    const [got, ...more] = smtp.to(inst.user.email);
    expect(more).toHaveLength(0);
    const mail = got!.mail;
    expect(got!.envelope.to).toEqual([inst.user.email]);
    expect(mail.from?.value[0]).toEqual({ name: '东宝科技对接', address: 'noreply@kj.dongbao.test' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined).toMatchObject({ address: inst.user.email, name: inst.user.name });
    expect(mail.subject).toBe('荆门市东宝区磷石膏建材有限公司申请与您对接：磷石膏低温煅烧制建筑石膏粉');
    expect(mail.text).toContain('荆门市东宝区磷石膏建材有限公司希望就科技成果“磷石膏低温煅烧制建筑石膏粉”与您对接。');
    expect(mail.text).toContain('留言：希望到贵校中试基地参观，洽谈技术许可。');
    expect(mail.text).toContain(`查看并答复：${BASE}/contact-requests`);
    // Every link is absolute, in the text and in the HTML.
    for (const link of mail.text!.match(/https?:\/\/\S+/g)!) expect(link.startsWith(`${BASE}/`)).toBe(true);
    expect(mail.html).toContain(`href="${BASE}/contact-requests"`);
    expect(mail.html).not.toMatch(/href="(?!https?:\/\/)/);
    // A notification mail: it says how to turn it off, and carries List-Unsubscribe.
    expect(mail.text).toMatch(new RegExp(`不想再收到“对接申请与答复”类邮件：${BASE}/mail/unsubscribe/\\S+`));
    const headers = got!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(headers).toMatch(new RegExp(`^List-Unsubscribe: <${BASE}/mail/unsubscribe/[A-Za-z0-9._-]+>`, 'm'));
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);

    const doc = (await outboxByKey(key))!;
    expect(doc).toMatchObject({ status: 'sent', attempts: 1, to: inst.user.email, kind: 'contact.request' });
    expect(doc.response).toMatch(/^250/);
    expect(doc.messageId).toBe(mail.messageId);

    // The answer goes back to the enterprise's account, with its own link.
    await request(app).post(`/api/v1/contact-requests/${requestId}/answer`).set(inst.auth).send({ accept: true, answer: '欢迎下周来访' }).expect(200);
    expect(await worker().runOnce()).toMatchObject({ sent: 1 });
    const answer = smtp.to(ent.user.email).at(-1)!.mail;
    expect(answer.subject).toBe('对方已同意对接：磷石膏低温煅烧制建筑石膏粉');
    expect(answer.text).toContain('答复：欢迎下周来访');
    expect(answer.text).toContain(`查看联系方式：${BASE}/results/${resultId}`);
  });

  it('when the SMTP server is down during the request, then the request succeeds and the mail arrives after the server comes back, once', async () => {
    await smtp.stop();
    const { key } = await askFor('磷石膏制备α型高强石膏');
    const before = smtp.to(inst.user.email).length;
    const first = worker();
    expect(await first.runOnce()).toMatchObject({ sent: 0, retried: 1 });
    const waiting = (await outboxByKey(key))!;
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 });
    expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(waiting.dueAt.getTime() - clock.ms()).toBeGreaterThan(55_000); // retried in a minute
    await first.stop(); // the process stops; a new one takes over the queue

    await smtp.start();
    const restarted = worker();
    expect(await restarted.runOnce()).toMatchObject({ sent: 0 }); // not due yet
    advanceClock(61_000);
    expect(await restarted.runOnce()).toMatchObject({ sent: 1 });
    expect(await restarted.runOnce()).toMatchObject({ sent: 0 });
    expect(smtp.to(inst.user.email)).toHaveLength(before + 1);
    expect(smtp.to(inst.user.email).at(-1)!.mail.subject).toContain('磷石膏制备α型高强石膏');
    expect(await outboxByKey(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when the SMTP server stays away, then attempts back off 1, 2, 4 minutes and the mail is failed after two days with the last answer', async () => {
    await smtp.stop();
    try {
      const key = `test:backoff:${++seq}`;
      await enqueueMail({ key, to: address('backoff'), ...messages.accountReviewed(true, { name: '李工' }) });
      const w = worker();
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        expect(await w.runOnce()).toMatchObject({ retried: 1 });
        const doc = (await outboxByKey(key))!;
        delays.push(Math.round((doc.dueAt.getTime() - clock.ms()) / 60_000));
        advanceClock(doc.dueAt.getTime() - clock.ms() + 1000);
      }
      expect(delays).toEqual([1, 2, 4]);
      advanceClock(49 * 3_600_000);
      expect(await w.runOnce()).toMatchObject({ failed: 1 });
      const failed = (await outboxByKey(key))!;
      expect(failed).toMatchObject({ status: 'failed', attempts: 4 });
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await smtp.start();
    }
  });

  it('when the server refuses the recipient for good (550), then the mail is failed at once with the SMTP answer', async () => {
    const key = `test:refused:${++seq}`;
    await enqueueMail({ key, to: 'nobody@refused.example.cn', ...messages.accountReviewed(false, { name: '王工' }) });
    expect(await worker().runOnce()).toMatchObject({ failed: 1, retried: 0 });
    const doc = (await outboxByKey(key))!;
    expect(doc).toMatchObject({ status: 'failed', attempts: 1 });
    expect(doc.lastError).toMatch(/550/);
  });
});

describe('never twice', () => {
  it('when the same event is queued twice, or two workers run at once and again, then each mail is sent exactly once', async () => {
    const to = Array.from({ length: 6 }, () => address('once'));
    for (const [i, addr] of to.entries()) {
      expect((await enqueueMail({ key: `test:once:${i}:${addr}`, to: addr, ...messages.accountReviewed(true, { name: `用户${i}` }) })).status).toBe('queued');
      expect((await enqueueMail({ key: `test:once:${i}:${addr}`, to: addr, ...messages.accountReviewed(true, { name: `用户${i}` }) })).status).toBe('duplicate');
    }
    const [a, b] = [worker({ batch: 4 }), worker({ batch: 4 })];
    const reports = await Promise.all([a.runOnce(), b.runOnce(), worker().runOnce()]);
    await Promise.all([a.runOnce(), b.runOnce()]);
    expect(reports.reduce((n, r) => n + r.sent, 0) + (await a.runOnce()).sent).toBeLessThanOrEqual(6);
    for (const addr of to) expect(smtp.to(addr), addr).toHaveLength(1);
    expect(await Outbox.countDocuments({ to: to[0] })).toBe(1);
    // The unique index, not only the check before the insert, keeps one mail per key (two racing runs).
    const twin = await Outbox.findOne({ to: to[0] }).lean<OutboxDoc>();
    await expect(Outbox.create({ key: twin!.key, kind: twin!.kind, to: twin!.to, data: twin!.data, dueAt: clock.now() })).rejects.toMatchObject({ code: 11000 });
  });

  it('when a notice with a key is sent twice, then its user gets one notification mail', async () => {
    const user = await owner('expert');
    const notice = { kind: 'contact.request', title: '测试', link: '/contact-requests', key: `test:notice:${++seq}`, mail: messages.contactRequest({ enterpriseName: '测试企业', title: '专家对接', targetKind: 'expert', link: '/contact-requests' }) };
    await notifyUsers([user.user.id], notice);
    await notifyUsers([user.user.id], notice);
    await worker().runOnce();
    expect(smtp.to(user.user.email)).toHaveLength(1);
  });

  it('when a worker died while sending, then another takes the mail over once its lease has run out', async () => {
    const key = `test:lease:${++seq}`;
    const to = address('lease');
    await enqueueMail({ key, to, ...messages.accountReviewed(true, { name: '赵工' }) });
    // As a worker leaves it when its process dies after taking the mail.
    await Outbox.updateOne({ key }, { $set: { status: 'sending', leaseOwner: 'dead', dueAt: new Date(clock.ms() + 10 * 60_000) }, $inc: { attempts: 1 } });
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ sent: 0 });
    expect(smtp.to(to)).toHaveLength(0);
    advanceClock(10 * 60_000 + 1000);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(smtp.to(to)).toHaveLength(1);
    expect(await outboxByKey(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('hostile input', () => {
  it('when names, titles and messages carry CR/LF and markup, then headers stay single lines, nobody else is addressed, and the HTML escapes it', async () => {
    const key = `test:hostile:${++seq}`;
    const to = address('victim');
    await enqueueMail({
      key,
      to,
      toName: '张三\r\nBcc: evil@example.cn',
      ...messages.contactRequest({
        enterpriseName: '恶意企业\r\nBcc: evil2@example.cn\r\n',
        title: '<script>alert(1)</script>成果',
        targetKind: 'result',
        message: '第一行\r\n\r\n<img src=x onerror=alert(1)>',
        link: '//evil.example.cn/phish',
      }),
    });
    expect(await worker().runOnce()).toMatchObject({ sent: 1 });
    const [got] = smtp.to(to);
    expect(got!.envelope.to).toEqual([to]);
    expect(smtp.received.some((r) => r.envelope.to.some((a) => a.includes('evil')))).toBe(false);
    expect(got!.mail.headers.has('bcc')).toBe(false);
    expect(got!.mail.subject).toBe('恶意企业 Bcc: evil2@example.cn 申请与您对接：<script>alert(1)</script>成果');
    expect(got!.mail.to && !Array.isArray(got!.mail.to) ? got!.mail.to.value : []).toEqual([{ name: '张三 Bcc: evil@example.cn', address: to }]);
    expect(got!.mail.html).not.toMatch(/<script|<img/i);
    expect(got!.mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;成果');
    expect(got!.mail.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    // A link that is not a path on this site becomes the home page.
    expect(got!.mail.text).toContain(`查看并答复：${BASE}/\n`);
    expect(got!.mail.text).not.toContain('evil.example.cn');
  });
});
