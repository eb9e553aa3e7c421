// Issue 14, points 5 and 6. 5: a broker's own claims wait for the enterprise or an organizer to confirm them,
// at most a limit of them at once (10 unless an organizer sets another), and the enterprise's private contact
// is revealed only once the assignment is confirmed. 6: organizers must sign in with two-step login (enrolment
// forced at their next sign-in), and API tokens made on the web need a second-factor session and expire.
import request from 'supertest';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, csrfFrom, loginAgent, makeUser, PASSWORD, submit } from '../support/agent.ts';
import { demandOf, owner, PHONE } from '../support/directory.ts';
import { advanceClock } from '../support/clock.ts';
import { clock } from '../../server/platform/clock.ts';
import { Demand } from '../../server/demands/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { ApiToken } from '../../server/accounts/model.ts';
import { createToken, resetTotp } from '../../server/accounts/service.ts';

const { app } = buildTestApp();
const DAY = 86_400_000;

describe('5. brokers claim needs', () => {
  it('5. when a broker claims needs beyond the cap, then the claim is refused and no contact is revealed before confirmation', async () => {
    const broker = await owner('broker');
    const organizer = await apiToken('organizer');
    const enterprises = [];
    for (let i = 0; i < 6; i++) enterprises.push(await owner('enterprise'));
    const needs: { id: string; enterprise: (typeof enterprises)[number] }[] = [];
    for (let i = 0; i < 41; i++) {
      const enterprise = enterprises[i % enterprises.length]!;
      needs.push({ id: (await demandOf(enterprise.actor)).id, enterprise });
    }
    const claim = (id: string) => request(app).post(`/api/v1/demands/${id}/claim`).set(broker.auth);
    const unconfirmed = () => Demand.countDocuments({ broker: broker.id, brokerConfirmedAt: null, deletedAt: null });

    // The report's 41 claims, all at once: never more than the limit are kept.
    const answers = await Promise.all(needs.map((n) => claim(n.id)));
    const taken = answers.filter((a) => a.status === 204).length;
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(41 - taken);
    expect(await unconfirmed()).toBe(taken);
    // Topped up one by one to the limit; the eleventh is refused with a clear message.
    const ids = new Set(needs.map((n) => n.id));
    const free = async () => (await Demand.find({ broker: null }).lean()).map((d) => String(d._id)).filter((id) => ids.has(id));
    for (const id of (await free()).slice(0, 10 - taken)) await claim(id).expect(204);
    expect(await unconfirmed()).toBe(10);
    const eleventh = await claim((await free())[0]!);
    expect(eleventh.status).toBe(409);
    expect(eleventh.headers['content-type']).toMatch(/problem\+json/);
    expect(eleventh.body.detail).toContain('上限（10 项）');

    // Nothing private is shown while the claims wait: not on the need, not on the enterprise, not on the page.
    const mine = (await Demand.find({ broker: broker.id }).lean()).map((d) => String(d._id));
    expect(mine).toHaveLength(10);
    for (const id of mine) {
      const need = await request(app).get(`/api/v1/demands/${id}`).set(broker.auth).expect(200);
      expect(need.body.broker).toMatchObject({ id: broker.id, confirmed: false });
      expect(need.body.contact).toBeUndefined();
    }
    for (const e of enterprises) {
      const page = await request(app).get(`/api/v1/enterprises/${e.id}`).set(broker.auth).expect(200);
      expect(page.body.contact).toBeUndefined();
    }
    const brokerPage = await loginAgent(app, broker.user.email);
    expect((await brokerPage.get(`/demands/${mine[0]}`).expect(200)).text).not.toContain(PHONE);
    expect(await Audit.countDocuments({ action: 'contact.reveal', actorId: broker.user.id })).toBe(0);

    // Only the enterprise that owns the need, or an organizer, confirms; then the contact shows, audited.
    const first = needs.find((n) => n.id === mine[0])!;
    const other = enterprises.find((e) => e !== first.enterprise)!;
    expect((await request(app).post(`/api/v1/demands/${first.id}/claim/confirm`).set(broker.auth)).status).toBe(403);
    expect((await request(app).post(`/api/v1/demands/${first.id}/claim/confirm`).set(other.auth)).status).toBe(403);
    const confirmed = await request(app).post(`/api/v1/demands/${first.id}/claim/confirm`).set(first.enterprise.auth).expect(200);
    expect(confirmed.body.broker).toMatchObject({ id: broker.id, confirmed: true });
    expect((await request(app).post(`/api/v1/demands/${first.id}/claim/confirm`).set(first.enterprise.auth)).status).toBe(409);
    const revealed = await request(app).get(`/api/v1/demands/${first.id}`).set(broker.auth).expect(200);
    expect(revealed.body.contact.phone).toBe(PHONE);
    expect(await Audit.countDocuments({ action: 'contact.reveal', actorId: broker.user.id, targetId: first.enterprise.id, detail: 'broker' })).toBe(1);
    const stillHidden = enterprises.filter((e) => e !== first.enterprise);
    for (const e of stillHidden) expect((await request(app).get(`/api/v1/enterprises/${e.id}`).set(broker.auth)).body.contact).toBeUndefined();

    // A confirmed claim frees its place: one more claim, then the limit again.
    await claim((await free())[0]!).expect(204);
    expect((await claim((await free())[0]!)).status).toBe(409);

    // An organizer raises this broker's limit on the broker's page (the broker cannot) and confirms on the need's page.
    expect((await submit(brokerPage, `/brokers/${broker.id}`, `/brokers/${broker.id}/claim-limit`, { claimLimit: '50' })).status).toBe(403);
    const bureau = await loginAgent(app, organizer.user.email);
    const profile = await bureau.get(`/brokers/${broker.id}`).expect(200);
    expect(profile.text).toContain('待确认的认领 <strong>10</strong> / 10 项');
    const raised = await bureau.post(`/brokers/${broker.id}/claim-limit`).type('form').send({ _csrf: csrfFrom(profile.text), claimLimit: '12' });
    expect(raised.status).toBe(303);
    await claim((await free())[0]!).expect(204);
    await claim((await free())[0]!).expect(204);
    expect((await claim((await free())[0]!)).status).toBe(409);
    const waiting = (await Demand.find({ broker: broker.id, brokerConfirmedAt: null }).lean()).map((d) => String(d._id))[0]!;
    const needPage = await bureau.get(`/demands/${waiting}`).expect(200);
    expect(needPage.text).toContain('确认经纪人认领');
    const byPage = await bureau.post(`/demands/${waiting}/claim/confirm`).type('form').send({ _csrf: csrfFrom(needPage.text) });
    expect(byPage.status).toBe(303);
    expect((await Demand.findById(waiting).lean())?.brokerConfirmedAt).toBeInstanceOf(Date);

    // An organizer's own assignment counts as confirmed: the contact shows at once.
    const assignedTo = await owner('enterprise');
    const direct = await demandOf(assignedTo.actor);
    await request(app).put(`/api/v1/demands/${direct.id}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
    const assigned = await request(app).get(`/api/v1/demands/${direct.id}`).set(broker.auth).expect(200);
    expect(assigned.body.broker.confirmed).toBe(true);
    expect(assigned.body.contact.phone).toBe(PHONE);
  }, 180_000);
});

describe('6. organizers sign in with two steps', () => {
  it('6. when an organizer without two-step login signs in, then enrolment is forced; tokens made on the web need a second-factor session and expire', async () => {
    const organizer = await makeUser('organizer', { totp: false });
    const signIn = async () => {
      const agent = request.agent(app);
      const token = await csrf(agent);
      const res = await agent.post('/login').type('form').send({ _csrf: token, email: organizer.email, password: PASSWORD });
      return { agent, res };
    };
    const { agent, res } = await signIn();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account/totp');
    const elsewhere = (await signIn()).agent; // a second browser, also at enrolment

    // Nothing but enrolment: pages send it back, forms are refused, and no token can be made.
    for (const path of ['/account', '/admin/users', '/demands', '/targets']) {
      const page = await agent.get(path);
      expect(page.status, path).toBe(303);
      expect(page.headers.location, path).toBe('/account/totp');
    }
    const enrol = await agent.get('/account/totp').expect(200);
    expect(enrol.text).toContain('区科技局账户必须使用两步验证');
    const refused = await agent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(enrol.text), name: '绕过两步验证' });
    expect(refused.status).toBe(403);
    expect(await ApiToken.countDocuments({ userId: organizer.id })).toBe(0);

    // Enrolling with a code opens the rest, in this session; the other browser must sign in again, with the code.
    const secret = /密钥：<code>([A-Z2-7]+)<\/code>/.exec(enrol.text)![1]!;
    const done = await agent.post('/account/totp').type('form').send({ _csrf: csrfFrom(enrol.text), code: await generate({ secret, epoch: Math.floor(clock.ms() / 1000) - 30 }) });
    expect(done.status).toBe(303);
    await agent.get('/admin/users').expect(200);
    const stale = await elsewhere.get('/admin/users');
    expect(stale.status).toBe(303);
    expect(stale.headers.location).toMatch(/^\/login\?next=/);
    expect((await signIn()).res.headers.location).toBe('/login/totp');
    // Changing the password starts a new session; it keeps the second factor this one passed.
    const settings = await agent.get('/account').expect(200);
    const newPassword = `${PASSWORD}-新`;
    const changed = await agent.post('/account/password').type('form').send({ _csrf: csrfFrom(settings.text), currentPassword: PASSWORD, newPassword, newPasswordConfirm: newPassword });
    expect(changed.status).toBe(303);
    await agent.get('/admin/users').expect(200);

    // A token made on the web lives 90 days for an organizer, and says so.
    const account = await agent.get('/account').expect(200);
    const created = await agent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(account.text), name: '统计报送' });
    expect(created.status).toBe(201);
    const token = /<code>(tbd_[A-Za-z0-9_-]+)<\/code>/.exec(created.text)![1]!;
    const bearer = { Authorization: `Bearer ${token}` };
    const stored = (await ApiToken.findOne({ userId: organizer.id }).lean())!;
    expect(stored.expiresAt!.getTime() - clock.ms()).toBeGreaterThan(89.9 * DAY);
    expect(stored.expiresAt!.getTime() - clock.ms()).toBeLessThanOrEqual(90 * DAY);
    await request(app).get('/api/v1/users').set(bearer).expect(200);

    // Renewed on day 80 (a new sign-in, with the code), it still works on day 100 …
    advanceClock(80 * DAY);
    await request(app).get('/api/v1/users').set(bearer).expect(200);
    const later = await loginAgent(app, organizer.email, newPassword);
    const tokensPage = await later.get('/account').expect(200);
    expect(tokensPage.text).toContain(`/account/tokens/${stored._id}/renew`);
    expect((await later.post(`/account/tokens/${stored._id}/renew`).type('form').send({ _csrf: csrfFrom(tokensPage.text) })).status).toBe(303);
    advanceClock(20 * DAY);
    await request(app).get('/api/v1/users').set(bearer).expect(200);

    // … and once its 90 days run out, the API says it expired, and it cannot be renewed.
    advanceClock(71 * DAY);
    const expired = await request(app).get('/api/v1/users').set(bearer);
    expect(expired.status).toBe(401);
    expect(expired.headers['content-type']).toMatch(/problem\+json/);
    expect(expired.body.detail).toMatch(/访问令牌“统计报送”已于 \d{4}-\d{2}-\d{2} 过期/);
    const last = await loginAgent(app, organizer.email, newPassword);
    const lastPage = await last.get('/account').expect(200);
    expect(lastPage.text).toContain('已过期');
    expect((await last.post(`/account/tokens/${stored._id}/renew`).type('form').send({ _csrf: csrfFrom(lastPage.text) })).status).toBe(409);

    // Other accounts' web tokens live a year.
    const expert = await makeUser('expert');
    const expertAgent = await loginAgent(app, expert.email);
    const expertPage = await expertAgent.get('/account');
    await expertAgent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(expertPage.text), name: '脚本' }).expect(201);
    const expertToken = (await ApiToken.findOne({ userId: expert.id }).lean())!;
    expect(Math.round((expertToken.expiresAt!.getTime() - clock.ms()) / DAY)).toBe(365);

    // The administrator's way in (npm run cli -- token:create, the same service call) needs no second factor.
    const admin = await makeUser('organizer', { totp: false });
    const { token: cliToken } = await createToken(admin, 'CLI');
    await request(app).get('/api/v1/users').set('Authorization', `Bearer ${cliToken}`).expect(200);
    expect((await ApiToken.findOne({ userId: admin.id }).lean())?.expiresAt).toBeUndefined();
    // … and resets a lost phone (npm run cli -- totp:reset): the organizer enrols again at the next sign-in.
    await resetTotp(organizer.id);
    const afterReset = request.agent(app);
    const resetToken = await csrf(afterReset);
    const again = await afterReset.post('/login').type('form').send({ _csrf: resetToken, email: organizer.email, password: newPassword });
    expect(again.headers.location).toBe('/account/totp');
  }, 120_000);
});
