import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { creditCode, demandOf, owner, PHONE } from '../support/directory.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { User } from '../../server/accounts/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { creditCodeProblem, makeCreditCode } from '../../server/organizations/credit-code.ts';

const { app } = buildTestApp();

describe('统一社会信用代码', () => {
  it('when checked, then the GB 32100 check character decides', () => {
    expect(creditCodeProblem('91350100M000100Y43')).toBeUndefined(); // the standard's own example
    expect(creditCodeProblem('91350100M000100Y44')).toContain('校验位');
    expect(creditCodeProblem('91350100M000100Y4')).toContain('18 位');
    expect(creditCodeProblem('91350100M000100YI3')).toContain('“I”');
    for (let n = 0; n < 50; n++) expect(creditCodeProblem(makeCreditCode(n * 104_729))).toBeUndefined();
  });
});

describe('an enterprise joining the platform through the pages', () => {
  it('when it registers, then it is led to register its enterprise, field errors show, and then it can post needs', async () => {
    const agent = request.agent(app);
    const token = await csrf(agent, '/register');
    const email = uniqueEmail('joiner');
    await agent.post('/register').type('form').send({ _csrf: token, role: 'enterprise', name: '王经理', email, password: PASSWORD, passwordConfirm: PASSWORD }).expect(303);
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('登记企业信息');

    const form = await agent.get('/enterprises/new').expect(200);
    expect(form.text).toContain('统一社会信用代码');
    const bad = await agent.post('/enterprises').type('form').send({ _csrf: csrfFrom(form.text), name: '荆门市东宝区新加入电子科技有限公司', creditCode: '91420802000000000X', industry: 'electronics', town: 'nowhere', contactPhone: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="e-creditCode"[^>]*>统一社会信用代码校验位不正确/);
    expect(bad.text).toMatch(/id="e-town"/);
    expect(bad.text).toMatch(/id="e-contactPhone"[^>]*>请填写 11 位手机号/);
    expect(bad.text).toContain('value="荆门市东宝区新加入电子科技有限公司"');

    const code = creditCode();
    const good = await agent.post('/enterprises').type('form').send({ _csrf: csrfFrom(form.text), name: '荆门市东宝区新加入电子科技有限公司', creditCode: code.toLowerCase(), industry: 'electronics', town: 'industrial-park', highTech: 'on', contactName: '王经理', contactPhone: PHONE });
    expect(good.status).toBe(303);
    const saved = await Enterprise.findOne({ creditCode: code }).lean();
    expect(saved).toMatchObject({ highTech: true, techSme: false, town: 'industrial-park' });
    const user = await User.findOne({ emailLower: email }).lean();
    expect(user?.profile).toMatchObject({ kind: 'enterprise', id: String(saved!._id) });
    const page = await agent.get(good.headers.location!).expect(200);
    expect(page.text).toContain(PHONE); // the owner sees its own contact
    expect(page.text).toContain('发布技术需求');
    const after = await agent.get('/account');
    expect(after.text).toContain('发布技术需求');
    // One enterprise per account.
    const second = await agent.post('/enterprises').type('form').send({ _csrf: csrfFrom(form.text), name: '第二家企业有限公司', creditCode: creditCode(), industry: 'electronics', town: 'lixi' });
    expect(second.status).toBe(409);
  });

  it('when the credit code is already registered, then the form says by whom', async () => {
    const first = await owner('enterprise');
    const code = (await Enterprise.findById(first.id).lean())!.creditCode;
    const { auth } = await apiToken('organizer');
    const res = await request(app).post('/api/v1/enterprises').set(auth).send({ name: '重复代码企业', creditCode: code, industry: 'chemicals', town: 'lixi' });
    expect(res.status).toBe(400);
    expect(res.body.errors.creditCode).toContain('已被');
  });
});

describe('institutions', () => {
  it('when an institution account is pending, then it cannot register its institution until approved', async () => {
    const pending = await makeUser('institution', { status: 'pending' });
    const { token } = await (await import('../../server/accounts/service.ts')).createToken(pending, 't');
    const body = { name: '湖北测试大学', kind: 'university', province: '湖北省', city: '荆门市' };
    expect((await request(app).post('/api/v1/institutions').set('Authorization', `Bearer ${token}`).send(body)).status).toBe(403);
    const { auth } = await apiToken('organizer');
    await request(app).post(`/api/v1/users/${pending.id}/approve`).set(auth).expect(200);
    const created = await request(app).post('/api/v1/institutions').set('Authorization', `Bearer ${token}`).send(body);
    expect(created.status).toBe(201);
    expect(created.body.ownerId).toBe(pending.id);
  });
});

describe('contacts and deletion', () => {
  it("when someone views an enterprise, then the contact shows only to owner, organizer and its needs' broker, each non-owner view audited", async () => {
    const ent = await owner('enterprise');
    const broker = await owner('broker');
    const org = await apiToken('organizer');
    expect((await request(app).get(`/api/v1/enterprises/${ent.id}`)).body.contact).toBeUndefined();
    expect((await request(app).get(`/api/v1/enterprises/${ent.id}`).set(broker.auth)).body.contact).toBeUndefined();
    const d = await demandOf(ent.actor);
    const { assignBroker } = await import('../../server/demands/service.ts');
    await assignBroker(org.user, d.id, broker.id);
    expect((await request(app).get(`/api/v1/enterprises/${ent.id}`).set(broker.auth)).body.contact.phone).toBe(PHONE);
    const audited = await Audit.find({ action: 'contact.reveal', targetId: ent.id }).lean();
    expect(audited.map((a) => a.actorId)).toEqual([broker.user.id]);
    const page = await request(app).get(`/enterprises/${ent.id}`);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text).not.toContain(PHONE);
  });

  it('when an organizer deletes an enterprise with open needs, then it is refused until they are closed', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor);
    const org = await apiToken('organizer');
    const refused = await request(app).delete(`/api/v1/enterprises/${ent.id}`).set(org.auth);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('未关闭的技术需求');
    await request(app).post(`/api/v1/demands/${d.id}/status`).set(org.auth).send({ status: 'closed' }).expect(200);
    await request(app).delete(`/api/v1/enterprises/${ent.id}`).set(org.auth).expect(204);
    expect((await request(app).get(`/enterprises/${ent.id}`)).status).toBe(404);
  });

  it("when an enterprise is renamed, then its needs carry the new name", async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor);
    await request(app).patch(`/api/v1/enterprises/${ent.id}`).set(ent.auth).send({ name: '湖北改名后的磷化有限公司' }).expect(200);
    expect((await Demand.findById(d.id).lean())?.enterpriseName).toBe('湖北改名后的磷化有限公司');
  });

  it('when a delete is asked for through the pages, then a confirmation page comes first', async () => {
    const ent = await owner('enterprise');
    const org = await makeUser('organizer');
    const agent = await loginAgent(app, org.email);
    const confirm = await agent.get(`/enterprises/${ent.id}/delete`).expect(200);
    expect(confirm.text).toContain('确认删除');
    expect((await Enterprise.findById(ent.id).lean())?.deletedAt).toBeUndefined();
    await agent.post(`/enterprises/${ent.id}/delete`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    expect((await Enterprise.findById(ent.id).lean())?.deletedAt).toBeInstanceOf(Date);
  });
});

describe('lists', () => {
  it('when the enterprise directory is filtered, then only matching enterprises show', async () => {
    await owner('enterprise', { name: '栗溪香菇食品有限公司测试', industry: 'agriculture', town: 'lixi' });
    const res = await request(app).get('/api/v1/enterprises?town=lixi&industry=agriculture&limit=100').expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((e: { town: string; industry: string }) => e.town === 'lixi' && e.industry === 'agriculture')).toBe(true);
    expect(res.body.items.every((e: { contact?: unknown }) => e.contact === undefined)).toBe(true);
    const page = await request(app).get('/enterprises?town=lixi').expect(200);
    expect(page.text).toContain('栗溪香菇食品有限公司测试');
    expect(page.text).toContain('<option value="lixi" selected>栗溪镇</option>');
  });
});
