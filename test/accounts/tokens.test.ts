// Personal access tokens: created on the account page or by the CLI, stored hashed, listed with last use,
// revocable; the API authenticates by them alone.
import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { repoRoot } from '../support/process.ts';
import { cliEnv } from '../support/child-db.ts';
import { ApiToken, User } from '../../server/accounts/model.ts';

const { app } = buildTestApp();

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
    cwd: repoRoot,
    env: cliEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('API tokens', () => {
  it('when a user creates a token on the account page, then it is shown once, works, is listed with last use, and can be revoked', async () => {
    const user = await makeUser('enterprise');
    const agent = await loginAgent(app, user.email);
    const page = await agent.get('/account');
    const created = await agent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: '数据报送脚本' });
    expect(created.status).toBe(201);
    const token = /<code>(tbd_[A-Za-z0-9_-]+)<\/code>/.exec(created.text)![1]!;
    expect(created.headers['cache-control']).toContain('no-store');

    const stored = await ApiToken.findOne({ userId: user.id }).lean();
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);

    const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, role: 'enterprise' });

    const listed = await agent.get('/account');
    expect(listed.text).toContain('数据报送脚本');
    expect(listed.text).toContain(`…${token.slice(-4)}`);
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain('从未使用');

    const revoke = await agent.post(`/account/tokens/${stored!._id}/revoke`).type('form').send({ _csrf: csrfFrom(listed.text) });
    expect(revoke.status).toBe(303);
    const after = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.headers['content-type']).toMatch(/problem\+json/);
  });

  it('when the token name is missing, then the form says so', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const page = await agent.get('/account');
    const res = await agent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="e-name"[^>]*>请给令牌起个名字/);
  });

  it("when someone revokes another user's token, then it is not found and keeps working", async () => {
    const owner = await makeUser('expert');
    const ownerAgent = await loginAgent(app, owner.email);
    const page = await ownerAgent.get('/account');
    const created = await ownerAgent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: '我的令牌' });
    const token = /<code>(tbd_[A-Za-z0-9_-]+)<\/code>/.exec(created.text)![1]!;
    const stored = await ApiToken.findOne({ userId: owner.id }).lean();

    const other = await makeUser('expert');
    const otherAgent = await loginAgent(app, other.email);
    const otherPage = await otherAgent.get('/account');
    const res = await otherAgent.post(`/account/tokens/${stored!._id}/revoke`).type('form').send({ _csrf: csrfFrom(otherPage.text) });
    expect(res.status).toBe(404);
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('when a bearer header is malformed or unknown, or the account is disabled, then the API answers 401', async () => {
    for (const header of ['Bearer', 'Basic abc', 'Bearer tbd_nope', 'Bearer ' + 'x'.repeat(300)]) {
      const res = await request(app).get('/api/v1/me').set('Authorization', header);
      expect(res.status, header).toBe(401);
    }
    const user = await makeUser('broker');
    const { createToken } = await import('../../server/accounts/service.ts');
    const { token } = await createToken(user, 't');
    await User.updateOne({ _id: user.id }, { $set: { status: 'disabled' } });
    expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('when a session cookie is sent to the API, then it does not authenticate (so the API needs no CSRF token)', async () => {
    const user = await makeUser('organizer');
    const agent = await loginAgent(app, user.email);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await agent.get('/api/v1/users')).status).toBe(401);
  });
});

describe('admin CLI', () => {
  it('when user:create and token:create run, then an active user exists and the last line is a working token', () => {
    const email = uniqueEmail('cli');
    const created = cli('user:create', '--email', email, '--password', PASSWORD, '--role', 'organizer', '--name', '区科技局管理员');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('active');

    const tokenRun = cli('token:create', '--email', email);
    expect(tokenRun.status, tokenRun.stderr).toBe(0);
    const lastLine = tokenRun.stdout.trim().split('\n').pop()!;
    expect(lastLine).toMatch(/^tbd_[A-Za-z0-9_-]{43}$/);
    return request(app)
      .get('/api/v1/users')
      .set('Authorization', `Bearer ${lastLine}`)
      .expect(200);
  });

  it('when user:create gets bad input, then it exits 1 naming the problem and writes nothing', async () => {
    const email = uniqueEmail('clibad');
    const weak = cli('user:create', '--email', email, '--password', 'password1234', '--role', 'expert');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('--password');
    const badRole = cli('user:create', '--email', email, '--password', PASSWORD, '--role', 'admin');
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toContain('--role');
    const unknownUser = cli('token:create', '--email', 'nobody@example.cn');
    expect(unknownUser.status).toBe(1);
    expect(await User.exists({ emailLower: email })).toBeNull();
  });
});
