// Saved searches through the API and the pages: save with a query and the search page's filters, list, delete;
// the 20-per-user limit (409), a filter the search page does not know is a field error naming the field, the
// query's length, someone else's saved search is 404, and the page flow from the search page (CSRF, a
// confirmation page before deleting, no JavaScript needed).
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, submit, userAgent } from '../support/agent.ts';
import { SavedSearch } from '../../server/saved-searches/model.ts';

const { app } = buildTestApp();
let alice: Awaited<ReturnType<typeof apiToken>>;
let bob: Awaited<ReturnType<typeof apiToken>>;

beforeAll(async () => {
  alice = await apiToken('enterprise');
  bob = await apiToken('expert');
});

const save = (auth: Record<string, string>, body: unknown) => request(app).post('/api/v1/saved-searches').set(auth).send(body as object);

describe('saved searches: API', () => {
  it('when a user saves a search with filters, then it answers 201 with the record and lists it; deleting answers 204', async () => {
    const res = await save(alice.auth, { q: '  磷石膏 ', filters: { kind: 'demand', industry: 'chemicals', town: 'shiqiaoyi', budgetMin: 50 }, frequency: 'daily' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      q: '磷石膏',
      filters: { kind: 'demand', industry: 'chemicals', town: 'shiqiaoyi', budgetMin: 50 },
      frequency: 'daily',
      summary: '关键词“磷石膏” · 类型：技术需求 · 行业：磷化工与新材料 · 乡镇：石桥驿镇 · 预算：50–不限 万元',
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{24}$/);
    expect(res.body.searchUrl).toBe('/search?q=%E7%A3%B7%E7%9F%B3%E8%86%8F&kind=demand&industry=chemicals&town=shiqiaoyi&budgetMin=50');
    expect(res.body.lastDigestAt).toBeUndefined();

    const list = await request(app).get('/api/v1/saved-searches').set(alice.auth).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, limit: 20 });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([res.body.id]);
    // Nobody else sees it.
    expect((await request(app).get('/api/v1/saved-searches').set(bob.auth).expect(200)).body).toMatchObject({ items: [], total: 0 });

    await request(app).delete(`/api/v1/saved-searches/${res.body.id}`).set(alice.auth).expect(204);
    expect((await request(app).get('/api/v1/saved-searches').set(alice.auth).expect(200)).body.total).toBe(0);
    await request(app).delete(`/api/v1/saved-searches/${res.body.id}`).set(alice.auth).expect(404);
  });

  it('when the input is bad, then it is a 400 problem+json naming each field, and nothing is saved', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ q: '磷石膏', filters: { industry: 'mining' }, frequency: 'daily' }, 'filters.industry', /未知的行业代码/],
      [{ q: '磷石膏', filters: { kind: 'patent' }, frequency: 'daily' }, 'filters.kind', /未知的类型/],
      [{ q: '磷石膏', filters: { town: 'wuhan' }, frequency: 'daily' }, 'filters.town', /未知的乡镇代码/],
      [{ q: '磷石膏', filters: { status: 'draft' }, frequency: 'daily' }, 'filters.status', /未知的状态/],
      [{ q: '磷石膏', filters: { budgetMin: 'many' }, frequency: 'daily' }, 'filters.budgetMin', /数字/],
      [{ q: '磷石膏', filters: { budgetMin: 300, budgetMax: 100 }, frequency: 'daily' }, 'filters.budgetMax', /不能低于/],
      [{ q: '磷石膏', filters: { colour: 'red' }, frequency: 'daily' }, 'filters', /不支持的筛选条件：colour/],
      [{ q: '磷'.repeat(101), frequency: 'daily' }, 'q', /不能超过 100 个字/],
      [{ q: '', frequency: 'daily' }, 'q', /至少选择一个筛选条件/],
      [{ q: '磷石膏\u202E', frequency: 'daily' }, 'q', /显示方向/],
      [{ q: '磷石膏', frequency: 'hourly' }, 'frequency', /每天.*每周/],
      [{ q: '磷石膏' }, 'frequency', /发送频率/],
    ];
    for (const [body, field, message] of cases) {
      const res = await save(alice.auth, body);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors?.[field], `${JSON.stringify(body)} → ${res.text}`).toMatch(message);
    }
    // A query of exactly 100 characters and filters alone are fine.
    const long = await save(alice.auth, { q: '磷'.repeat(100), frequency: 'weekly' }).expect(201);
    const filtersOnly = await save(alice.auth, { filters: { kind: 'result', maturity: 'pilot' }, frequency: 'weekly' }).expect(201);
    expect(filtersOnly.body.q).toBe('');
    for (const id of [long.body.id, filtersOnly.body.id]) await request(app).delete(`/api/v1/saved-searches/${id}`).set(alice.auth).expect(204);
    expect(await SavedSearch.countDocuments({ user: alice.user.id })).toBe(0);
  });

  it('when a user has 20 saved searches, then the 21st is refused with 409 until one is deleted; the same search twice is 409 too', async () => {
    const user = await apiToken('broker');
    const ids: string[] = [];
    for (let i = 1; i <= 20; i++) ids.push((await save(user.auth, { q: `磷石膏 ${i}`, frequency: 'daily' }).expect(201)).body.id);
    const refused = await save(user.auth, { q: '磷石膏 21', frequency: 'daily' });
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(/最多只能保存 20 个搜索/);
    // Two at once still cannot pass the limit (a unique slot per user and place).
    const raced = await Promise.all([save(user.auth, { q: '磷石膏 22', frequency: 'daily' }), save(user.auth, { q: '磷石膏 23', frequency: 'daily' })]);
    expect(raced.map((r) => r.status)).toEqual([409, 409]);

    await request(app).delete(`/api/v1/saved-searches/${ids[4]}`).set(user.auth).expect(204);
    await save(user.auth, { q: '磷石膏 21', frequency: 'weekly' }).expect(201);
    expect((await request(app).get('/api/v1/saved-searches').set(user.auth).expect(200)).body.total).toBe(20);

    const again = await save(user.auth, { q: '磷石膏 1', frequency: 'weekly' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/已经保存过这个搜索/);
  });

  it("when someone else's saved search is deleted or opened, then it is 404 like an unused id, and it stays", async () => {
    const mine = (await save(alice.auth, { q: '光伏支架', frequency: 'daily' }).expect(201)).body.id as string;
    const other = await request(app).delete(`/api/v1/saved-searches/${mine}`).set(bob.auth);
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    const unused = await request(app).delete('/api/v1/saved-searches/0123456789abcdef01234567').set(bob.auth);
    expect(unused.status).toBe(404);
    expect(other.body.detail).toBe(unused.body.detail);
    await request(app).delete('/api/v1/saved-searches/not-an-id').set(bob.auth).expect(404);

    const { agent } = await userAgent(app, 'expert');
    await agent.get(`/saved-searches/${mine}/delete`).expect(404);
    const page = await agent.get('/saved-searches');
    const res = await agent.post(`/saved-searches/${mine}/delete`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(404);
    expect(await SavedSearch.exists({ _id: mine })).toBeTruthy();
    await request(app).delete(`/api/v1/saved-searches/${mine}`).set(alice.auth).expect(204);
  });

  it('when nobody is signed in, then the API answers 401 and the page sends to the login form', async () => {
    await request(app).get('/api/v1/saved-searches').expect(401);
    await request(app).post('/api/v1/saved-searches').send({ q: '磷石膏', frequency: 'daily' }).expect(401);
    const page = await request(app).get('/saved-searches').expect(303);
    expect(page.headers.location).toBe('/login?next=%2Fsaved-searches');
  });
});

describe('saved searches: pages', () => {
  it('when a signed-in user saves the search shown on the search page, then 已保存的搜索 lists it, and deleting asks first and works without JavaScript', async () => {
    const { agent, user } = await userAgent(app, 'institution');
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('href="/saved-searches"');
    expect(account.text).toContain('已保存搜索的新内容'); // the mail kind can be turned off

    const search = await agent.get('/search').query({ q: '香菇', industry: 'agriculture', town: 'xianju' }).expect(200);
    const form = /<form method="post" action="\/saved-searches"[\s\S]*?<\/form>/.exec(search.text)?.[0] ?? '';
    expect(form).toContain('name="q" value="香菇"');
    expect(form).toContain('name="industry" value="agriculture"');
    expect(form).toContain('name="town" value="xianju"');
    expect(form).toContain('name="frequency"');
    expect(form).toContain('name="_csrf"');
    // The as-you-type fragment carries the form for the query it shows.
    const fragment = await agent.get('/search').query({ q: '香菇种植', fragment: '1' }).expect(200);
    expect(fragment.text).toContain('name="q" value="香菇种植"');

    // Without the form's token nothing is saved.
    await agent.post('/saved-searches').type('form').send({ q: '香菇', frequency: 'daily' }).expect(403);
    const saved = await submit(agent, '/search?q=香菇', '/saved-searches', { q: '香菇', industry: 'agriculture', town: 'xianju', frequency: 'weekly' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/saved-searches');
    const list = await agent.get('/saved-searches').expect(200);
    expect(list.text).toContain('已保存搜索“关键词“香菇” · 行业：现代农业与食品 · 乡镇：仙居乡”');
    expect(list.text).toContain('每周');
    expect(list.text).toContain('尚未发送');
    const doc = (await SavedSearch.findOne({ user: user.id }).lean())!;
    expect(doc).toMatchObject({ q: '香菇', filters: { industry: 'agriculture', town: 'xianju' }, frequency: 'weekly' });
    const id = String(doc._id);
    expect(list.text).toContain(`href="/saved-searches/${id}/delete"`);

    // A bad value from a hand-made form comes back to the search page with the reason, and saves nothing.
    const bad = await submit(agent, '/saved-searches', '/saved-searches', { q: '香菇', industry: 'mushrooms', frequency: 'daily' });
    expect(bad.status).toBe(303);
    expect(bad.headers.location).toBe('/search?q=%E9%A6%99%E8%8F%87&industry=mushrooms');
    expect((await agent.get(bad.headers.location!).expect(200)).text).toContain('未知的行业代码');
    // Saving the same search again says so.
    const dup = await submit(agent, '/search', '/saved-searches', { q: '香菇', industry: 'agriculture', town: 'xianju', frequency: 'daily' });
    expect((await agent.get(dup.headers.location!).expect(200)).text).toContain('已经保存过这个搜索');

    // Deleting: a confirmation page first (a plain link from the list), then its form.
    const confirm = await agent.get(`/saved-searches/${id}/delete`).expect(200);
    expect(confirm.text).toContain('确定删除搜索');
    expect(confirm.text).toContain(`action="/saved-searches/${id}/delete"`);
    expect(await SavedSearch.exists({ _id: id })).toBeTruthy(); // opening it changed nothing
    await agent.post(`/saved-searches/${id}/delete`).type('form').send({}).expect(403); // no token
    const deleted = await agent.post(`/saved-searches/${id}/delete`).type('form').send({ _csrf: csrfFrom(confirm.text) });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe('/saved-searches');
    const after = await agent.get('/saved-searches').expect(200);
    expect(after.text).toContain('已删除搜索');
    expect(after.text).toContain('还没有保存的搜索。');
    expect(await SavedSearch.exists({ _id: id })).toBeNull();
  });

  it('when a visitor opens the search page, then it offers to sign in instead of a form', async () => {
    const page = await request(app).get('/search').query({ q: '香菇' }).expect(200);
    expect(page.text).not.toContain('action="/saved-searches"');
    expect(page.text).toContain('后可以保存此搜索');
  });
});
