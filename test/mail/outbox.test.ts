// Issue 13, e-mail without SMTP_URL, and what every mail is wired to: mail stays in the outbox (held) where
// organizers read it (/admin/mail, GET /api/v1/outbox) and nobody else may; preferences on /account and the
// unsubscribe link; the events that mail today (contact requests, registrations, approvals, roadshows).
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, csrfFrom, loginAgent, PASSWORD, uniqueEmail, userAgent, type Agent } from '../support/agent.ts';
import { owner, resultOf } from '../support/directory.ts';
import { at, makeCampaign, roadshowBody } from '../campaigns/support.ts';
import { mailSettings, type MailSettings } from '../../server/mail/service.ts';
import { MailWorker } from '../../server/mail/worker.ts';
import { Outbox, type OutboxDoc } from '../../server/mail/model.ts';
import { User } from '../../server/accounts/model.ts';

const BASE = 'http://kj.dongbao.test:8080';
const t = buildTestApp({ env: { BASE_URL: BASE } });
const { app } = t;
let settings: MailSettings;

let organizer: Awaited<ReturnType<typeof userAgent>>;
let organizerApi: Awaited<ReturnType<typeof apiToken>>;
let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let instAgent: Agent;

const mailsTo = (to: string) => Outbox.find({ to }).sort({ createdAt: 1, _id: 1 }).lean<OutboxDoc[]>();

async function ask(title: string, message?: string): Promise<string> {
  const result = await resultOf(inst.actor, { title });
  const res = await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'result', id: result.id, message });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  settings = mailSettings(t.config);
  expect(settings.smtpUrl).toBeUndefined();
  organizer = await userAgent(app, 'organizer', { name: '区科技局管理员' });
  organizerApi = await apiToken('organizer');
  ent = await owner('enterprise', { name: '湖北东宝磷化测试有限公司' });
  inst = await owner('institution', { name: '荆楚理工学院（发件箱测试）' });
  instAgent = await loginAgent(app, inst.user.email);
});

describe('without SMTP_URL', () => {
  it('when a contact request is made, then its mail is held in the outbox and organizers read it on /admin/mail and the API; others get 403', async () => {
    await ask('磷石膏基胶凝材料制备技术', '想了解中试数据。');
    const worker = new MailWorker(settings, t.logger);
    expect(await worker.runOnce()).toMatchObject({ held: 1, sent: 0 });
    await worker.stop();
    const [held] = await mailsTo(inst.user.email);
    expect(held).toMatchObject({ status: 'held', kind: 'contact.request', userId: inst.user.id, attempts: 0 });
    expect(held!.lastError).toContain('SMTP_URL');

    const page = await organizer.agent.get('/admin/mail').expect(200);
    expect(page.text).toContain('<a href="/admin/mail"'); // in the 管理 menu
    expect(page.text).toContain('未配置 SMTP_URL');
    expect(page.text).toContain(inst.user.email);
    expect(page.text).toContain('湖北东宝磷化测试有限公司申请与您对接：磷石膏基胶凝材料制备技术');
    expect(page.text).toContain('留言：想了解中试数据。');
    expect(page.text).toContain(`查看并答复：${BASE}/contact-requests`);
    expect(page.text).toContain('未发送（未配置 SMTP）');
    const filtered = await organizer.agent.get('/admin/mail?status=sent').expect(200);
    expect(filtered.text).not.toContain(inst.user.email);

    const api = await request(app).get('/api/v1/outbox?status=held&limit=5').set(organizerApi.auth).expect(200);
    expect(api.body).toMatchObject({ page: 1, limit: 5 });
    expect(api.body.total).toBeGreaterThanOrEqual(1);
    const item = api.body.items.find((i: { to: string }) => i.to === inst.user.email);
    expect(item).toMatchObject({ status: 'held', kind: 'contact.request', attempts: 0, subject: '湖北东宝磷化测试有限公司申请与您对接：磷石膏基胶凝材料制备技术' });
    expect(item.body).toContain(`${BASE}/contact-requests`);
    expect((await request(app).get('/api/v1/outbox?status=nonsense').set(organizerApi.auth)).status).toBe(400);

    expect((await request(app).get('/api/v1/outbox').set(ent.auth)).status).toBe(403);
    expect((await request(app).get('/api/v1/outbox')).status).toBe(401);
    expect((await instAgent.get('/admin/mail')).status).toBe(403);
    expect((await instAgent.get('/account')).text).not.toContain('href="/admin/mail"');
  });
});

describe('preferences and unsubscribing', () => {
  it('when a user turns a kind off on /account, then that kind is not mailed until turned on again; account mail cannot be turned off', async () => {
    const page = await instAgent.get('/account').expect(200);
    expect(page.text).toMatch(/name="on" value="contact" checked/);
    expect(page.text).toMatch(/name="on" value="account" checked\s+disabled/);
    expect(page.text).not.toContain('value="review"'); // organizers' category only
    const off = await instAgent.post('/account/mail').type('form').send({ _csrf: csrfFrom(page.text), on: 'roadshow' });
    expect(off.status).toBe(303);
    expect((await instAgent.get('/account')).text).toMatch(/name="on" value="contact"\s+>/);

    const before = (await mailsTo(inst.user.email)).length;
    await ask('磷石膏净化除杂技术（关闭后）');
    expect(await mailsTo(inst.user.email)).toHaveLength(before);

    const again = await instAgent.get('/account');
    await instAgent.post('/account/mail').type('form').send({ _csrf: csrfFrom(again.text), on: ['contact', 'roadshow'] }).expect(303);
    await ask('磷石膏净化除杂技术（重新开启后）');
    expect(await mailsTo(inst.user.email)).toHaveLength(before + 1);
  });

  it('when the unsubscribe link is opened without signing in, then it says in Chinese what it turns off, and confirming does it', async () => {
    const expert = await owner('expert');
    await request(app).post('/api/v1/contact-requests').set(ent.auth).send({ kind: 'expert', id: expert.id }).expect(201);
    const [mail] = await mailsTo(expert.user.email);
    const item = (await request(app).get('/api/v1/outbox?limit=100').set(organizerApi.auth)).body.items.find((i: { id: string }) => i.id === String(mail!._id));
    const link = /不想再收到“对接申请与答复”类邮件：(\S+)/.exec(item.body)![1]!;
    expect(link.startsWith(`${BASE}/mail/unsubscribe/`)).toBe(true);
    const path = link.slice(BASE.length);

    const anonymous = request.agent(app);
    const confirm = await anonymous.get(path).expect(200);
    expect(confirm.text).toContain('确定不再接收“对接申请与答复”类邮件吗？');
    expect(confirm.text).toContain('确认退订');
    // A forged or damaged link changes nothing.
    expect((await anonymous.post(`${path.slice(0, -2)}xx`)).status).toBe(404);
    expect((await anonymous.get('/mail/unsubscribe/nonsense')).status).toBe(404);

    const done = await anonymous.post(path).type('form').send({});
    expect(done.status).toBe(303);
    const after = await anonymous.get(done.headers.location!).expect(200);
    expect(after.text).toContain('已退订');
    expect(after.text).toContain('您将不再收到“对接申请与答复”类邮件');

    // The next request to this expert is not mailed; the in-app notice still comes.
    const other = await owner('enterprise');
    await request(app).post('/api/v1/contact-requests').set(other.auth).send({ kind: 'expert', id: expert.id }).expect(201);
    expect(await mailsTo(expert.user.email)).toHaveLength(1);
    const notes = await request(app).get('/api/v1/notifications').set(expert.auth).expect(200);
    expect(notes.body.items).toHaveLength(2);

    // Mail clients' one-click POST (RFC 8058) needs no page and no CSRF token.
    const oneClick = await request(app).post(path).type('form').send({ 'List-Unsubscribe': 'One-Click' });
    expect(oneClick.status).toBe(200);
    expect(oneClick.text).toContain('已退订“对接申请与答复”类邮件');
  });
});

describe('what mails today', () => {
  it('when an institution registers, then organizers get a mail; approval and rejection are mailed to the applicant', async () => {
    const email = uniqueEmail('inst-apply');
    const agent = request.agent(app);
    const token = await csrf(agent, '/register');
    await agent.post('/register').type('form').send({ _csrf: token, role: 'institution', name: '湖北工业大学（测试）', email, password: PASSWORD, passwordConfirm: PASSWORD }).expect(303);
    const applicant = (await User.findOne({ emailLower: email }).lean())!;
    const pending = await mailsTo(organizer.user.email);
    expect(pending.some((m) => m.kind === 'account.pending' && m.key.startsWith(`notice:user:${String(applicant._id)}:pending`))).toBe(true);

    await request(app).post(`/api/v1/users/${String(applicant._id)}/approve`).set(organizerApi.auth).expect(200);
    await request(app).post(`/api/v1/users/${String(applicant._id)}/approve`).set(organizerApi.auth).expect(200); // again: no second mail
    const approved = await mailsTo(email);
    expect(approved.map((m) => m.kind)).toEqual(['account.approved']);

    const email2 = uniqueEmail('broker-apply');
    const agent2 = request.agent(app);
    const token2 = await csrf(agent2, '/register');
    await agent2.post('/register').type('form').send({ _csrf: token2, role: 'broker', name: '测试经纪人', email: email2, password: PASSWORD, passwordConfirm: PASSWORD }).expect(303);
    const rejected = (await User.findOne({ emailLower: email2 }).lean())!;
    await request(app).post(`/api/v1/users/${String(rejected._id)}/disable`).set(organizerApi.auth).expect(200);
    expect((await mailsTo(email2)).map((m) => m.kind)).toEqual(['account.rejected']);
    const item = (await request(app).get('/api/v1/outbox?limit=100').set(organizerApi.auth)).body.items.find((i: { to: string }) => i.to === email2);
    expect(item.subject).toBe('您的注册申请未通过审核');
    expect(item.body).not.toContain('退订'); // account mail has no unsubscribe link
  });

  it('when enterprises register for a roadshow and one moves up from the waitlist, then their users are mailed', async () => {
    const campaign = await makeCampaign(app, organizerApi.auth);
    const created = await request(app)
      .post('/api/v1/roadshows')
      .set(organizerApi.auth)
      .send(roadshowBody(campaign, { title: '磷化工专场路演（邮件）', capacity: 1, startsAt: at(15, 1, '09:00'), endsAt: at(15, 1, '11:00') }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const [a, b] = [await owner('enterprise'), await owner('enterprise')];
    const first = await request(app).post(`/api/v1/roadshows/${id}/registrations`).set(a.auth).send({}).expect(201);
    await request(app).post(`/api/v1/roadshows/${id}/registrations`).set(b.auth).send({}).expect(201);
    await request(app).delete(`/api/v1/roadshows/${id}/registrations/${first.body.id}`).set(a.auth).expect(200);

    expect((await mailsTo(a.user.email)).map((m) => m.kind)).toEqual(['roadshow.registered']);
    const mails = await mailsTo(b.user.email);
    expect(mails.map((m) => m.kind)).toEqual(['roadshow.registered', 'roadshow.promoted']);
    const items = (await request(app).get('/api/v1/outbox?limit=100').set(organizerApi.auth)).body.items.filter((i: { to: string }) => i.to === b.user.email);
    const subjects = items.map((i: { subject: string }) => i.subject);
    expect(subjects).toContain('已进入路演“磷化工专场路演（邮件）”候补名单');
    expect(subjects).toContain('路演“磷化工专场路演（邮件）”候补已转为正式报名');
    expect(items.every((i: { body: string }) => i.body.includes(`${BASE}/roadshows/${id}`))).toBe(true);
  });
});
