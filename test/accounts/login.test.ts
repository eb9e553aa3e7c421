import request from 'supertest';
import mongoose from 'mongoose';
import { describe, expect, inject, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrf, csrfCookie, csrfFrom, loginAgent, makeUser, PASSWORD, sessionCookie } from '../support/agent.ts';
import { connect } from '../../server/platform/db/connection.ts';
import { testDbName } from '../support/setup.ts';
import { Audit } from '../../server/audit/model.ts';

const { app } = buildTestApp();

describe('login and logout', () => {
  it('when the password is right, then a new session id is issued, with HttpOnly and SameSite=Lax', async () => {
    const user = await makeUser('enterprise');
    const agent = request.agent(app);
    const form = await agent.get('/login').expect(200);
    expect(sessionCookie(form)).toBeUndefined(); // the login form stores nothing: its CSRF token is a signed cookie
    expect(csrfCookie(form)).toMatch(/HttpOnly/);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD });
    expect(res.status).toBe(303);
    const first = sessionCookie(res)!;
    expect(first).toMatch(/HttpOnly/);
    expect(first).toMatch(/SameSite=Lax/);
    expect(first).not.toMatch(/Secure/);
    await agent.get('/account').expect(200);
    expect(await Audit.countDocuments({ action: 'login.success', targetId: user.id })).toBe(1);

    // Signing in again from a browser that holds a session (e.g. one an attacker planted) issues a new id,
    // and the old one is worthless afterwards.
    const again = await agent.get('/account');
    const second = await agent.post('/login').type('form').send({ _csrf: csrfFrom(again.text), email: user.email, password: PASSWORD });
    expect(second.status).toBe(303);
    expect(sessionCookie(second)!.split(';')[0]).not.toBe(first.split(';')[0]);
    const old = await request(app).get('/account').set('Cookie', first.split(';')[0]!);
    expect(old.status).toBe(303);
    expect(old.headers.location).toMatch(/^\/login/);
  });

  it('when the public address is HTTPS behind a proxy, then the session and CSRF cookies are Secure', async () => {
    const secure = buildTestApp({ env: { BASE_URL: 'https://kj.dongbao.example', TRUST_PROXY: '1' } });
    const user = await makeUser('expert');
    // A Secure cookie is not sent back over plain HTTP by a cookie jar, so carry it by hand.
    const form = await request(secure.app).get('/login').set('X-Forwarded-Proto', 'https');
    expect(csrfCookie(form)).toMatch(/Secure/);
    const res = await request(secure.app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', csrfCookie(form)!.split(';')[0]!)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).toMatch(/Secure/);
  });

  it('when the password is wrong or the email unknown, then the same generic message comes back with 401', async () => {
    const user = await makeUser('expert');
    const agent = request.agent(app);
    const token = await csrf(agent);
    const wrong = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: 'wrong-password-123' });
    const unknown = await agent.post('/login').type('form').send({ _csrf: token, email: 'nobody@example.cn', password: 'wrong-password-123' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('邮箱或密码不正确');
    expect(unknown.text).toContain('邮箱或密码不正确');
    expect(await Audit.countDocuments({ action: 'login.failure', targetLabel: user.email })).toBe(1);
  });

  it('when a query selector is sent instead of a password, then nobody is logged in', async () => {
    const user = await makeUser('enterprise');
    const agent = request.agent(app);
    const token = await csrf(agent);
    const asForm = await agent.post('/login').type('form').send(`_csrf=${encodeURIComponent(token)}&email=${encodeURIComponent(user.email)}&password[$ne]=`);
    expect(asForm.status).toBe(400);
    const asJson = await agent.post('/login').set('X-CSRF-Token', token).send({ email: user.email, password: { $ne: '' } });
    expect(asJson.status).toBe(400);
    const emailSelector = await agent.post('/login').set('X-CSRF-Token', token).send({ email: { $gt: '' }, password: PASSWORD });
    expect(emailSelector.status).toBe(400);
    await agent.get('/account').expect(303);
  });

  it('when a disabled account logs in with the right password, then it is refused', async () => {
    const user = await makeUser('broker');
    const { User } = await import('../../server/accounts/model.ts');
    await User.updateOne({ _id: user.id }, { $set: { status: 'disabled' } });
    const agent = request.agent(app);
    const token = await csrf(agent);
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('已被停用');
  });

  it('when logging out, then the session id no longer works', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const page = await agent.get('/account').expect(200);
    const cookie = (await agent.get('/account')).request.cookies;
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const replay = await request(app).get('/account').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toMatch(/^\/login/);
  });

  it('when login redirects back, then only local paths are followed', async () => {
    const user = await makeUser('expert');
    for (const [next, expected] of [
      ['/account#tokens', '/account#tokens'],
      ['//evil.example/x', '/account'],
      ['https://evil.example', '/account'],
      ['/\\evil.example', '/account'],
    ] as const) {
      const agent = request.agent(app);
      const token = await csrf(agent);
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: PASSWORD, next });
      expect(res.headers.location, `${next} ${res.status} ${res.text.slice(0, 300)}`).toBe(expected);
    }
  });

  it('when a page handler fails on the database, then an error page with the request id appears (503, Retry-After) and the process keeps serving', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    await mongoose.disconnect();
    const res = await agent.get('/account');
    // A lost database is a temporary outage (docs/security.md 33), never data and never a stack trace.
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain(res.headers['x-request-id']);
    expect(res.text).not.toMatch(/MongoNotConnected|stack|at .*\.ts/);
    await connect(inject('mongoUri'), testDbName);
    await request(app).get('/').expect(200);
  });
});
