// docs/security.md 45 (issue 18): users, sessions, API tokens, the header's counts and visitors' kept pages are cached in process. A request
// that needs nothing else does not touch the database for them (docs/design.md "Per-request work"); a disable, a
// revoke or a role change takes effect at once in the process that made it, and within 5 seconds in another app
// process on the same database.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collection } from 'mongodb';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, makeUser } from '../support/agent.ts';
import { cliEnv } from '../support/child-db.ts';
import { startServer, type ServerProcess } from '../support/process.ts';
import * as accounts from '../../server/accounts/service.ts';
import { ApiToken, ApiTokenKey, User } from '../../server/accounts/model.ts';
import { notifyUsers, markRead } from '../../server/notifications/service.ts';
import { pollNow } from '../../server/platform/db/shared-cache.ts';
import { Demand } from '../../server/demands/model.ts';

const { app, config } = buildTestApp();

/** Counts the driver calls made on each collection while fn runs. */
async function queriesDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const methods = ['findOne', 'find', 'countDocuments', 'aggregate', 'updateOne', 'updateMany', 'insertOne', 'findOneAndUpdate', 'deleteOne', 'deleteMany'] as const;
  const spies = methods.map((m) => vi.spyOn(Collection.prototype, m));
  try {
    await fn();
    const counts: Record<string, number> = {};
    for (const spy of spies) for (const c of spy.mock.contexts as Collection[]) counts[c.collectionName] = (counts[c.collectionName] ?? 0) + 1;
    return counts;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Waits until check() holds, asking every 100 ms; returns how long that took (ms), or fails after 8 s. */
async function within(check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > 8_000) throw new Error('not within 8 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const badge = (html: string) => /条未读/.test(html) ? Number(/class="badge">(\d+)<span class="visually-hidden"> 条未读/.exec(html)?.[1]) : 0;

describe('in process', () => {
  it('when a token is used again and again, then users and tokens are not read from the database; a disable, a role change and a revoke count at once', async () => {
    const organizer = await makeUser('organizer');
    const { user, token, auth } = await apiToken('expert');
    await pollNow();
    await request(app).get('/api/v1/me').set(auth).expect(200);
    const counts = await queriesDuring(async () => {
      for (let i = 0; i < 20; i++) await request(app).get('/api/v1/me').set(auth).expect(200);
    });
    expect(counts.users ?? 0).toBe(0);
    expect(counts.api_tokens ?? 0).toBe(0);
    expect(counts.api_token_keys ?? 0).toBe(0);
    // The address's token-failure count is read at most once a second (platform/auth/bearer.ts), not per request.
    expect(counts.counters ?? 0).toBeLessThan(5);

    await accounts.changeRole(organizer, user.id, 'broker');
    expect((await request(app).get('/api/v1/me').set(auth).expect(200)).body.role).toBe('broker');

    await accounts.disableUser(organizer, user.id);
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(401);
    await accounts.enableUser(organizer, user.id);
    await request(app).get('/api/v1/me').set(auth).expect(200);

    const stored = (await ApiToken.findOne({ userId: user.id }).lean())!;
    await accounts.revokeToken(user, String(stored._id));
    expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('when a signed-in user opens pages, then the user and the unread count are not read per view, and a change to either shows at once', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    await notifyUsers([user.id], { kind: 'test', title: '第一条' });
    await pollNow();
    expect(badge((await agent.get('/').expect(200)).text)).toBe(1);
    const counts = await queriesDuring(async () => {
      for (let i = 0; i < 10; i++) await agent.get('/').expect(200);
    });
    expect(counts.users ?? 0).toBe(0);
    expect(counts.sessions ?? 0).toBe(0);
    expect(counts.notifications ?? 0).toBe(0);
    expect(counts.notice_counts ?? 0).toBe(0);

    await notifyUsers([user.id], { kind: 'test', title: '第二条' });
    expect(badge((await agent.get('/').expect(200)).text)).toBe(2);
    await markRead(user);
    expect(badge((await agent.get('/').expect(200)).text)).toBe(0);

    // Any write to the user counts, even one made past the services.
    await User.updateOne({ _id: user.id }, { $set: { status: 'disabled' } });
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('when a user opens the account page again, then their tokens and mail settings are not read; a new token, a use of one and a changed setting show at once', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const made = await accounts.createToken(user, '脚本令牌');
    await pollNow(); // this process's own stamps, read back, drop its caches once more: before the views, not between
    await agent.get('/account').expect(200);
    const counts = await queriesDuring(async () => {
      for (let i = 0; i < 5; i++) await agent.get('/account').expect(200);
    });
    expect(counts.api_tokens ?? 0).toBe(0);
    expect(counts.mail_preferences ?? 0).toBe(0);
    expect(counts.sessions ?? 0).toBe(0);
    // nor rendered again: the kept body gets this session's token in its forms (the posts below use it)
    const rendered = vi.spyOn(app, 'render');
    try {
      expect((await agent.get('/account').expect(200)).text).not.toContain('csrf-slot-');
      expect(rendered.mock.calls.map((c) => c[0])).toEqual([]);
    } finally {
      rendered.mockRestore();
    }

    expect((await agent.get('/account')).text).toContain('从未使用');
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${made.token}`).expect(200);
    expect((await agent.get('/account')).text).not.toContain('从未使用');
    await accounts.createToken(user, '第二个令牌');
    expect((await agent.get('/account')).text).toContain('第二个令牌');

    const page = await agent.get('/account');
    expect(page.text).toMatch(/name="on" value="roadshow" checked/);
    const mailToken = /action="\/account\/mail"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    await agent.post('/account/mail').type('form').send({ _csrf: mailToken, on: 'contact' }).expect(303);
    expect((await agent.get('/account')).text).not.toMatch(/name="on" value="roadshow" checked/);
  });

  it("when an organizer opens pages, then the header's review queues are not counted per view, and a new registration shows at once", async () => {
    const organizer = await makeUser('organizer');
    const agent = await loginAgent(app, organizer.email);
    const waiting = (html: string) => Number(/管理(?:<span class="badge">(\d+))?/.exec(html)?.[1] ?? 0);
    await pollNow();
    const before = waiting((await agent.get('/').expect(200)).text);
    const counts = await queriesDuring(async () => {
      for (let i = 0; i < 5; i++) await agent.get('/').expect(200);
    });
    expect(counts.users ?? 0).toBe(0);
    expect(counts.claims ?? 0).toBe(0);
    expect(counts.contact_requests ?? 0).toBe(0);
    await makeUser('broker', { status: 'pending' });
    expect(waiting((await agent.get('/').expect(200)).text)).toBe(before + 1);
  });

  it('when a token was made before api_token_keys existed, then startup gives it its key and it works', async () => {
    const { user, token, auth } = await apiToken('enterprise');
    const stored = (await ApiToken.findOne({ userId: user.id }).lean())!;
    await ApiTokenKey.deleteOne({ _id: stored.tokenHash });
    await ApiToken.updateOne({ _id: stored._id }, { $set: { name: '旧令牌' } }); // drops the cached token
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(401);
    expect(await accounts.addMissingTokenKeys()).toBe(1);
    expect(await accounts.addMissingTokenKeys()).toBe(0);
    expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('another app process on the same database', () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-cache-'));
    const env = cliEnv();
    server = await startServer({
      MONGODB_URI: env.MONGODB_URI!,
      SESSION_SECRET: config.sessionSecret,
      SEED_ON_EMPTY: 'false',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const me = (auth: Record<string, string>) => fetch(`${server.url}/api/v1/me`, { headers: auth });
  const roleOf = async (auth: Record<string, string>) => ((await (await me(auth)).json()) as { role?: string }).role;

  it('when a user is disabled here, then their token and their session stop working there within 5 seconds', async () => {
    const organizer = await makeUser('organizer');
    const { user, auth } = await apiToken('enterprise');
    const cookie = (await (await loginAgent(app, user.email)).get('/account')).request.cookies;
    expect((await me(auth)).status).toBe(200);
    expect((await me(auth)).status).toBe(200); // cached there by now
    expect((await fetch(`${server.url}/account`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);

    await accounts.disableUser(organizer, user.id);
    expect(await within(async () => (await me(auth)).status === 401)).toBeLessThan(5_000);
    expect((await fetch(`${server.url}/account`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });

  /** The Cookie header the agent sends now (/healthz reads no session, so nothing in it changes). */
  const cookiesOf = async (agent: Awaited<ReturnType<typeof loginAgent>>) => (await agent.get('/healthz')).request.cookies as unknown as string;

  it("when a user's session changes here (a message after a form), then a page there shows the change at once", async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const there = async () => fetch(`${server.url}/account`, { headers: { cookie: await cookiesOf(agent) }, redirect: 'manual' });
    expect((await there()).status).toBe(200);
    expect((await there()).status).toBe(200); // kept there by now

    const form = await agent.get('/account').expect(200);
    await agent.post('/account/mail').type('form').send({ _csrf: csrfFrom(form.text), on: 'roadshow' }).expect(303);
    // The browser's version cookie says its session changed, so there it is read again, not served as kept.
    expect(await (await there()).text()).toContain('邮件通知设置已保存。');
  });

  it('when a user signs out here, then the cookies they had stop working there within 5 seconds', async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const cookie = await cookiesOf(agent);
    const there = () => fetch(`${server.url}/account`, { headers: { cookie }, redirect: 'manual' });
    expect((await there()).status).toBe(200);
    expect((await there()).status).toBe(200); // kept there by now

    const page = await agent.get('/account').expect(200);
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect((await agent.get('/account')).status).toBe(303);
    // Someone replaying the old cookies there (copied before the logout) is turned away within 5 seconds.
    expect(await within(async () => (await there()).status === 303)).toBeLessThan(5_000);
  });

  it("when a token is used or revoked here, then the account page there shows it within 5 seconds", async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const made = await accounts.createToken(user, '另一进程令牌');
    const cookie = await cookiesOf(agent);
    const there = async () => (await fetch(`${server.url}/account`, { headers: { cookie } })).text();
    expect(await there()).toContain('从未使用');
    expect(await there()).toContain('从未使用'); // kept there by now
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${made.token}`).expect(200);
    expect(await within(async () => !(await there()).includes('从未使用'))).toBeLessThan(5_000);
    await accounts.revokeToken(user, made.view.id);
    expect(await within(async () => (await there()).includes('已撤销'))).toBeLessThan(5_000);
  });

  it('when a token is revoked or its owner changes role here, then the other process knows within 5 seconds', async () => {
    const organizer = await makeUser('organizer');
    const { user, auth } = await apiToken('expert');
    const other = await apiToken('expert');
    expect(await roleOf(auth)).toBe('expert');
    expect((await me(other.auth)).status).toBe(200);

    await accounts.changeRole(organizer, user.id, 'broker');
    expect(await within(async () => (await roleOf(auth)) === 'broker')).toBeLessThan(5_000);

    const stored = (await ApiToken.findOne({ userId: other.user.id }).lean())!;
    await accounts.revokeToken(other.user, String(stored._id));
    expect(await within(async () => (await me(other.auth)).status === 401)).toBeLessThan(5_000);
  });

  it('when a notice arrives here, then the header there counts it within 5 seconds', async () => {
    const user = await makeUser('expert');
    const cookie = (await (await loginAgent(app, user.email)).get('/account')).request.cookies;
    const home = async () => badge(await (await fetch(`${server.url}/`, { headers: { cookie } })).text());
    expect(await home()).toBe(0);
    await notifyUsers([user.id], { kind: 'test', title: '另一进程' });
    expect(await within(async () => (await home()) === 1)).toBeLessThan(5_000);
  });
  it("when a need is published here, then the broker workbench there lists it in 待认领 within 5 seconds", async () => {
    const { auth } = await apiToken('organizer');
    const unassigned = async () =>
      ((await (await fetch(`${server.url}/api/v1/broker/queue?limit=100`, { headers: auth })).json()) as { unassigned: { items: { id: string }[] } }).unassigned.items.map((i) => i.id);
    await unassigned(); // kept there from now on
    const need = await Demand.create({ title: '另一进程的工作台', description: '磷石膏煅烧工艺。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published' });
    expect(await within(async () => (await unassigned()).includes(String(need._id)))).toBeLessThan(5_000);
  });

  it('when a need is published here, then a search page a visitor had there (kept rendered) shows it within 5 seconds', async () => {
    const url = `${server.url}/search?q=${encodeURIComponent('另一进程访客页')}`;
    // kept there once a view finds the index as the previous view left it (writes of the tests above may still be
    // arriving there through its search sync)
    expect(await within(async () => (await fetch(url)).headers.get('x-page-cache') === 'hit')).toBeLessThan(8_000);
    const need = await Demand.create({ title: '另一进程访客页磷渣', description: '磷渣制备微晶玻璃。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published' });
    expect(await within(async () => (await (await fetch(url)).text()).includes(`/demands/${String(need._id)}`))).toBeLessThan(5_000);
  });
});
