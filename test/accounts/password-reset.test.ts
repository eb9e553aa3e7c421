// Forgotten passwords (docs/accounts.md "Forgotten passwords", server/accounts/password-reset.ts): /login links to
// 忘记密码; the form answers the same for every address; an account's address gets a mail (through a real SMTP
// server on the loopback) with a single-use link that sets a new password under the password policy, ends every
// session, and stops working once used, after an hour, or when the password changed meanwhile. Requests are limited
// per address and per account; the token never reaches the log.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { capturedLog, useMailDelivery } from '../support/mail.ts';
import { advanceClock } from '../support/clock.ts';
import { csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail, type Agent } from '../support/agent.ts';
import { Audit } from '../../server/audit/model.ts';
import { Outbox } from '../../server/mail/model.ts';
import { PasswordReset, RESET_MAILS_PER_HOUR } from '../../server/accounts/password-reset.ts';
import { disableUser } from '../../server/accounts/service.ts';

const BASE = 'http://kj.dongbao.test:8080';
const log = capturedLog();
const t = buildTestApp({ env: { BASE_URL: BASE }, logger: log.logger });
const { app } = t;
const { smtp, deliver } = useMailDelivery(t, BASE);
const NEW_PASSWORD = '重设后的新口令-磷石膏综合利用-2026';

/** Asks for a reset of `email` through the form, as a browser would; returns the answer. */
async function ask(email: string, agent: Agent = request.agent(app)) {
  const form = await agent.get('/password/forgot').expect(200);
  return agent.post('/password/forgot').type('form').send({ _csrf: csrfFrom(form.text), email });
}

/** Waits until the request for `email` was handled (its audit entry), then delivers the outbox. */
async function handled(email: string, count = 1): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await Audit.countDocuments({ action: 'password.reset.request', targetLabel: email.toLowerCase() })) >= count) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await deliver();
}

/** The reset link in the last mail to `address`, as a path. */
function linkIn(address: string): { path: string; token: string; text: string; subject: string } {
  const got = smtp.to(address).at(-1);
  expect(got, `a mail to ${address}`).toBeDefined();
  const m = new RegExp(`${BASE.replace(/\./g, '\\.')}/password/reset/([A-Za-z0-9_-]+)`).exec(got!.mail.text ?? '');
  expect(m, got!.mail.text).not.toBeNull();
  return { path: `/password/reset/${m![1]}`, token: m![1]!, text: got!.mail.text ?? '', subject: got!.mail.subject ?? '' };
}

async function setNew(path: string, password: string, confirm = password, agent: Agent = request.agent(app)) {
  const page = await agent.get(path);
  if (page.status !== 200) return page;
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), password, passwordConfirm: confirm });
}

const neutral = (html: string, email: string) => (/<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '').replaceAll(email, 'EMAIL').replace(/name="_csrf" value="[^"]+"/g, '');

describe('forgotten passwords', () => {
  it('when someone asks for a reset, then an account address and an unknown one get the same answer, and only the account gets a mail with a link that sets a new password once', async () => {
    const login = await request(app).get('/login').expect(200);
    expect(login.text).toContain('<a href="/password/forgot">忘记密码？</a>');

    const user = await makeUser('enterprise', { name: '东宝磷化企业' });
    const laptop = await loginAgent(app, user.email);
    const unknown = uniqueEmail('nobody');
    const known = await ask(user.email);
    const other = await ask(unknown);
    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    expect(known.text).toContain('我们已向它发送了一封重设密码的邮件');
    expect(neutral(known.text, user.email)).toBe(neutral(other.text, unknown));

    await handled(user.email);
    await handled(unknown);
    expect(smtp.to(unknown)).toHaveLength(0);
    const mail = linkIn(user.email);
    expect(smtp.to(user.email)).toHaveLength(1);
    expect(mail.subject).toBe('重设您的东宝科技对接平台密码');
    expect(mail.text).toContain('链接仅可使用一次，60 分钟内');
    // An account mail: no unsubscribe link, and the token is stored only as its hash.
    expect(await Outbox.findOne({ to: user.email, kind: 'account.password-reset' }).lean()).toBeTruthy();
    expect(await PasswordReset.countDocuments({ _id: mail.token })).toBe(0);

    // The page names the account; the policy applies; the two entries must agree.
    const page = await request(app).get(mail.path).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain(user.email);
    const common = await setNew(mail.path, 'password1234');
    expect(common.status).toBe(400);
    expect(common.text).toContain('这个密码太常见');
    const mismatch = await setNew(mail.path, NEW_PASSWORD, `${NEW_PASSWORD}x`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('两次输入的密码不一致');

    const done = await setNew(mail.path, NEW_PASSWORD);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    // Every session ended; the old password no longer works, the new one does.
    expect((await laptop.get('/account')).status).toBe(303);
    await expect(loginAgent(app, user.email, PASSWORD)).rejects.toThrow(/401/);
    await loginAgent(app, user.email, NEW_PASSWORD);

    // Used once: the link now says so.
    const again = await request(app).get(mail.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('已经使用过');
    expect((await setNew(mail.path, '再换一个新口令-香菇烘干-2026')).status).toBe(410);
    expect((await request(app).get('/password/reset/not-a-token')).status).toBe(404);
    expect((await request(app).get(`/password/reset/${'A'.repeat(43)}`)).status).toBe(404);

    // The token never reaches the log (paths are logged as /password/reset/…).
    expect(log.text()).toContain('/password/reset/…');
    expect(log.text()).not.toContain(mail.token);
  });

  it('when an hour passes, or the password is changed on the account page, then an unused link stops working', async () => {
    const user = await makeUser('institution');
    await ask(user.email);
    await handled(user.email);
    const first = linkIn(user.email);
    advanceClock(61 * 60_000);
    const late = await request(app).get(first.path);
    expect(late.status).toBe(410);
    expect(late.text).toContain('已过期');

    await ask(user.email);
    await handled(user.email, 2);
    const second = linkIn(user.email);
    expect(second.token).not.toBe(first.token);
    expect((await request(app).get(second.path)).status).toBe(200);
    const agent = await loginAgent(app, user.email);
    const account = await agent.get('/account');
    const changed = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(account.text), currentPassword: PASSWORD, newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD });
    expect(changed.status).toBe(303);
    const stale = await request(app).get(second.path);
    expect(stale.status).toBe(410);
    expect(stale.text).toContain('已经修改过');
  });

  it('when a disabled account or one asked for too often is named, then no mail goes out and the answer stays the same', async () => {
    const organizer = await makeUser('organizer');
    const disabled = await makeUser('expert');
    await disableUser(organizer, disabled.id);
    expect((await ask(disabled.email)).text).toContain('我们已向它发送了一封重设密码的邮件');
    await handled(disabled.email);
    expect(smtp.to(disabled.email)).toHaveLength(0);

    advanceClock(61 * 60_000); // a fresh minute for the per-address limit
    const busy = await makeUser('broker');
    for (let i = 1; i <= RESET_MAILS_PER_HOUR + 1; i++) {
      const res = await ask(busy.email);
      expect(res.status).toBe(200);
      await handled(busy.email, i);
    }
    expect(smtp.to(busy.email)).toHaveLength(RESET_MAILS_PER_HOUR);
  });

  it('when one address asks more than ten times a minute, then it is answered 429 like a login', async () => {
    advanceClock(61 * 60_000);
    const agent = request.agent(app);
    const form = await agent.get('/password/forgot');
    const token = csrfFrom(form.text);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await agent.post('/password/forgot').type('form').send({ _csrf: token, email: uniqueEmail('guess') })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });
});
