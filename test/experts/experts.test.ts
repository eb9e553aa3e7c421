// Experts: an expert keeps one profile of its own, organizers manage all; contacts only for those allowed
// (audited), field-level errors, mass assignment refused, stored XSS escaped, list filters, import/export.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, userAgent } from '../support/agent.ts';
import { User } from '../../server/accounts/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { Institution } from '../../server/organizations/model.ts';
import { Result } from '../../server/results/model.ts';
import { Expert, type ExpertDoc } from '../../server/experts/model.ts';
import { expertImport } from '../../server/experts/import.ts';
import { validateTable, writeAll } from '../../server/platform/io/import.ts';
import { randomInt } from 'node:crypto';

const { app, settle } = buildTestApp();
// Lists and search read the search index: text queries rank by relevance, so compare sets.
const sorted = (ids: string[]) => [...ids].sort();

let seq = 0;
/** A marker unique to one test, put in names so list assertions see only that test's records. */
const marker = () => `甲${randomInt(36 ** 4).toString(36)}${++seq}`;

function expertBody(overrides: Record<string, unknown> = {}) {
  return {
    name: '严晓岚',
    title: '教授',
    institutionName: '武汉大学',
    industries: ['electronics'],
    keywords: ['柔性电子', '印刷电子'],
    bio: '主要从事印刷电子与柔性传感器研究。',
    availableForVisits: true,
    contact: { name: '严晓岚', phone: '18132925932', email: 'yanxl@whu-example.cn', wechat: 'yxl_flexlab' },
    ...overrides,
  };
}

async function organizerCreates(overrides: Record<string, unknown> = {}) {
  const { auth } = await apiToken('organizer');
  const res = await request(app).post('/api/v1/experts').set(auth).send(expertBody(overrides)).expect(201);
  return res.body as { id: string; name: string };
}

describe('expert profiles through the API', () => {
  it('when an expert account creates its profile, then it is 201 with Location and linked; a second one is 409', async () => {
    const { auth, user } = await apiToken('expert');
    const res = await request(app).post('/api/v1/experts').set(auth).send(expertBody());
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/experts/${res.body.id}`);
    expect(res.body).toMatchObject({ name: '严晓岚', title: '教授', industries: ['electronics'], availableForVisits: true, ownerId: user.id });
    expect(res.body.contact).toBeUndefined();
    expect((await User.findById(user.id).lean())?.profile).toEqual({ kind: 'expert', id: res.body.id });

    const again = await request(app).post('/api/v1/experts').set(auth).send(expertBody({ name: '严晓岚二' }));
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/problem\+json/);
    expect(await Expert.countDocuments({ owner: user.id })).toBe(1);
  });

  it('when another role (or no one) creates an expert, then it is 403 (or 401)', async () => {
    const { auth } = await apiToken('enterprise');
    expect((await request(app).post('/api/v1/experts').set(auth).send(expertBody())).status).toBe(403);
    expect((await request(app).post('/api/v1/experts').send(expertBody())).status).toBe(401);
  });

  it('when the input is bad, then each field gets its own problem+json error and nothing is written', async () => {
    const { auth, user } = await apiToken('expert');
    const res = await request(app)
      .post('/api/v1/experts')
      .set(auth)
      .send(expertBody({ name: '严', industries: ['electronics', 'mining'], keywords: Array.from({ length: 11 }, (_, i) => `关键词${i}`), contact: { phone: '12345' } }));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(Object.keys(res.body.errors).sort()).toEqual(['contact.phone', 'industries', 'keywords', 'name']);
    expect(res.body.errors.industries).toContain('无效');
    expect(res.body.errors.keywords).toContain('10');

    const tooMany = await request(app).post('/api/v1/experts').set(auth).send(expertBody({ industries: ['electronics', 'chemicals', 'energy', 'health'], keywords: ['这是一个超过二十个字的专长关键词用来测试长度限制'] }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toMatchObject({ industries: expect.stringContaining('3'), keywords: expect.stringContaining('20') });
    expect(await Expert.countDocuments({ owner: user.id })).toBe(0);
  });

  it('when owner, status or verified is posted, then the API refuses it with 400 and writes nothing', async () => {
    const { auth, user } = await apiToken('expert');
    for (const extra of [{ owner: 'someone-else' }, { status: 'published' }, { verified: true }]) {
      const res = await request(app).post('/api/v1/experts').set(auth).send(expertBody(extra));
      expect(res.status).toBe(400);
    }
    expect(await Expert.countDocuments({ owner: user.id })).toBe(0);
    expect((await User.findById(user.id).lean())?.profile).toBeFalsy();

    const created = await request(app).post('/api/v1/experts').set(auth).send(expertBody()).expect(201);
    const patch = await request(app).patch(`/api/v1/experts/${created.body.id}`).set(auth).send({ owner: 'someone-else', name: '改名' });
    expect(patch.status).toBe(400);
    expect(await Expert.findById(created.body.id).lean()).toMatchObject({ owner: user.id, name: '严晓岚' });
  });

  it('when an expert names a platform institution, then its name and city are copied; an unknown one is a field error; null unlinks', async () => {
    const inst = await Institution.create({ name: `华中科技大学${marker()}`, kind: 'university', province: '湖北省', city: '武汉市' });
    const { auth } = await apiToken('expert');
    const bad = await request(app).post('/api/v1/experts').set(auth).send(expertBody({ institution: '0123456789abcdef01234567' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.institution).toBeTruthy();

    const res = await request(app).post('/api/v1/experts').set(auth).send(expertBody({ institution: String(inst._id), institutionName: '随便写的' })).expect(201);
    expect(res.body).toMatchObject({ institution: String(inst._id), institutionName: inst.name, city: '武汉市' });

    const unlinked = await request(app).patch(`/api/v1/experts/${res.body.id}`).set(auth).send({ institution: null, institutionName: '荆门市农业科学院' }).expect(200);
    expect(unlinked.body).toMatchObject({ institutionName: '荆门市农业科学院' });
    expect(unlinked.body.institution).toBeUndefined();
    expect(unlinked.body.city).toBeUndefined();
  });

  it('when someone else reads an expert, then there is no contact and edit or delete is 403; owner and organizer see it, the organizer audited', async () => {
    const owner = await apiToken('expert');
    const created = await request(app).post('/api/v1/experts').set(owner.auth).send(expertBody()).expect(201);
    const id = created.body.id as string;

    const other = await apiToken('expert');
    const seen = await request(app).get(`/api/v1/experts/${id}`).set(other.auth).expect(200);
    expect(seen.body.contact).toBeUndefined();
    expect(seen.body.permissions).toEqual({ edit: false, delete: false });
    expect(JSON.stringify(seen.body)).not.toContain('18132925932');
    expect((await request(app).patch(`/api/v1/experts/${id}`).set(other.auth).send({ name: '冒名顶替' })).status).toBe(403);
    expect((await request(app).delete(`/api/v1/experts/${id}`).set(other.auth)).status).toBe(403);
    const anonymous = await request(app).get(`/api/v1/experts/${id}`).expect(200);
    expect(anonymous.body.contact).toBeUndefined();
    expect(anonymous.headers['cache-control']).toContain('no-store');

    const mine = await request(app).get(`/api/v1/experts/${id}`).set(owner.auth).expect(200);
    expect(mine.body.contact).toMatchObject({ phone: '18132925932', wechat: 'yxl_flexlab' });
    expect(mine.body.permissions).toEqual({ edit: true, delete: false });
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: id })).toBe(0);
    expect((await request(app).delete(`/api/v1/experts/${id}`).set(owner.auth)).status).toBe(403);

    const organizer = await apiToken('organizer');
    const theirs = await request(app).get(`/api/v1/experts/${id}`).set(organizer.auth).expect(200);
    expect(theirs.body.contact).toMatchObject({ phone: '18132925932' });
    const entry = await Audit.findOne({ action: 'contact.reveal', targetId: id }).lean();
    expect(entry).toMatchObject({ actorId: organizer.user.id, targetKind: 'expert', detail: 'organizer' });
    expect(JSON.stringify(entry)).not.toContain('18132925932');

    await request(app).patch(`/api/v1/experts/${id}`).set(owner.auth).send({ bio: '更新后的简介' }).expect(200);
    await request(app).patch(`/api/v1/experts/${id}`).set(organizer.auth).send({ title: '研究员' }).expect(200);
    await request(app).delete(`/api/v1/experts/${id}`).set(organizer.auth).expect(204);
    expect((await request(app).get(`/api/v1/experts/${id}`)).status).toBe(404);
    expect((await Expert.findById(id).lean<ExpertDoc>())?.deletedAt).toBeInstanceOf(Date);
  });
});

describe('expert lists', () => {
  it('when filtered by name or keyword, industry, visits and institution, then only matching experts come back, newest first, paginated, without contacts', async () => {
    const m = marker();
    const inst = await Institution.create({ name: `武汉理工大学${m}`, kind: 'university', province: '湖北省', city: '武汉市' });
    const a = await organizerCreates({ name: `甲专家${m}`, industries: ['chemicals'], keywords: ['磷石膏', `词${m}`], availableForVisits: true, institution: String(inst._id) });
    const b = await organizerCreates({ name: `乙专家${m}`, industries: ['chemicals', 'building'], keywords: [`词${m}`], availableForVisits: false });
    const c = await organizerCreates({ name: `丙专家${m}`, industries: ['health'], keywords: [`词${m}`], availableForVisits: true });

    await settle();
    const ids = async (query: Record<string, string>) => {
      const res = await request(app).get('/api/v1/experts').query(query).expect(200);
      return sorted((res.body.items as { id: string }[]).map((i) => i.id));
    };
    // The full name ranks its expert first (namesakes sharing some of its words may follow).
    const byName = await request(app).get('/api/v1/experts').query({ q: `甲专家${m}` }).expect(200);
    expect(byName.body.items[0].id).toBe(a.id);
    expect(await ids({ q: `词${m}` })).toEqual(sorted([c.id, b.id, a.id]));
    expect(await ids({ q: `词${m}`, industry: 'chemicals' })).toEqual(sorted([b.id, a.id]));
    expect(await ids({ q: `词${m}`, availableForVisits: '1' })).toEqual(sorted([c.id, a.id]));
    expect(await ids({ institution: String(inst._id) })).toEqual([a.id]);
    expect(await ids({ q: '.*(' })).toEqual(sorted([]));

    const page = await request(app).get('/api/v1/experts').query({ q: `词${m}`, limit: '2', page: '2' }).expect(200);
    expect(page.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    const first = await request(app).get('/api/v1/experts').query({ q: `词${m}`, limit: '2', page: '1' }).expect(200);
    expect(sorted([...first.body.items, ...page.body.items].map((i: { id: string }) => i.id))).toEqual(sorted([a.id, b.id, c.id]));
    // Without words, a list is newest first.
    const newest = await request(app).get('/api/v1/experts').query({ industry: 'chemicals', limit: '100' }).expect(200);
    const order = newest.body.items.map((i: { id: string }) => i.id).filter((id: string) => id === a.id || id === b.id);
    expect(order).toEqual([b.id, a.id]);
    const all = await request(app).get('/api/v1/experts').query({ q: `词${m}` }).expect(200);
    for (const item of all.body.items) expect(item.contact).toBeUndefined();
    expect(JSON.stringify(all.body)).not.toContain('18132925932');
  });
});

describe('expert pages', () => {
  it('when an expert fills the new form, then the profile is created; list and detail pages render with the contact for the owner only', async () => {
    const m = marker();
    const { agent, user } = await userAgent(app, 'expert');
    const form = await agent.get('/experts/new').expect(200);
    expect(form.text).toContain('name="keywords"');
    expect(form.text).toContain('name="industries"');
    const created = await agent
      .post('/experts')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), name: `页面专家${m}`, title: '副教授', institution: '', institutionName: '湖北大学', industries: ['chemicals', 'energy'], keywords: '有机磷化学、无卤阻燃', bio: '研究方向为有机磷化学。', availableForVisits: 'on', contactPhone: '13152109594' });
    expect(created.status).toBe(303);
    const id = /\/experts\/([0-9a-f]{24})$/.exec(created.headers.location!)![1]!;
    expect(await Expert.findById(id).lean()).toMatchObject({ owner: user.id, industries: ['chemicals', 'energy'], keywords: ['有机磷化学', '无卤阻燃'], availableForVisits: true });

    await Result.create({ title: `磷系阻燃剂${m}`, abstract: '一种无卤阻燃剂。', industry: 'chemicals', maturity: 'pilot', institution: '0123456789abcdef01234567', institutionName: '湖北大学', leadExpert: id });
    const detail = await agent.get(`/experts/${id}`).expect(200);
    expect(detail.headers['cache-control']).toContain('no-store');
    expect(detail.text).toContain(`页面专家${m}`);
    expect(detail.text).toContain('13152109594');
    expect(detail.text).toContain(`磷系阻燃剂${m}`);
    expect(detail.text).toContain(`/experts/${id}/edit`);

    const publicView = await request(app).get(`/experts/${id}`).expect(200);
    expect(publicView.text).not.toContain('13152109594');
    expect(publicView.text).not.toContain(`/experts/${id}/edit`);
    const list = await request(app).get('/experts').query({ q: `页面专家${m}` }).expect(200);
    expect(list.text).toContain(`/experts/${id}`);
    expect(list.text).toContain('磷化工与新材料');
    expect(list.text).not.toContain('13152109594');
  });

  it('when the edit form is posted with bad values, then it comes back with each error next to its field', async () => {
    const { agent } = await userAgent(app, 'expert');
    const form = await agent.get('/experts/new').expect(200);
    const created = await agent.post('/experts').type('form').send({ _csrf: csrfFrom(form.text), name: '王立新', title: '研究员', institutionName: '湖北省农业科学院', industries: 'agriculture', keywords: '香菇菌棒' });
    expect(created.status).toBe(303);
    const id = /([0-9a-f]{24})$/.exec(created.headers.location!)![1]!;

    const edit = await agent.get(`/experts/${id}/edit`).expect(200);
    expect(edit.text).toContain('value="王立新"');
    expect(edit.text).toContain('value="香菇菌棒"');
    const res = await agent
      .post(`/experts/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(edit.text), name: '王', title: '研究员', industries: 'agriculture', keywords: Array.from({ length: 11 }, (_, i) => `词${i}`).join('、'), contactPhone: '999' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="e-name"');
    expect(res.text).toContain('id="e-keywords"');
    expect(res.text).toContain('id="e-contactPhone"');
    expect(res.text).toContain('value="王"');
    expect((await Expert.findById(id).lean())?.name).toBe('王立新');

    const noIndustry = await agent.post(`/experts/${id}`).type('form').send({ _csrf: csrfFrom(edit.text), name: '王立新', title: '研究员', keywords: '香菇' });
    expect(noIndustry.status).toBe(400);
    expect(noIndustry.text).toContain('id="e-industries"');

    const other = await userAgent(app, 'expert');
    expect((await other.agent.get(`/experts/${id}/edit`)).status).toBe(403);
  });

  it('when <script> is saved in name and bio, then list and detail pages show it escaped', async () => {
    const m = marker();
    const payload = '<script>alert(1)</script>';
    const created = await organizerCreates({ name: payload, bio: `${payload}" onmouseover="alert(2)`, keywords: [`词${m}`] });
    await settle();
    for (const path of [`/experts?q=${encodeURIComponent(`词${m}`)}`, `/experts/${created.id}`]) {
      const res = await request(app).get(path).expect(200);
      expect(res.text, path).not.toContain(payload);
      expect(res.text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text, path).not.toContain('" onmouseover="');
    }
  });

  it('when an organizer exports the list, then contacts are included and audited; anyone else gets no contacts', async () => {
    const m = marker();
    await organizerCreates({ name: `导出专家${m}`, keywords: [`词${m}`] });
    const organizer = await userAgent(app, 'organizer');
    const csv = await organizer.agent.get('/experts/export.csv').query({ q: `词${m}` }).expect(200);
    expect(csv.headers['content-disposition']).toContain('attachment');
    expect(csv.text).toContain('姓名');
    expect(csv.text).toContain(`导出专家${m}`);
    expect(csv.text).toContain('18132925932');
    expect(await Audit.countDocuments({ action: 'contact.reveal', actorId: organizer.user.id, targetKind: 'experts' })).toBe(1);
    const anon = await request(app).get('/experts/export.csv').query({ q: `词${m}` }).expect(200);
    expect(anon.text).toContain(`导出专家${m}`);
    expect(anon.text).not.toContain('18132925932');
  });
});

describe('expert import', () => {
  it('when a sheet is imported, then units on the platform are linked, existing experts updated, bad rows reported, and a batch can be rolled back', async () => {
    const m = marker();
    const inst = await Institution.create({ name: `三峡大学${m}`, kind: 'university', province: '湖北省', city: '宜昌市' });
    const existing = await organizerCreates({ name: `老专家${m}`, institutionName: '荆门职业学院', keywords: ['旧词'] });
    await Expert.updateOne({ _id: existing.id }, { $set: { 'search.dirty': false } });
    const headers = ['姓名', '职称', '所在单位', '产业领域', '专长关键词', '个人简介', '可参加专家东宝行', '联系人', '联系电话', '联系邮箱', '微信'];
    const row = (cells: string[], line: number) => ({ line, cells: Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])) });
    const table = {
      headers,
      rows: [
        row([`新专家${m}`, '教授', inst.name, '磷化工与新材料、电子信息', '磷石膏、湿法磷酸', '简介', '是', '', '13972612345'], 2),
        row([`老专家${m}`, '研究员', '荆门职业学院', '智能制造与装备', '机器视觉', '', '否'], 3),
        row([`坏专家${m}`, '教授', '某大学', '采矿业', '关键词', '', '否', '', '123'], 4),
      ],
    };
    const checked = await validateTable(expertImport, table);
    expect(checked.counts).toEqual({ create: 1, update: 1, error: 1 });
    expect(checked.outcomes.find((o) => o.line === 4)?.errors).toMatchObject({ industries: expect.any(String), 'contact.phone': expect.any(String) });

    const batch = await writeAll(expertImport, checked.valid);
    const made = await Expert.findOne({ name: `新专家${m}` }).lean();
    expect(made).toMatchObject({ institution: String(inst._id), institutionName: inst.name, city: '宜昌市', industries: ['chemicals', 'electronics'], availableForVisits: true, importBatch: batch });
    const updated = await Expert.findById(existing.id).lean();
    expect(updated).toMatchObject({ title: '研究员', keywords: ['机器视觉'], industries: ['manufacturing'], search: { dirty: true } });

    expect(await expertImport.rollback!(batch)).toBe(1);
    expect(await Expert.countDocuments({ name: `新专家${m}` })).toBe(0);
    expect(await Expert.countDocuments({ _id: existing.id })).toBe(1);
  });
});
