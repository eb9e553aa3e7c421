// GET /api/v1/search and the search page: Chinese queries, facets, visibility, highlighting, no-JS paging
// and the as-you-type fragment.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';

const { app, settle } = buildTestApp();
let ids: Record<string, string>;

beforeAll(async () => {
  const ent = await owner('enterprise', { name: '东宝测试磷化有限公司', town: 'shiqiaoyi' });
  const inst = await owner('institution');
  const expert = await owner('expert', { name: '李磷化', keywords: ['磷石膏', '湿法磷酸'], bio: '长期研究磷石膏综合利用与湿法磷酸净化。' });
  ids = {
    public: (await demandOf(ent.actor, { title: '磷石膏综合利用率提升需求', keywords: ['磷石膏', '综合利用'] })).id,
    draft: (await demandOf(ent.actor, { title: '磷石膏草稿需求不应被搜到', draft: true })).id,
    members: (await demandOf(ent.actor, { title: '磷石膏会员可见需求', visibility: 'members' })).id,
    result: (await resultOf(inst.actor, { title: '磷石膏制备α型高强石膏', keywords: ['磷石膏', '高强石膏'] })).id,
    expert: expert.id,
  };
  await settle();
});

describe('search API', () => {
  it('when a visitor searches in Chinese, then needs, results and experts come back in the documented shape, without drafts or members-only needs', async () => {
    const res = await request(app).get('/api/v1/search').query({ q: '石膏' }).expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20 });
    const found = res.body.items.map((i: { id: string }) => i.id);
    expect(found).toEqual(expect.arrayContaining([ids.public, ids.result, ids.expert]));
    expect(found).not.toContain(ids.draft);
    expect(found).not.toContain(ids.members);
    const item = res.body.items.find((i: { id: string }) => i.id === ids.public);
    expect(item).toMatchObject({ kind: 'demand', title: '磷石膏综合利用率提升需求', url: `/demands/${ids.public}` });
    expect(res.body.facets.kind).toMatchObject({ demand: expect.any(Number), result: expect.any(Number), expert: expect.any(Number) });
    expect(res.body.terms).toContain('石膏');
    expect(JSON.stringify(res.body)).not.toContain('13972600001'); // never a contact
  });

  it('when anyone searches for a word only a draft or closed need contains, then no facet counts it (nothing tells unpublished words apart)', async () => {
    for (const auth of [{}, (await apiToken('broker')).auth]) {
      const res = await request(app).get('/api/v1/search').query({ q: '草稿需求不应被搜到' }).set(auth).expect(200);
      expect(res.body.items.map((i: { id: string }) => i.id)).not.toContain(ids.draft);
      expect(Object.keys(res.body.facets.status ?? {})).not.toContain('draft');
      expect(Object.keys(res.body.facets.status ?? {}).every((s) => ['published', 'matching', 'negotiating', 'contracted'].includes(s))).toBe(true);
      const filtered = await request(app).get('/api/v1/search').query({ q: '磷石膏', status: 'published' }).set(auth).expect(200);
      expect(Object.keys(filtered.body.facets.status)).not.toContain('draft');
      expect(filtered.body.facets.status.published).toBeGreaterThan(0);
    }
  });

  it('when the same search is asked again, then the kept answer is the same JSON, per visibility, and a new need shows in the next one', async () => {
    const ask = (auth: Record<string, string> = {}) => request(app).get('/api/v1/search').query({ q: '磷石膏' }).set(auth).expect(200).expect('Content-Type', /application\/json/);
    const first = await ask();
    expect((await ask()).text).toBe(first.text);
    const { auth } = await apiToken('expert');
    const signedIn = await ask(auth);
    expect(signedIn.body.items.map((i: { id: string }) => i.id)).toContain(ids.members);
    expect((await ask()).body.items.map((i: { id: string }) => i.id)).not.toContain(ids.members);
    // each answer its own tag; a client holding it is told nothing changed
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[\w-]{20,}"$/);
    expect(signedIn.headers.etag).not.toBe(tag);
    await request(app).get('/api/v1/search').query({ q: '磷石膏' }).set('If-None-Match', tag).expect(304);
    const ent = await owner('enterprise');
    const added = (await demandOf(ent.actor, { title: '磷石膏新需求在下次回答中', keywords: ['磷石膏'] })).id;
    await settle();
    const next = await ask();
    expect(next.body.items.map((i: { id: string }) => i.id)).toContain(added);
    expect(next.headers.etag).not.toBe(tag);
    await request(app).get('/api/v1/search').query({ q: '磷石膏' }).set('If-None-Match', tag).expect(200);
  });

  it('when a logged-in user searches, then members-only needs are included', async () => {
    const { auth } = await apiToken('expert');
    const found = (await request(app).get('/api/v1/search').query({ q: '磷石膏' }).set(auth)).body.items.map((i: { id: string }) => i.id);
    expect(found).toContain(ids.members);
  });

  it('when filtered by kind and industry, then the facets still count the other kinds', async () => {
    const res = await request(app).get('/api/v1/search').query({ q: '磷石膏', kind: 'result', industry: 'chemicals' }).expect(200);
    expect(res.body.items.every((i: { kind: string }) => i.kind === 'result')).toBe(true);
    expect(res.body.facets.kind.demand).toBeGreaterThan(0);
  });

  it('when parameters are bad or repeated, then the answer says so', async () => {
    expect((await request(app).get('/api/v1/search?q=a&q=b')).status).toBe(400);
    const long = await request(app).get('/api/v1/search').query({ q: '磷'.repeat(101) });
    expect(long.status).toBe(400);
    expect(long.body.errors.q).toContain('100');
    // Unknown filter values are ignored rather than failing a search.
    expect((await request(app).get('/api/v1/search').query({ q: '磷石膏', kind: 'nonsense' })).status).toBe(200);
  });
});

describe('search page', () => {
  it('when searched without JavaScript, then results, highlights, facets and paging render', async () => {
    const res = await request(app).get('/search').query({ q: '磷石膏' }).expect(200);
    expect(res.text).toContain('<mark>磷石膏</mark>');
    expect(res.text).toContain('共找到');
    expect(res.text).toMatch(/<h2>类型<\/h2>/);
    const html = res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'); // attribute escaping, decoded as a browser does
    expect(html).toContain('href="/search?q=%E7%A3%B7%E7%9F%B3%E8%86%8F&kind=result"');
    expect(res.text).toContain('data-live-search');
  });

  it('when asked for the fragment (as you type), then only the results come back, without the layout', async () => {
    const res = await request(app).get('/search').query({ q: '高强石膏', fragment: '1' }).expect(200);
    expect(res.text.trim().startsWith('<div id="search-results"')).toBe(true);
    expect(res.text).not.toContain('<html');
    expect(res.text.replace(/<\/?mark>/g, '')).toContain('磷石膏制备α型高强石膏');
  });

  it('when nothing matches, then the page says so and suggests what to try', async () => {
    const res = await request(app).get('/search').query({ q: '完全不存在的词语组合' }).expect(200);
    expect(res.text).toMatch(/没有找到|部分关键词/);
  });
});
