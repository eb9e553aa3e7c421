// Issue 13, "Accounts for existing records": an organizer invites a person to an existing record (page and API);
// the mailed link (hashed, single use, 14 days) sets a name and password and makes an active account bound to the
// record, which then edits the record as its owner. Inviting again revokes the earlier link; wrong, used, expired
// or revoked links and deleted records get a Chinese page and change nothing; a record takes at most 20 accounts;
// the bulk invitation reports what it sent and resumes a batch whose process stopped.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { capturedLog, useMailDelivery } from '../support/mail.ts';
import { advanceClock } from '../support/clock.ts';
import { apiToken, csrf, csrfFrom, loginAgent, makeUser, PASSWORD, type Agent } from '../support/agent.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { institutionInput } from '../../server/organizations/schema.ts';
import { User } from '../../server/accounts/model.ts';
import * as accounts from '../../server/accounts/service.ts';
import { Invitation, InvitationBatch } from '../../server/memberships/model.ts';
import { MAX_ACCOUNTS } from '../../server/memberships/records.ts';

const BASE = 'http://kj.dongbao.test:8080';
const log = capturedLog();
const t = buildTestApp({ env: { BASE_URL: BASE }, logger: log.logger });
const { app } = t;
let seq = 0;

const { smtp, deliver } = useMailDelivery(t, BASE);

let organizer: Awaited<ReturnType<typeof apiToken>>;

beforeAll(async () => {
  organizer = await apiToken('organizer');
});

const address = (name: string) => `${name}.${process.pid}.${++seq}@example.cn`;

/** An institution the bureau listed: no account speaks for it. */
async function listedInstitution(email?: string) {
  const contact = { name: '王老师', phone: '0724-2300001', ...(email ? { email } : {}) };
  return institutions.create(organizer.user, parse(institutionInput, { name: `湖北省磷化工研究院${++seq}`, kind: 'institute', province: '湖北省', city: '荆门市', contact }));
}

async function invite(kind: string, id: string, email: string) {
  return request(app).post('/api/v1/invitations').set(organizer.auth).send({ kind, id, email });
}

/** The invitation link in the last mail to `to`, as a path. */
function linkIn(to: string): { path: string; token: string; text: string; subject: string } {
  const got = smtp.received.filter((r) => r.envelope.to.some((a) => a.toLowerCase() === to.toLowerCase())).at(-1);
  expect(got, `a mail to ${to}`).toBeDefined();
  const m = new RegExp(`${BASE.replace(/\./g, '\\.')}/invitations/([A-Za-z0-9_-]{43})`).exec(got!.mail.text ?? '');
  expect(m, got!.mail.text).not.toBeNull();
  return { path: `/invitations/${m![1]}`, token: m![1]!, text: got!.mail.text ?? '', subject: got!.mail.subject ?? '' };
}

async function accept(agent: Agent, path: string, fields: Record<string, string>) {
  const page = await agent.get(path);
  expect(page.status, page.text.slice(0, 300)).toBe(200);
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

describe('invitations to existing records', () => {
  it('when an organizer invites the contact of a listed institution, then the mailed link sets a password and that person signs in and edits the institution and its results', async () => {
    const to = address('wang');
    const inst = await listedInstitution(to);
    const res = await invite('institution', inst.id, to);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'institution', record: { id: inst.id }, email: to, state: 'open' });
    await deliver();

    const mail = linkIn(to);
    expect(mail.subject).toBe(`邀请您开通东宝科技对接平台账户（${inst.name}）`);
    expect(mail.text).toContain('王老师，您好：');
    expect(mail.text).toContain(`高校院所“${inst.name}”的联系人`);
    for (const link of mail.text.match(/https?:\/\/\S+/g)!) expect(link.startsWith(`${BASE}/`)).toBe(true);
    // Only the hash is stored.
    expect(await Invitation.countDocuments({ _id: mail.token })).toBe(0);

    const visitor = request.agent(app);
    const page = await visitor.get(mail.path).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain(inst.name);
    expect(page.text).toContain(to);

    // A weak password: the field says why, nothing is made and the link still works.
    const weak = await accept(visitor, mail.path, { name: '王建国', password: '12345678', passwordConfirm: '12345678' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('aria-invalid="true"');
    expect(await User.countDocuments({ emailLower: to })).toBe(0);

    const done = await accept(visitor, mail.path, { name: '王建国', password: PASSWORD, passwordConfirm: PASSWORD });
    expect(done.status, done.text.slice(0, 300)).toBe(303);
    expect(done.headers.location).toBe(`/institutions/${inst.id}`);
    const user = await User.findOne({ emailLower: to }).lean();
    expect(user).toMatchObject({ name: '王建国', role: 'institution', status: 'active', profile: { kind: 'institution', id: inst.id } });

    // Signed in by the link; and later by the password it set.
    const me = await visitor.get('/account').expect(200);
    expect(me.text).toContain('王建国');
    const person = await loginAgent(app, to, PASSWORD);
    const form = await person.get(`/institutions/${inst.id}/edit`).expect(200);
    const saved = await person.post(`/institutions/${inst.id}`).type('form').send({
      _csrf: csrfFrom(form.text), name: inst.name, kind: 'institute', province: '湖北省', city: '荆门市', intro: '磷化工中试基地', contactName: '王建国', contactEmail: to,
    });
    expect(saved.status, saved.text.slice(0, 400)).toBe(303);
    expect((await request(app).get(`/api/v1/institutions/${inst.id}`).expect(200)).body.intro).toBe('磷化工中试基地');
    const newResult = await person.get('/results/new').expect(200);
    expect(newResult.text).not.toContain('请先登记');

    // The link again: used.
    const again = await request(app).get(mail.path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('已经使用过');
    expect(log.text()).not.toContain(mail.token);
  });

  it('when the same person is invited again, then the earlier link stops working and says a newer one replaced it', async () => {
    const to = address('li');
    const inst = await listedInstitution();
    expect((await invite('institution', inst.id, to)).status).toBe(201);
    await deliver();
    const first = linkIn(to);
    expect((await invite('institution', inst.id, to.toUpperCase())).status).toBe(201);
    await deliver();
    const second = linkIn(to);
    expect(second.token).not.toBe(first.token);
    const old = await request(app).get(first.path);
    expect(old.status).toBe(410);
    expect(old.text).toContain('更新的邀请取代');
    await request(app).get(second.path).expect(200);
    const list = await request(app).get(`/api/v1/invitations?kind=institution&id=${inst.id}`).set(organizer.auth).expect(200);
    expect(list.body.items.map((i: { state: string }) => i.state)).toEqual(['open', 'revoked']);
  });

  it('when a link is unknown, malformed, expired, or its record was deleted, then a Chinese page says so and nothing changes', async () => {
    expect((await request(app).get(`/invitations/${'A'.repeat(43)}`)).status).toBe(404);
    const malformed = await request(app).get('/invitations/not-a-token');
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('邀请链接无效');

    const to = address('zhao');
    const inst = await listedInstitution();
    await invite('institution', inst.id, to);
    await deliver();
    const link = linkIn(to);
    advanceClock(15 * 86_400_000);
    const expired = await request(app).get(link.path);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('已过期');
    const visitor = request.agent(app);
    const token = await csrf(visitor, '/login');
    const post = await visitor.post(link.path).type('form').send({ _csrf: token, name: '赵六', password: PASSWORD, passwordConfirm: PASSWORD });
    expect(post.status).toBe(410);
    expect(await User.countDocuments({ emailLower: to })).toBe(0);

    const to2 = address('qian');
    const gone = await listedInstitution();
    await invite('institution', gone.id, to2);
    await deliver();
    const link2 = linkIn(to2);
    await request(app).delete(`/api/v1/institutions/${gone.id}`).set(organizer.auth).expect(204);
    const deleted = await request(app).get(link2.path);
    expect(deleted.status).toBe(410);
    expect(deleted.text).toContain('已被删除');
  });

  it('when an invitation is badly formed, for a missing record, by a non-organizer or to a registered address, then it is refused with the reason', async () => {
    const inst = await listedInstitution();
    const bad = await invite('institution', inst.id, 'not-an-address');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.email).toBe('邮箱格式不正确。');
    const kind = await invite('organizer', inst.id, address('x'));
    expect(kind.status).toBe(400);
    expect(kind.body.errors.kind).toBeDefined();
    expect((await invite('institution', '0123456789abcdef01234567', address('x'))).status).toBe(404);
    const ent = await apiToken('enterprise');
    expect((await request(app).post('/api/v1/invitations').set(ent.auth).send({ kind: 'institution', id: inst.id, email: address('x') })).status).toBe(403);
    const registered = await makeUser('expert');
    const taken = await invite('institution', inst.id, registered.email);
    expect(taken.status).toBe(400);
    expect(taken.body.errors.email).toContain('已注册');
    expect(await Invitation.countDocuments({ record: inst.id })).toBe(0);
  });

  it('when a record already has the maximum of accounts, then another invitation is refused', async () => {
    const inst = await listedInstitution();
    for (let i = 0; i < MAX_ACCOUNTS; i++) {
      await accounts.createLinkedUser({ name: `成员${i}`, email: address('member'), role: 'institution' }, PASSWORD, { kind: 'institution', id: inst.id });
    }
    const full = await invite('institution', inst.id, address('one-more'));
    expect(full.status).toBe(409);
    expect(full.body.detail).toContain(`${MAX_ACCOUNTS} 个账户`);
  });

  it('when an organizer invites from the record page, then a bad address is shown beside the field and a good one lists the open invitation', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const inst = await listedInstitution();
    const show = await agent.get(`/institutions/${inst.id}`).expect(200);
    expect(show.text).toContain(`/admin/accounts/institution/${inst.id}`);
    const page = await agent.get(`/admin/accounts/institution/${inst.id}`).expect(200);
    expect(page.text).toContain('还没有账户代表这条记录');
    const bad = await agent.post(`/admin/accounts/institution/${inst.id}/invite`).type('form').send({ _csrf: csrfFrom(page.text), email: 'wang@' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="e-email"');
    const to = address('page');
    const ok = await agent.post(`/admin/accounts/institution/${inst.id}/invite`).type('form').send({ _csrf: csrfFrom(page.text), email: to });
    expect(ok.status).toBe(303);
    const after = await agent.get(`/admin/accounts/institution/${inst.id}`).expect(200);
    expect(after.text).toContain(to);
    expect(after.text).toContain('撤销');
  });
});

describe('bulk invitations', () => {
  async function waitFinished(id: string) {
    for (let i = 0; i < 100; i++) {
      const res = await request(app).get(`/api/v1/invitations/batches/${id}`).set(organizer.auth).expect(200);
      if (res.body.status === 'finished') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the batch did not finish');
  }

  it('when an organizer invites several listed records at once, then each address with room gets a mail and the report names what was skipped and why', async () => {
    const a = address('bulk-a');
    const b = address('bulk-b');
    const registered = await makeUser('institution');
    const one = await listedInstitution(a);
    const two = await listedInstitution(b);
    const three = await listedInstitution(registered.email);
    const none = await listedInstitution();

    const agent = await loginAgent(app, organizer.user.email);
    const list = await agent.get('/admin/invitations?kind=institution&limit=100').expect(200);
    expect(list.text).toContain(one.name);
    expect(list.text).not.toContain(none.name); // no address to invite

    const res = await request(app).post('/api/v1/invitations/bulk').set(organizer.auth).send({ kind: 'institution', ids: [one.id, two.id, three.id, none.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const batch = await waitFinished(res.body.id);
    expect(batch).toMatchObject({ total: 4, done: 4, sent: 2, skipped: 2 });
    const byRecord = Object.fromEntries(batch.items.map((i: { record: string }) => [i.record, i]));
    expect(byRecord[three.id]).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('已注册') });
    expect(byRecord[none.id]).toMatchObject({ outcome: 'skipped', reason: '没有联系邮箱。' });
    await deliver();
    expect(smtp.to(a)).toHaveLength(1);
    expect(smtp.to(b)).toHaveLength(1);

    const report = await agent.get(`/admin/invitations/batches/${res.body.id}`).expect(200);
    expect(report.text).toContain('发出邀请 2 封，跳过 2 条');
    expect(report.text).toContain('没有联系邮箱');
  });

  it('when the process working on a batch stopped half-way, then the next look at the batch finishes it without inviting anyone twice', async () => {
    const a = address('resume-a');
    const b = address('resume-b');
    const one = await listedInstitution(a);
    const two = await listedInstitution(b);
    // What a crash leaves: the first item done and recorded, the heartbeat old.
    await request(app).post('/api/v1/invitations').set(organizer.auth).send({ kind: 'institution', id: one.id, email: a }).expect(201);
    const stalled = await InvitationBatch.create({
      kind: 'institution',
      by: organizer.user.id,
      byName: organizer.user.name,
      items: [
        { record: one.id, name: one.name, email: a, outcome: 'sent' },
        { record: two.id, name: two.name, email: b },
      ],
      done: 1,
      heartbeatAt: new Date(Date.parse('2026-01-01T00:00:00Z')),
    });
    const first = await request(app).get(`/api/v1/invitations/batches/${stalled._id}`).set(organizer.auth).expect(200);
    expect(first.body.stalled).toBe(true);
    const batch = await waitFinished(String(stalled._id));
    expect(batch).toMatchObject({ done: 2, sent: 2, skipped: 0 });
    expect(await Invitation.countDocuments({ record: one.id })).toBe(1);
    expect(await Invitation.countDocuments({ record: two.id })).toBe(1);
  });

  it('when a bulk invitation is empty, too large or names bad ids, then it is refused before anything is sent', async () => {
    const empty = await request(app).post('/api/v1/invitations/bulk').set(organizer.auth).send({ kind: 'institution', ids: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.ids).toBe('请至少选择一条记录。');
    const ids = Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(24, '0'));
    expect((await request(app).post('/api/v1/invitations/bulk').set(organizer.auth).send({ kind: 'institution', ids })).body.errors.ids).toContain('500');
    expect((await request(app).post('/api/v1/invitations/bulk').set(organizer.auth).send({ kind: 'institution', ids: ['x'] })).status).toBe(400);
  });
});
