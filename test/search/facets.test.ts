// Facets never count what the viewer may not see (issue 16): for each role, on the search API, the search page
// and the as-you-type fragment, the counts are those of the records that role finds — drafts, closed needs and
// (for visitors) members-only needs count nowhere, `visibility` is never a facet, and the fragment carries the
// facets counted for the list it carries.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, userAgent, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Demand } from '../../server/demands/model.ts';
import type { Role } from '../../server/platform/auth/actor.ts';
import { FINDABLE } from '../../server/search/visibility.ts';

const { app, settle } = buildTestApp();
const W = '稀土抛光粉';
const ROLES: (Role | 'visitor')[] = ['visitor', 'enterprise', 'institution', 'expert', 'broker', 'organizer'];
let ids: Record<string, string>;

beforeAll(async () => {
  const ent = await owner('enterprise', { name: '抛光粉测试企业有限公司' });
  const inst = await owner('institution');
  const need = (title: string, fields: Record<string, unknown> = {}) => demandOf(ent.actor, { title, keywords: [W], ...fields }).then((d) => d.id);
  ids = {
    public: await need(`${W}回收公开需求`),
    matching: await need(`${W}提纯对接中需求`, { industry: 'manufacturing' }),
    members: await need(`${W}会员可见需求`, { visibility: 'members' }),
    draft: await need(`${W}草稿需求`, { draft: true }),
    closed: await need(`${W}已关闭需求`, { industry: 'electronics' }),
    closedMembers: await need(`${W}已关闭会员需求`, { visibility: 'members', industry: 'electronics' }),
    result: (await resultOf(inst.actor, { title: `${W}再生利用成果`, keywords: [W] })).id,
  };
  await Demand.updateOne({ _id: ids.matching }, { $set: { status: 'matching' } });
  await Demand.updateOne({ _id: ids.closed }, { $set: { status: 'closed' } });
  await Demand.updateOne({ _id: ids.closedMembers }, { $set: { status: 'closed' } });
  await settle();
});

/** What each role may find: published or further along, members-only needs when logged in. */
const expected = (role: Role | 'visitor') => [ids.public!, ids.matching!, ids.result!, ...(role === 'visitor' ? [] : [ids.members!])];

const headersFor = new Map<string, Record<string, string>>();
async function auth(role: Role | 'visitor'): Promise<Record<string, string>> {
  if (role === 'visitor') return {};
  if (!headersFor.has(role)) headersFor.set(role, (await apiToken(role)).auth);
  return headersFor.get(role)!;
}

type Facets = Record<string, Record<string, number>>;
const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

describe('search facets, per role', () => {
  for (const role of ROLES) {
    it(`when a ${role} searches, then every facet counts exactly the records a ${role} finds`, async () => {
      const res = await request(app).get('/api/v1/search').query({ q: W, limit: '50' }).set(await auth(role)).expect(200);
      const found = res.body.items.map((i: { id: string }) => i.id).sort();
      expect(found).toEqual(expected(role).sort());
      expect(res.body.total).toBe(expected(role).length);
      const facets = res.body.facets as Facets;
      expect(Object.keys(facets).sort()).toEqual(['industry', 'kind', 'maturity', 'status', 'town']);
      expect(facets).not.toHaveProperty('visibility');
      // Single-valued facets add up to the total: nothing hidden is counted.
      expect(sum(facets.kind)).toBe(res.body.total);
      expect(sum(facets.status)).toBe(res.body.total);
      expect(Object.keys(facets.status!).every((s) => FINDABLE.includes(s))).toBe(true);
      expect(facets.status).toEqual({ published: role === 'visitor' ? 2 : 3, matching: 1 });
      // Closed needs were the only electronics ones: no count betrays them.
      expect(facets.industry?.electronics).toBeUndefined();
      expect(facets.kind).toEqual({ demand: role === 'visitor' ? 2 : 3, result: 1 });

      // Filtered, each facet is counted as if its own filter were not set — but still only over what the role sees.
      const byKind = await request(app).get('/api/v1/search').query({ q: W, kind: 'result' }).set(await auth(role)).expect(200);
      expect(byKind.body.total).toBe(1);
      expect(byKind.body.facets.kind).toEqual({ demand: role === 'visitor' ? 2 : 3, result: 1 });
      expect(byKind.body.facets.status).toEqual({ published: 1 });
      const byStatus = await request(app).get('/api/v1/search').query({ q: W, status: 'matching' }).set(await auth(role)).expect(200);
      expect(byStatus.body.items.map((i: { id: string }) => i.id)).toEqual([ids.matching]);
      expect(byStatus.body.facets.status).toEqual({ published: role === 'visitor' ? 2 : 3, matching: 1 });
      // A status one may not see cannot be asked for.
      const asked = await request(app).get('/api/v1/search').query({ q: W, status: 'closed' }).set(await auth(role)).expect(200);
      expect(asked.body.total).toBe(expected(role).length);
    });
  }
});

/** The counts shown in one facet section of the page (label → count). */
function pageFacet(html: string, title: string): Record<string, number> {
  const aside = /<aside class="facets" id="search-facets"[\s\S]*?<\/aside>/.exec(html)?.[0] ?? '';
  const section = new RegExp(`<h2>${title}</h2>([\\s\\S]*?)</section>`).exec(aside)?.[1] ?? '';
  return Object.fromEntries([...section.matchAll(/>([^<>（]+)（(\d+)）/g)].map((m) => [m[1]!.trim(), Number(m[2])]));
}

describe('search page facets, per role', () => {
  const agents = new Map<string, Agent>();
  const pageAs = async (role: Role | 'visitor', query: Record<string, string>) => {
    if (role === 'visitor') return request(app).get('/search').query(query).expect(200);
    if (!agents.has(role)) agents.set(role, (await userAgent(app, role)).agent);
    return agents.get(role)!.get('/search').query(query).expect(200);
  };

  for (const role of ROLES) {
    it(`when a ${role} opens the search page or types (the fragment), then the facets count what a ${role} finds`, async () => {
      const demands = role === 'visitor' ? 2 : 3;
      const page = await pageAs(role, { q: W });
      expect(pageFacet(page.text, '类型')).toEqual({ 技术需求: demands, 科技成果: 1 });
      expect(pageFacet(page.text, '状态')).toEqual({ 已发布: demands, 对接中: 1 });
      expect(page.text).not.toContain('已关闭（');
      expect(page.text).not.toContain('草稿（');

      // As you type: the fragment brings the list and the facets counted for it, never the layout.
      const fragment = await pageAs(role, { q: `${W}提纯`, fragment: '1' });
      expect(fragment.text.trim().startsWith('<div id="search-results"')).toBe(true);
      expect(fragment.text).not.toContain('<html');
      expect(fragment.text).toContain('id="search-facets"');
      expect(pageFacet(fragment.text, '类型')).toEqual({ 技术需求: 1 });
      expect(pageFacet(fragment.text, '状态')).toEqual({ 对接中: 1 });
      // Its links lead to the page, not to another fragment.
      expect(fragment.text).not.toContain('fragment=1');
    });
  }
});
