// Technology brokers: an approved broker keeps one profile of its own, organizers manage all; contacts only
// for those allowed (audited); a broker with needs in hand cannot be deleted; assigned needs on the page.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, userAgent } from '../support/agent.ts';
import { User } from '../../server/accounts/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { Broker, type BrokerDoc } from '../../server/brokers/model.ts';
import { brokerImport } from '../../server/brokers/import.ts';
import { validateTable, writeAll } from '../../server/platform/io/import.ts';
import { randomInt } from 'node:crypto';

const { app, settle } = buildTestApp();
// Lists and search read the search index: text queries rank by relevance, so compare sets.
const sorted = (ids: string[]) => [...ids].sort();

let seq = 0;
/** A marker unique to one test, put in names so list assertions see only that test's records. */
const marker = () => `乙${randomInt(36 ** 4).toString(36)}${++seq}`;

function brokerBody(overrides: Record<string, unknown> = {}) {
  return {
    name: '周晓婷',
    level: 'senior',
    organization: '国家技术转移中部中心荆门分中心',
    specialties: ['chemicals', 'energy'],
    bio: '长期从事磷化工领域技术转移，熟悉技术合同认定登记。',
    contact: { name: '周晓婷', phone: '13125698197', email: 'zhouxt@jmttc-example.cn', wechat: 'zxt_jmttc' },
    ...overrides,
  };
}

async function organizerCreates(overrides: Record<string, unknown> = {}) {
  const { auth } = await apiToken('organizer');
  const res = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody(overrides)).expect(201);
  return res.body as { id: string; name: string };
}

function assignNeed(brokerId: string, status: 'draft' | 'published' | 'matching' | 'negotiating' | 'contracted' | 'closed', title = '磷石膏制建筑石膏粉工艺改进') {
  return Demand.create({
    title,
    description: '磷石膏堆存量大，希望引进低能耗煅烧工艺。',
    industry: 'chemicals',
    enterprise: '0123456789abcdef01234567',
    enterpriseName: '荆门市东宝区某化工有限公司',
    status,
    broker: brokerId,
  });
}

describe('broker profiles through the API', () => {
  it('when an approved broker creates its profile, then it is 201 with Location and linked; a second one is 409', async () => {
    const { auth, user } = await apiToken('broker');
    const res = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody());
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/brokers/${res.body.id}`);
    expect(res.body).toMatchObject({ name: '周晓婷', level: 'senior', specialties: ['chemicals', 'energy'], ownerId: user.id });
    expect(res.body.contact).toBeUndefined();
    expect((await User.findById(user.id).lean())?.profile).toEqual({ kind: 'broker', id: res.body.id });

    const again = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody({ name: '周晓婷二' }));
    expect(again.status).toBe(409);
    expect(await Broker.countDocuments({ owner: user.id })).toBe(1);
  });

  it('when a pending broker or another role creates a broker, then it is 403 and nothing is written', async () => {
    const pending = await apiToken('broker', { status: 'pending' });
    const res = await request(app).post('/api/v1/brokers').set(pending.auth).send(brokerBody());
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('审核');
    const expert = await apiToken('expert');
    expect((await request(app).post('/api/v1/brokers').set(expert.auth).send(brokerBody())).status).toBe(403);
    expect(await Broker.countDocuments({ createdBy: pending.user.id })).toBe(0);
    expect(await Broker.countDocuments({ createdBy: expert.user.id })).toBe(0);
  });

  it('when the input is bad, then each field gets its own problem+json error and nothing is written', async () => {
    const { auth, user } = await apiToken('broker');
    const res = await request(app)
      .post('/api/v1/brokers')
      .set(auth)
      .send(brokerBody({ name: '周', level: 'master', organization: '', specialties: ['chemicals', 'mining'], contact: { phone: '0000', email: 'not-an-email' } }));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(Object.keys(res.body.errors).sort()).toEqual(['contact.email', 'contact.phone', 'level', 'name', 'organization', 'specialties']);
    const tooMany = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody({ specialties: ['chemicals', 'energy', 'health', 'services'] }));
    expect(tooMany.body.errors).toEqual({ specialties: expect.stringContaining('3') });
    const none = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody({ specialties: [] }));
    expect(none.body.errors).toEqual({ specialties: expect.any(String) });
    expect(await Broker.countDocuments({ owner: user.id })).toBe(0);
  });

  it('when owner, status or verified is posted, then the API refuses it with 400 and writes nothing', async () => {
    const { auth, user } = await apiToken('broker');
    for (const extra of [{ owner: 'someone-else' }, { status: 'active' }, { verified: true }]) {
      expect((await request(app).post('/api/v1/brokers').set(auth).send(brokerBody(extra))).status).toBe(400);
    }
    expect(await Broker.countDocuments({ owner: user.id })).toBe(0);
    const created = await request(app).post('/api/v1/brokers').set(auth).send(brokerBody()).expect(201);
    expect((await request(app).patch(`/api/v1/brokers/${created.body.id}`).set(auth).send({ verified: true, level: 'junior' })).status).toBe(400);
    expect(await Broker.findById(created.body.id).lean()).toMatchObject({ owner: user.id, level: 'senior' });
  });

  it('when someone else reads a broker, then there is no contact and edit or delete is 403; owner and organizer see it, the organizer audited', async () => {
    const owner = await apiToken('broker');
    const created = await request(app).post('/api/v1/brokers').set(owner.auth).send(brokerBody()).expect(201);
    const id = created.body.id as string;

    const other = await apiToken('broker');
    const seen = await request(app).get(`/api/v1/brokers/${id}`).set(other.auth).expect(200);
    expect(seen.body.contact).toBeUndefined();
    expect(JSON.stringify(seen.body)).not.toContain('13125698197');
    expect((await request(app).patch(`/api/v1/brokers/${id}`).set(other.auth).send({ name: '冒名顶替' })).status).toBe(403);
    expect((await request(app).delete(`/api/v1/brokers/${id}`).set(other.auth)).status).toBe(403);
    expect((await request(app).get(`/api/v1/brokers/${id}`).expect(200)).body.contact).toBeUndefined();

    const mine = await request(app).get(`/api/v1/brokers/${id}`).set(owner.auth).expect(200);
    expect(mine.body.contact).toMatchObject({ phone: '13125698197', email: 'zhouxt@jmttc-example.cn' });
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: id })).toBe(0);
    await request(app).patch(`/api/v1/brokers/${id}`).set(owner.auth).send({ level: 'intermediate' }).expect(200);
    expect((await request(app).delete(`/api/v1/brokers/${id}`).set(owner.auth)).status).toBe(403);

    const organizer = await apiToken('organizer');
    const theirs = await request(app).get(`/api/v1/brokers/${id}`).set(organizer.auth).expect(200);
    expect(theirs.body).toMatchObject({ level: 'intermediate', contact: { phone: '13125698197' }, permissions: { edit: true, delete: true } });
    expect(await Audit.findOne({ action: 'contact.reveal', targetId: id }).lean()).toMatchObject({ actorId: organizer.user.id, targetKind: 'broker' });
  });

  it('when a broker still has a need in hand, then deleting it is refused with 409; once the need is closed it can be deleted', async () => {
    const broker = await organizerCreates({ name: `在办经纪人${marker()}` });
    const need = await assignNeed(broker.id, 'matching');
    await assignNeed(broker.id, 'contracted');
    const { auth } = await apiToken('organizer');
    const refused = await request(app).delete(`/api/v1/brokers/${broker.id}`).set(auth);
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.detail).toContain('技术需求');
    expect((await Broker.findById(broker.id).lean<BrokerDoc>())?.deletedAt).toBeFalsy();

    const organizer = await userAgent(app, 'organizer');
    const confirm = await organizer.agent.get(`/brokers/${broker.id}/delete`).expect(200);
    const page = await organizer.agent.post(`/brokers/${broker.id}/delete`).type('form').send({ _csrf: csrfFrom(confirm.text) });
    expect(page.status).toBe(409);

    await Demand.updateOne({ _id: need._id }, { $set: { status: 'closed' } });
    await request(app).delete(`/api/v1/brokers/${broker.id}`).set(auth).expect(204);
    expect((await request(app).get(`/api/v1/brokers/${broker.id}`)).status).toBe(404);
  });
});

describe('broker lists', () => {
  it('when filtered by name, level and specialty, then only matching brokers come back, newest first, paginated, without contacts', async () => {
    const m = marker();
    const a = await organizerCreates({ name: `甲经纪${m}`, level: 'senior', specialties: ['chemicals'] });
    const b = await organizerCreates({ name: `乙经纪${m}`, level: 'junior', specialties: ['chemicals', 'electronics'] });
    const c = await organizerCreates({ name: `丙经纪${m}`, level: 'junior', specialties: ['health'] });
    await settle();
    const ids = async (query: Record<string, string>) => {
      const res = await request(app).get('/api/v1/brokers').query(query).expect(200);
      return sorted((res.body.items as { id: string }[]).map((i) => i.id));
    };
    expect(await ids({ q: m })).toEqual(sorted([c.id, b.id, a.id]));
    expect(await ids({ q: `甲经纪${m}` })).toEqual(sorted([a.id]));
    expect(await ids({ q: m, level: 'junior' })).toEqual(sorted([c.id, b.id]));
    expect(await ids({ q: m, specialty: 'chemicals' })).toEqual(sorted([b.id, a.id]));
    expect(await ids({ q: m, specialty: 'not-a-code' })).toEqual(sorted([c.id, b.id, a.id]));
    const page = await request(app).get('/api/v1/brokers').query({ q: m, limit: '2', page: '2' }).expect(200);
    expect(page.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(page.body.items).toHaveLength(1);
    const newest = await request(app).get('/api/v1/brokers').query({ specialty: 'chemicals', limit: '100' }).expect(200);
    const order = newest.body.items.map((i: { id: string }) => i.id).filter((id: string) => id === a.id || id === b.id);
    expect(order).toEqual([b.id, a.id]); // without words, newest first
    expect(JSON.stringify(page.body)).not.toContain('13125698197');
  });
});

describe('broker pages', () => {
  it('when a broker fills the new form, then the profile is created and its page lists its needs; drafts only for those who may edit', async () => {
    const m = marker();
    const { agent, user } = await userAgent(app, 'broker');
    const form = await agent.get('/brokers/new').expect(200);
    expect(form.text).toContain('name="specialties"');
    const created = await agent
      .post('/brokers')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: `页面经纪人${m}`, level: 'intermediate', organization: '荆门市生产力促进中心', specialties: 'building', contactPhone: '13939020573' });
    expect(created.status).toBe(303);
    const id = /\/brokers\/([0-9a-f]{24})$/.exec(created.headers.location!)![1]!;
    expect(await Broker.findById(id).lean()).toMatchObject({ owner: user.id, specialties: ['building'], level: 'intermediate' });
    await assignNeed(id, 'matching', `预制构件养护工艺${m}`);
    await assignNeed(id, 'draft', `草稿需求${m}`);

    const own = await agent.get(`/brokers/${id}`).expect(200);
    expect(own.headers['cache-control']).toContain('no-store');
    expect(own.text).toContain('13939020573');
    expect(own.text).toContain(`预制构件养护工艺${m}`);
    expect(own.text).toContain(`草稿需求${m}`);
    expect(own.text).toContain('荆门市东宝区某化工有限公司');

    const visitor = await request(app).get(`/brokers/${id}`).expect(200);
    expect(visitor.text).toContain(`预制构件养护工艺${m}`);
    expect(visitor.text).not.toContain(`草稿需求${m}`);
    expect(visitor.text).not.toContain('13939020573');
    const list = await request(app).get('/brokers').query({ q: `页面经纪人${m}` }).expect(200);
    expect(list.text).toContain(`/brokers/${id}`);
    expect(list.text).toContain('中级技术经纪人');
    expect(list.text).not.toContain('13939020573');
  });

  it('when the edit form is posted with bad values, then it comes back with each error next to its field', async () => {
    const { agent } = await userAgent(app, 'broker');
    const form = await agent.get('/brokers/new').expect(200);
    const created = await agent.post('/brokers').type('form').send({ _csrf: csrfFrom(form.text), name: '胡雪', level: 'junior', organization: '东宝区科技创新服务中心', specialties: ['agriculture', 'health'] });
    expect(created.status).toBe(303);
    const id = /([0-9a-f]{24})$/.exec(created.headers.location!)![1]!;
    const edit = await agent.get(`/brokers/${id}/edit`).expect(200);
    expect(edit.text).toContain('value="胡雪"');
    expect(edit.text).toMatch(/value="health"\s+checked/);
    const res = await agent.post(`/brokers/${id}`).type('form').send({ _csrf: csrfFrom(edit.text), name: '胡雪', level: '', organization: '东', contactEmail: 'bad' });
    expect(res.status).toBe(400);
    for (const field of ['level', 'organization', 'specialties', 'contactEmail']) expect(res.text, field).toContain(`id="e-${field}"`);
    expect((await Broker.findById(id).lean())?.organization).toBe('东宝区科技创新服务中心');
    const other = await userAgent(app, 'broker');
    expect((await other.agent.get(`/brokers/${id}/edit`)).status).toBe(403);
  });

  it('when <script> is saved in name and bio, then list and detail pages show it escaped', async () => {
    const payload = '<script>alert(1)</script>';
    const created = await organizerCreates({ name: payload, bio: `${payload}" onmouseover="alert(2)` });
    await settle();
    for (const path of ['/brokers?q=%3Cscript', `/brokers/${created.id}`]) {
      const res = await request(app).get(path).expect(200);
      expect(res.text, path).not.toContain(payload);
      expect(res.text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text, path).not.toContain('" onmouseover="');
    }
  });
});

describe('broker import', () => {
  it('when a sheet is imported, then new brokers are created, existing ones (name + organisation) updated, bad rows reported, and a batch can be rolled back', async () => {
    const m = marker();
    const existing = await organizerCreates({ name: `老经纪人${m}`, organization: '荆门东创科技服务有限公司', level: 'junior' });
    await Broker.updateOne({ _id: existing.id }, { $set: { 'search.dirty': false } });
    const headers = ['姓名', '等级', '服务机构', '擅长领域', '个人简介', '联系人', '联系电话', '联系邮箱', '微信'];
    const row = (cells: string[], line: number) => ({ line, cells: Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])) });
    const checked = await validateTable(brokerImport, {
      headers,
      rows: [
        row([`新经纪人${m}`, '高级技术经纪人', '湖北技术交易所荆门工作站', '电子信息、智能制造与装备', '简介', '', '17676573179'], 2),
        row([`老经纪人${m}`, '中级', '荆门东创科技服务有限公司', '电子信息'], 3),
        row([`坏经纪人${m}`, '特级', '某中心', ''], 4),
      ],
    });
    expect(checked.counts).toEqual({ create: 1, update: 1, error: 1 });
    expect(checked.outcomes.find((o) => o.line === 4)?.errors).toMatchObject({ level: expect.any(String), specialties: expect.any(String) });
    const batch = await writeAll(brokerImport, checked.valid);
    expect(await Broker.findOne({ name: `新经纪人${m}` }).lean()).toMatchObject({ level: 'senior', specialties: ['electronics', 'manufacturing'], importBatch: batch });
    expect(await Broker.findById(existing.id).lean()).toMatchObject({ level: 'intermediate', specialties: ['electronics'], search: { dirty: true } });
    expect(await brokerImport.rollback!(batch)).toBe(1);
    expect(await Broker.countDocuments({ name: `新经纪人${m}` })).toBe(0);
    expect(await Broker.countDocuments({ _id: existing.id })).toBe(1);
  });
});
