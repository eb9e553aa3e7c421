// Issue 13, "Claim": a person who registers and finds their enterprise (by credit code) or institution (by name)
// already listed asks to join it instead of being refused; the organizers see the claim with what was entered and
// approve or reject it; the applicant is told by notification and mail, and once approved owns the record beside
// its other accounts. One pending claim per account, at most five in all; two submitted at once cannot both pass.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { creditCode, owner } from '../support/directory.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { enterprises } from '../../server/organizations/enterprise-service.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { enterpriseInput, institutionInput } from '../../server/organizations/schema.ts';
import { User } from '../../server/accounts/model.ts';
import * as accounts from '../../server/accounts/service.ts';
import { Notification } from '../../server/notifications/model.ts';
import { Outbox } from '../../server/mail/model.ts';
import { Claim } from '../../server/memberships/model.ts';
import { MAX_CLAIMS } from '../../server/memberships/claims.ts';

const t = buildTestApp();
const { app } = t;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let seq = 0;

beforeAll(async () => {
  organizer = await apiToken('organizer');
});

/** An enterprise the bureau imported: listed, no account. */
async function listedEnterprise() {
  const code = creditCode();
  const e = await enterprises.create(organizer.user, parse(enterpriseInput, { name: `荆门东宝化工有限公司${++seq}`, creditCode: code, industry: 'chemicals', town: 'shiqiaoyi', contact: { name: '刘经理', phone: '0724-8800001' } }));
  return { ...e, code };
}

/** Registers through the form, as a person would; returns the signed-in agent. */
async function register(role: 'enterprise' | 'institution', name: string) {
  const agent = request.agent(app);
  const email = uniqueEmail(role);
  const token = await csrf(agent, '/register');
  const res = await agent.post('/register').type('form').send({ _csrf: token, role, name, email, password: PASSWORD, passwordConfirm: PASSWORD });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return { agent, email, user: (await User.findOne({ emailLower: email }).lean())! };
}

describe('claims to join a listed enterprise or institution', () => {
  it('when an employee registers with an existing credit code, then they can claim the enterprise, the bureau approves, and they own it beside its other accounts', async () => {
    const listed = await listedEnterprise();
    // A colleague already speaks for it (invited earlier).
    const colleague = await accounts.createLinkedUser({ name: '王五', email: uniqueEmail('colleague'), role: 'enterprise' }, PASSWORD, { kind: 'enterprise', id: listed.id });
    const { agent, email, user } = await register('enterprise', '张三');

    // Listing it again is refused, with the way to join it.
    const form = await agent.get('/enterprises/new').expect(200);
    const again = await agent.post('/enterprises').type('form').send({ _csrf: csrfFrom(form.text), name: '东宝化工', creditCode: listed.code, industry: 'chemicals', town: 'shiqiaoyi' });
    expect(again.status).toBe(400);
    expect(again.text).toContain(`已被“${listed.name}”使用`);
    expect(again.text).toContain(`/claims/new?entered=${listed.code}`);

    const claimForm = await agent.get(`/claims/new?entered=${listed.code}`).expect(200);
    expect(claimForm.text).toContain(`value="${listed.code}"`);
    const sent = await agent.post('/claims').type('form').send({ _csrf: csrfFrom(claimForm.text), kind: 'enterprise', entered: listed.code.toLowerCase(), message: '我是公司技术部负责人' });
    expect(sent.status, sent.text.slice(0, 300)).toBe(303);
    const claim = (await Claim.findOne({ user: String(user._id) }).lean())!;
    expect(claim).toMatchObject({ status: 'pending', record: listed.id, entered: listed.code.toLowerCase(), message: '我是公司技术部负责人' });

    // The organizers are told (notice + mail), and see it in their queue with the count in the header.
    expect(await Notification.exists({ user: organizer.user.id, kind: 'claim.pending' })).toBeTruthy();
    expect(await Outbox.exists({ key: `notice:claim:${String(claim._id)}:pending|${organizer.user.id}`, kind: 'claim.pending' })).toBeTruthy();
    const bureau = await loginAgent(app, organizer.user.email);
    const queue = await bureau.get('/admin/claims').expect(200);
    expect(queue.text).toContain(email);
    expect(queue.text).toContain(listed.code.toLowerCase());
    expect(queue.text).toMatch(/加入申请<span class="badge">\d+/);

    // A second claim while this one waits: refused.
    const twice = await agent.post('/claims').type('form').send({ _csrf: csrfFrom(claimForm.text), kind: 'enterprise', entered: listed.code });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('正在等待区科技局审核');

    const approved = await bureau.post(`/admin/claims/${String(claim._id)}/approve`).type('form').send({ _csrf: csrfFrom(queue.text) });
    expect(approved.status).toBe(303);
    expect(await User.findById(user._id).lean()).toMatchObject({ profile: { kind: 'enterprise', id: listed.id }, status: 'active' });
    expect(await Notification.exists({ user: String(user._id), kind: 'claim.approved' })).toBeTruthy();
    expect(await Outbox.exists({ to: email, kind: 'claim.decided' })).toBeTruthy();

    // Owns it: edits the record and posts a need for it.
    const edit = await agent.get(`/enterprises/${listed.id}/edit`).expect(200);
    const saved = await agent.post(`/enterprises/${listed.id}`).type('form').send({ _csrf: csrfFrom(edit.text), name: listed.name, creditCode: listed.code, industry: 'chemicals', town: 'shiqiaoyi', intro: '磷化工与精细化工', contactName: '张三' });
    expect(saved.status, saved.text.slice(0, 400)).toBe(303);
    expect((await request(app).get(`/api/v1/enterprises/${listed.id}`).expect(200)).body.intro).toBe('磷化工与精细化工');
    const needForm = await agent.get('/demands/new').expect(200);
    expect(needForm.text).not.toContain('请先登记企业信息');
    // …beside the colleague, who still does too.
    const other = await loginAgent(app, colleague.email);
    await other.get(`/enterprises/${listed.id}/edit`).expect(200);

    // Deciding again changes nothing.
    const repeat = await request(app).post(`/api/v1/claims/${String(claim._id)}/approve`).set(organizer.auth);
    expect(repeat.status).toBe(409);
  });

  it('when the bureau rejects a claim, then the applicant is told why and may ask again, but not more than five times', async () => {
    const listed = await listedEnterprise();
    const applicant = await apiToken('enterprise');
    const ask = () => request(app).post('/api/v1/claims').set(applicant.auth).send({ kind: 'enterprise', entered: listed.code });
    const first = await ask();
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const rejected = await request(app).post(`/api/v1/claims/${first.body.id}/reject`).set(organizer.auth).send({ reason: '无法核实您在该企业任职' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: '无法核实您在该企业任职' });
    const notice = await Notification.findOne({ user: applicant.user.id, kind: 'claim.rejected' }).lean();
    expect(notice?.body).toBe('无法核实您在该企业任职');
    const mine = await request(app).get('/api/v1/claims').set(applicant.auth).expect(200);
    expect(mine.body.items[0]).toMatchObject({ status: 'rejected', reason: '无法核实您在该企业任职' });

    for (let i = 1; i < MAX_CLAIMS; i++) {
      const again = await ask();
      expect(again.status).toBe(201);
      await request(app).post(`/api/v1/claims/${again.body.id}/reject`).set(organizer.auth).send({}).expect(200);
    }
    const over = await ask();
    expect(over.status).toBe(409);
    expect(over.body.detail).toContain('上限');
  });

  it('when two claims are submitted at the same moment, then exactly one is kept', async () => {
    const listed = await listedEnterprise();
    const applicant = await apiToken('enterprise');
    const results = await Promise.all([1, 2, 3].map(() => request(app).post('/api/v1/claims').set(applicant.auth).send({ kind: 'enterprise', entered: listed.code })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await Claim.countDocuments({ user: applicant.user.id })).toBe(1);
  });

  it('when an institution account waiting for approval claims its listed institution by name, then approving the claim approves the account too', async () => {
    const inst = await institutions.create(organizer.user, parse(institutionInput, { name: `武汉工程大学（荆门研究院）${++seq}`, kind: 'university', province: '湖北省', city: '武汉市' }));
    const { agent, user } = await register('institution', '李老师');
    expect(user.status).toBe('pending');
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('/claims/new');
    const form = await agent.get('/claims/new').expect(200);
    // Spaces and bracket widths do not matter.
    const sent = await agent.post('/claims').type('form').send({ _csrf: csrfFrom(form.text), kind: 'institution', entered: ` ${inst.name.replace('（', '(').replace('）', ')')} ` });
    expect(sent.status, sent.text.slice(0, 300)).toBe(303);
    const claim = (await Claim.findOne({ user: String(user._id) }).lean())!;
    await request(app).post(`/api/v1/claims/${String(claim._id)}/approve`).set(organizer.auth).expect(200);
    expect(await User.findById(user._id).lean()).toMatchObject({ status: 'active', profile: { kind: 'institution', id: inst.id } });
    await agent.get('/results/new').expect(200);
  });

  it('when an institution account lists an institution under a name already listed, then it is refused with the way to join it', async () => {
    const inst = await institutions.create(organizer.user, parse(institutionInput, { name: `湖北工业大学${++seq}`, kind: 'university', province: '湖北省', city: '武汉市' }));
    const { user } = await makeUser('institution').then(async (u) => ({ user: u }));
    const agent = await loginAgent(app, user.email);
    const form = await agent.get('/institutions/new').expect(200);
    const res = await agent.post('/institutions').type('form').send({ _csrf: csrfFrom(form.text), name: ` ${inst.name} `, kind: 'university', province: '湖北省', city: '武汉市' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('已在平台登记');
    expect(res.text).toContain('/claims/new?entered=');
  });

  it('when a claim names nothing listed, comes from the wrong kind of account or from one that already has a record, then it is refused with the reason', async () => {
    const applicant = await apiToken('enterprise');
    const unknown = await request(app).post('/api/v1/claims').set(applicant.auth).send({ kind: 'enterprise', entered: creditCode() });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.entered).toContain('没有这个统一社会信用代码');
    const empty = await request(app).post('/api/v1/claims').set(applicant.auth).send({ kind: 'enterprise', entered: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.entered).toBeDefined();
    const listed = await listedEnterprise();
    const expert = await apiToken('expert');
    expect((await request(app).post('/api/v1/claims').set(expert.auth).send({ kind: 'enterprise', entered: listed.code })).status).toBe(403);
    const linked = await owner('enterprise');
    const has = await request(app).post('/api/v1/claims').set(linked.auth).send({ kind: 'enterprise', entered: listed.code });
    expect(has.status).toBe(409);
    expect(has.body.detail).toContain('已经代表一个单位');
    const visitor = await request(app).post('/api/v1/claims').send({ kind: 'enterprise', entered: listed.code });
    expect(visitor.status).toBe(401);
    expect((await request(app).get('/api/v1/claims?status=pending').set(organizer.auth).expect(200)).body.items).toBeInstanceOf(Array);
    expect((await request(app).post(`/api/v1/claims/${'0'.repeat(24)}/approve`).set(applicant.auth)).status).toBe(403);
  });
});

describe("the bureau's home page", () => {
  it('when claims and registrations wait, then an organizer sees them counted on the home page with links, and others do not', async () => {
    const listed = await listedEnterprise();
    const applicant = await apiToken('enterprise');
    await request(app).post('/api/v1/claims').set(applicant.auth).send({ kind: 'enterprise', entered: listed.code }).expect(201);
    await makeUser('institution', { status: 'pending' });
    const bureau = await loginAgent(app, organizer.user.email);
    const home = await bureau.get('/').expect(200);
    expect(home.text).toContain('区科技局待办');
    expect(home.text).toMatch(/待审核的加入申请<\/a>：<strong>[1-9]\d*<\/strong> 份/);
    expect(home.text).toMatch(/待审核的注册<\/a>：<strong>[1-9]\d*<\/strong> 个/);
    const visitor = await request(app).get('/').expect(200);
    expect(visitor.text).not.toContain('区科技局待办');
  });
});
