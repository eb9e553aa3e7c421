// docs/security.md 12, 13, 18: CSRF on every state-changing form; organizer routes refuse everyone else.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail, userAgent } from '../support/agent.ts';
import { User } from '../../server/accounts/model.ts';

const { app } = buildTestApp();

describe('CSRF', () => {
  it('when a form is posted without a valid token, then it is refused with 403 and nothing changes', async () => {
    const victim = await makeUser('enterprise');
    const organizer = await makeUser('organizer');
    const pending = await makeUser('broker', { status: 'pending' });
    const admin = await loginAgent(app, organizer.email);
    const user = await loginAgent(app, victim.email);

    const attempts: [ReturnType<typeof request.agent>, string, Record<string, string>][] = [
      [request.agent(app), '/register', { role: 'enterprise', name: '跨站注册', email: uniqueEmail(), password: PASSWORD, passwordConfirm: PASSWORD }],
      [request.agent(app), '/login', { email: victim.email, password: PASSWORD }],
      [user, '/logout', {}],
      [user, '/account/password', { currentPassword: PASSWORD, newPassword: 'x'.repeat(20) + '磷', newPasswordConfirm: 'x'.repeat(20) + '磷' }],
      [user, '/account/tokens', { name: '跨站令牌' }],
      [admin, `/admin/users/${pending.id}/approve`, {}],
      [admin, `/admin/users/${victim.id}/disable`, {}],
      [admin, `/admin/users/${victim.id}/role`, { role: 'organizer' }],
    ];
    for (const [agent, path, fields] of attempts) {
      const missing = await agent.post(path).type('form').send(fields);
      expect(missing.status, `${path} without token`).toBe(403);
      expect(missing.text).toContain('表单已失效');
      const forged = await agent.post(path).type('form').send({ ...fields, _csrf: 'forged-token' });
      expect(forged.status, `${path} with a forged token`).toBe(403);
    }
    // Nothing happened.
    expect((await User.findById(pending.id).lean())?.status).toBe('pending');
    expect((await User.findById(victim.id).lean())).toMatchObject({ status: 'active', role: 'enterprise' });
    await user.get('/account').expect(200);
  });

  it('when a token from another session is used, then it is refused', async () => {
    const a = await makeUser('expert');
    const agentA = await loginAgent(app, a.email);
    const tokenA = csrfFrom((await agentA.get('/account')).text);
    const b = await makeUser('expert');
    const agentB = await loginAgent(app, b.email);
    const res = await agentB.post('/account/tokens').type('form').send({ _csrf: tokenA, name: '借来的令牌' });
    expect(res.status).toBe(403);
  });

  it('when GET requests hit action URLs, then nothing changes', async () => {
    const pending = await makeUser('institution', { status: 'pending' });
    const organizer = await makeUser('organizer');
    const admin = await loginAgent(app, organizer.email);
    await admin.get(`/admin/users/${pending.id}/approve`).expect(404);
    await admin.get('/logout').expect(404);
    expect((await User.findById(pending.id).lean())?.status).toBe('pending');
    await admin.get('/account').expect(200);
  });
});

describe('organizer-only routes', () => {
  const pages = ['/admin/users', '/admin/audit'];
  const apis = ['/api/v1/users', '/api/v1/audit'];

  it.each(['enterprise', 'institution', 'expert', 'broker'] as const)('when a %s calls them directly, then the answer is 403', async (role) => {
    const { agent, user } = await userAgent(app, role);
    for (const path of pages) expect((await agent.get(path)).status, path).toBe(403);
    const target = await makeUser('expert');
    expect((await agent.get(`/admin/users/${target.id}`)).status).toBe(403);
    const token = csrfFrom((await agent.get('/account')).text);
    expect((await agent.post(`/admin/users/${target.id}/disable`).type('form').send({ _csrf: token })).status).toBe(403);
    expect((await agent.post(`/admin/users/${user.id}/role`).type('form').send({ _csrf: token, role: 'organizer' })).status).toBe(403);
    expect((await User.findById(user.id).lean())?.role).toBe(role);

    const { auth } = await apiToken(role);
    for (const path of apis) {
      const res = await request(app).get(path).set(auth);
      expect(res.status, path).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await request(app).post(`/api/v1/users/${target.id}/disable`).set(auth)).status).toBe(403);
  });

  it('when nobody is logged in, then pages redirect to login and the API answers 401', async () => {
    const page = await request(app).get('/admin/users');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fadmin%2Fusers');
    const api = await request(app).get('/api/v1/users');
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text).title).toBe('需要登录');
  });

  it('when an account is pending approval, then it cannot act even with the right role', async () => {
    const pendingOrganizer = await makeUser('organizer', { status: 'pending' });
    const agent = await loginAgent(app, pendingOrganizer.email);
    const res = await agent.get('/admin/users');
    expect(res.status).toBe(403);
    expect(res.text).toContain('等待区科技局审核');
  });

  it('when an organizer lists users with operator injection in the query, then the filter is not widened', async () => {
    const { auth } = await apiToken('organizer');
    await makeUser('expert');
    const all = JSON.parse((await request(app).get('/api/v1/users?limit=100').set(auth)).text);
    const brokers = JSON.parse((await request(app).get('/api/v1/users?role=broker&limit=100').set(auth)).text);
    const injected = await request(app).get('/api/v1/users?role[$ne]=broker&limit=100').set(auth);
    expect(injected.status).toBe(200);
    expect(JSON.parse(injected.text).total).toBe(all.total);
    const injectedSearch = JSON.parse((await request(app).get('/api/v1/users?q=.*&limit=100').set(auth)).text);
    expect(injectedSearch.total).toBe(0); // ".*" is searched for literally
    expect(brokers.items.every((u: { role: string }) => u.role === 'broker')).toBe(true);
  });

  it('when an organizer approves, changes a role and re-enables, then the user sees it and the audit log records it', async () => {
    const pending = await makeUser('institution', { status: 'pending' });
    const { auth, user: organizer } = await apiToken('organizer');
    const approved = await request(app).post(`/api/v1/users/${pending.id}/approve`).set(auth).expect(200);
    expect(JSON.parse(approved.text).status).toBe('active');
    const changed = await request(app).put(`/api/v1/users/${pending.id}/role`).set(auth).send({ role: 'broker' }).expect(200);
    expect(JSON.parse(changed.text).role).toBe('broker');
    const bad = await request(app).put(`/api/v1/users/${pending.id}/role`).set(auth).send({ role: 'superuser' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors.role).toBeDefined();
    const self = await request(app).post(`/api/v1/users/${organizer.id}/disable`).set(auth);
    expect(self.status).toBe(409);
    const audit = JSON.parse((await request(app).get(`/api/v1/audit?targetId=${pending.id}`).set(auth)).text);
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.approve', 'user.role']));
  });
});
