// docs/security.md 5–8: sessions in the database, idle and absolute timeouts, disable and password change.
import mongoose from 'mongoose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { advanceClock } from '../support/clock.ts';
import { csrf, csrfFrom, loginAgent, makeUser, PASSWORD, sessionCookie } from '../support/agent.ts';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, SESSIONS_COLLECTION } from '../../server/platform/auth/session.ts';
import { clock } from '../../server/platform/clock.ts';

const { app } = buildTestApp();
const sessions = () => mongoose.connection.collection(SESSIONS_COLLECTION);

describe('sessions', () => {
  it('when a user logs in, then the session lives in the database and another app instance serves it', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    expect(await sessions().countDocuments({ 'session.passport.user.id': user.id })).toBe(1);
    const cookie = (await agent.get('/account')).request.cookies;
    const other = buildTestApp();
    const res = await request(other.app).get('/account').set('Cookie', cookie).expect(200);
    expect(res.text).toContain(user.email);
    expect(res.headers['cache-control']).toContain('no-store');
  });

  it('when a session has been idle for 30 minutes, then it no longer logs anyone in', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const doc = await sessions().findOne({ 'session.passport.user.id': user.id });
    const idleMs = new Date(doc!.expires).getTime() - clock.ms();
    expect(idleMs).toBeGreaterThan(29 * 60_000);
    expect(idleMs).toBeLessThanOrEqual(30 * 60_000);
    await agent.get('/account').expect(200); // kept in process from here on (session-store.ts): expiry still counts
    advanceClock(IDLE_TIMEOUT_MS + 1000);
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('when a session is older than 12 hours, then it ends however active it was', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const start = clock.ms();
    // A page every 29 minutes keeps it from idling out; it still ends at 12 hours.
    while (clock.ms() - start + 29 * 60_000 < ABSOLUTE_TIMEOUT_MS) {
      advanceClock(29 * 60_000);
      await agent.get('/account').expect(200);
    }
    advanceClock(29 * 60_000);
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=1');
    expect((await agent.get('/account')).headers.location).toMatch(/^\/login\?next=/);
  });

  it('when an organizer disables a user, then every live session of that user ends at once', async () => {
    const user = await makeUser('enterprise');
    const laptop = await loginAgent(app, user.email);
    const phone = await loginAgent(app, user.email);
    const organizer = await makeUser('organizer');
    const admin = await loginAgent(app, organizer.email);
    const confirm = await admin.get(`/admin/users/${user.id}/disable`).expect(200);
    expect(confirm.text).toContain('确认停用');
    await admin.post(`/admin/users/${user.id}/disable`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    for (const device of [laptop, phone]) expect((await device.get('/account')).status).toBe(303);
    expect(await sessions().countDocuments({ 'session.passport.user.id': user.id })).toBe(0);
  });

  it('when the password changes, then the current password is required and other sessions end, this one continues', async () => {
    const user = await makeUser('broker');
    const other = await loginAgent(app, user.email);
    const agent = await loginAgent(app, user.email);
    const page = await agent.get('/account');
    const wrong = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), currentPassword: 'not-my-password', newPassword: '新的长口令-磷石膏综合利用-2026', newPasswordConfirm: '新的长口令-磷石膏综合利用-2026' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/id="e-currentPassword"[^>]*>当前密码不正确/);

    const common = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), currentPassword: PASSWORD, newPassword: 'password1234', newPasswordConfirm: 'password1234' });
    expect(common.status).toBe(400);
    expect(common.text).toContain('这个密码太常见');

    const ok = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), currentPassword: PASSWORD, newPassword: '新的长口令-磷石膏综合利用-2026', newPasswordConfirm: '新的长口令-磷石膏综合利用-2026' });
    expect(ok.status).toBe(303);
    expect((await agent.get('/account')).status).toBe(200);
    expect((await other.get('/account')).status).toBe(303);
    await loginAgent(app, user.email, '新的长口令-磷石膏综合利用-2026');
    await expect(loginAgent(app, user.email, PASSWORD)).rejects.toThrow(/401/);
  });

  it('when pages and forms are opened anonymously, then no session is stored', async () => {
    const before = await sessions().countDocuments();
    for (const path of ['/', '/healthz', '/no-such-page', '/login', '/register', '/search?q=磷石膏']) {
      const res = await request(app).get(path);
      expect(sessionCookie(res), path).toBeUndefined();
    }
    // A failed sign-in or registration stores nothing either.
    const agent = request.agent(app);
    const token = await csrf(agent, '/login');
    expect((await agent.post('/login').type('form').send({ _csrf: token, email: 'nobody@example.cn', password: 'wrong-password-123' })).status).toBe(401);
    expect(await sessions().countDocuments()).toBe(before);
  });
});
