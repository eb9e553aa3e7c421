// docs/security.md 3–4: per-address and per-account login throttling, held in the database.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrf, loginAgent, makeUser, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { Counter } from '../../server/platform/http/rate-limit-store.ts';
import { ACCOUNT_FAILURES_PER_HOUR } from '../../server/accounts/throttle.ts';
import { trusted } from '../../server/platform/db/connection.ts';
import { clock } from '../../server/platform/clock.ts';

// Behind a proxy, so each test can speak from its own address.
const { app } = buildTestApp({ env: { TRUST_PROXY: 'true' } });
let ipSeq = 0;
const newIp = () => `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq++ & 255}`;

async function attempt(agent: ReturnType<typeof request.agent>, token: string, ip: string, email: string, password = 'wrong-password-123') {
  return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, email, password });
}

describe('login throttling', () => {
  it('when one address fails ten times in a minute, then the eleventh attempt gets 429 with Retry-After', async () => {
    const ip = newIp();
    const agent = request.agent(app);
    const token = await csrf(agent);
    for (let i = 0; i < 10; i++) {
      const res = await attempt(agent, token, ip, uniqueEmail('spray')); // a password-spraying attacker
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const eleventh = await attempt(agent, token, ip, uniqueEmail('spray'));
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(eleventh.headers['retry-after'])).toBeLessThanOrEqual(60);

    // Another address is not affected.
    const user = await makeUser('expert');
    const other = await attempt(agent, token, newIp(), user.email, PASSWORD);
    expect(other.status).toBe(303);
  });

  it('when an address keeps failing on one account, then it must wait longer and longer', async () => {
    const user = await makeUser('expert');
    const ip = newIp();
    const agent = request.agent(app);
    const token = await csrf(agent);
    for (let i = 0; i < 5; i++) expect((await attempt(agent, token, ip, user.email)).status).toBe(401);
    const sixth = await attempt(agent, token, ip, user.email, PASSWORD); // even the right password waits
    expect(sixth.status).toBe(429);
    expect(sixth.text).toContain('秒后再试');
    // From the victim's own address the account still works.
    expect((await attempt(agent, token, newIp(), user.email, PASSWORD)).status).toBe(303);
  });

  it('when an account has 100 failures in an hour, then more are refused unprocessed — but its owner still gets in from a known device', async () => {
    const user = await makeUser('enterprise');
    // The owner logged in before from their own browser: it carries the signed device cookie.
    const owner = await loginAgent(app, user.email, PASSWORD, { 'X-Forwarded-For': newIp() });
    const logoutToken = await csrf(owner, '/account'); // before the POST is made: the agent attaches its cookies then
    await owner.post('/logout').type('form').send({ _csrf: logoutToken }).expect(303);

    const attacker = request.agent(app);
    const token = await csrf(attacker);
    for (let i = 0; i < ACCOUNT_FAILURES_PER_HOUR; i++) {
      const res = await attempt(attacker, token, newIp(), user.email); // a botnet: each address once
      expect(res.status).toBe(401);
    }
    const counter = await Counter.findById(`login:acct:${user.email}`).lean();
    expect(counter?.hits).toBe(ACCOUNT_FAILURES_PER_HOUR);

    const refused = await attempt(attacker, token, newIp(), user.email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await Counter.findById(`login:acct:${user.email}`).lean())?.hits).toBe(ACCOUNT_FAILURES_PER_HOUR); // not processed

    // A second app instance sees the same counters.
    const second = buildTestApp({ env: { TRUST_PROXY: 'true' } });
    const elsewhere = request.agent(second.app);
    const t2 = await csrf(elsewhere);
    expect((await attempt(elsewhere, t2, newIp(), user.email, PASSWORD)).status).toBe(429);

    // The owner, from a new address but their own browser, is let in.
    const ownerToken = await csrf(owner);
    const back = await owner.post('/login').set('X-Forwarded-For', newIp()).type('form').send({ _csrf: ownerToken, email: user.email, password: PASSWORD });
    expect(back.status).toBe(303);

    // And nobody is locked out for good: once the hour is over, the account takes attempts again.
    await Counter.updateMany({ _id: trusted({ $regex: `^login:acct:${user.email.replace(/[.+]/g, '\\$&')}` }) }, { $set: { resetAt: new Date(clock.ms() - 1000) } });
    const later = request.agent(app);
    const t3 = await csrf(later);
    expect((await attempt(later, t3, newIp(), user.email, PASSWORD)).status).toBe(303);
  }, 120_000);
});
