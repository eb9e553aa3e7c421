// The contract every SearchIndex adapter passes: the embedded engine always, Meilisearch whenever
// MEILI_HOST is set (meilisearch.contract.test.ts). Chinese words inside longer words, synonyms, mixed
// Chinese/English, filters, disjunctive facets, ranges, sorting, paging (and its honest total past
// MAX_WINDOW), versions (the same version again changes nothing, an older one never wins), removal, writes
// during a rebuild, and rankings after churn equal to a fresh build's.
import { describe, expect, it, beforeAll } from 'vitest';
import { MAX_WINDOW, type SearchDoc, type SearchIndex, type SearchQuery } from '../../server/platform/search/port.ts';
import { churnQueries, comparable, randomDoc, seeded } from './random-docs.ts';

const day = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function doc(kind: SearchDoc['kind'], id: string, fields: Partial<SearchDoc> & { age?: number }): SearchDoc {
  const { age = 0, attributes, numbers, ...rest } = fields;
  return {
    kind,
    id,
    version: 1,
    title: '',
    text: '',
    keywords: [],
    extra: '',
    display: { title: fields.title ?? id },
    ...rest,
    attributes: { kind, status: 'published', visibility: 'public', ...attributes },
    numbers: { createdAt: T0 - age * day, ...numbers },
  };
}

export const corpus: SearchDoc[] = [
  doc('result', 'r1', { title: '磷石膏综合利用制备建筑石膏粉', text: '以磷石膏为原料经煅烧制得β型半水石膏，综合利用率提高到75%。', keywords: ['磷石膏', '建筑石膏'], attributes: { industry: 'chemicals', maturity: 'pilot' }, numbers: { price: 800_000 }, age: 3 }),
  doc('result', 'r2', { title: 'PCB电镀铜均匀性控制技术', text: '针对印制电路板通孔电镀，脉冲反向电镀使均镀能力达到90%以上。', keywords: ['PCB', '电镀'], attributes: { industry: 'electronics', maturity: 'industrial' }, numbers: { price: 1_500_000 }, age: 10 }),
  doc('result', 'r3', { title: '液晶显示屏背光模组亮度均匀性提升', text: 'LCD背光模组的导光板网点优化设计。', keywords: ['背光模组'], attributes: { industry: 'electronics', maturity: 'small-pilot' }, numbers: { price: 300_000 }, age: 1 }),
  doc('demand', 'd1', { title: '含铜废液待处理工艺改进', text: '车间每天产生待处理的含铜蚀刻废液约20吨，希望回收铜并达标排放。', keywords: ['含铜废液', '回收'], attributes: { industry: 'electronics', town: 'industrial-park', category: 'process-improvement' }, numbers: { budget: 1_000_000 }, age: 2 }),
  doc('demand', 'd2', { title: '香菇菌棒污染率控制', text: '栗溪镇香菇种植基地菌棒污染率偏高，寻求灭菌与接种工艺。', keywords: ['香菇', '菌棒'], attributes: { industry: 'agriculture', town: 'lixi', category: 'tech-problem' }, numbers: { budget: 200_000 }, age: 5 }),
  doc('demand', 'd3', { title: '装配式建筑预制构件连接节点', text: '预制叠合板与墙板连接节点施工效率低。', keywords: ['叠合板'], attributes: { industry: 'building', town: 'zilingpu', category: 'tech-problem', visibility: 'members' }, numbers: { budget: 5_000_000 }, age: 7 }),
  doc('expert', 'e1', { title: '张建国 教授', text: '长期从事农业废弃物资源化与中国农业发展银行支农项目评估。', keywords: ['农业废弃物'], attributes: { industry: ['agriculture', 'energy'], available: 'yes' }, age: 20 }),
  doc('broker', 'b1', { title: '周晓婷', text: '擅长磷化工与新材料项目对接。', extra: '国家技术转移中部中心荆门分中心', attributes: { industry: ['chemicals'], level: 'senior' }, age: 30 }),
];

const ids = (r: { items: { kind: string; id: string }[] }) => r.items.map((h) => h.id);
/** scores to 9 significant digits: equal rankings, whatever the order floating-point sums were taken in */
const round = (x: number) => Number(x.toPrecision(9));
const q = (query: Partial<SearchQuery>): SearchQuery => ({ page: 1, limit: 20, ...query });

export function searchContract(make: () => Promise<SearchIndex>): void {
  let index: SearchIndex;
  beforeAll(async () => {
    index = await make();
    await index.rebuild(async function* () {
      yield corpus;
    });
  }, 120_000);

  describe('Chinese words', () => {
    it('when a word sits inside a longer word, then it is found: 石膏 in 磷石膏, 处理 in 待处理, 农业 in 中国农业发展银行', async () => {
      expect(ids(await index.search(q({ q: '石膏' })))).toContain('r1');
      expect(ids(await index.search(q({ q: '处理' })))).toContain('d1');
      expect(ids(await index.search(q({ q: '农业' })))).toContain('e1');
    });

    it('when the word is hidden inside a dictionary word (液晶显示 in 液晶显示屏, 印制电路 in 印制电路板), then it is found', async () => {
      await index.upsert([
        doc('result', 'r7', { title: '印制电路板微孔填铜工艺', text: '面向高密度印制电路板的盲孔填铜。', attributes: { industry: 'electronics', maturity: 'pilot' } }),
        doc('result', 'r8', { title: '车载液晶显示屏低温启动', text: '液晶显示屏在零下30度快速启动的加热方案。', attributes: { industry: 'electronics', maturity: 'lab' } }),
      ]);
      expect(ids(await index.search(q({ q: '印制电路' })))).toContain('r7');
      expect(ids(await index.search(q({ q: '液晶显示' })))).toContain('r8');
      await index.remove([
        { kind: 'result', id: 'r7' },
        { kind: 'result', id: 'r8' },
      ]);
    });

    it('when the query uses another name of a thing, then its synonyms match: 线路板 → PCB, LCD → 液晶', async () => {
      expect(ids(await index.search(q({ q: '线路板' })))).toContain('r2');
      expect(ids(await index.search(q({ q: 'lcd' })))).toContain('r3');
      expect(ids(await index.search(q({ q: '液晶' })))).toContain('r3');
    });

    it('when Chinese and English are mixed, then both parts count, case-insensitively', async () => {
      expect(ids(await index.search(q({ q: 'pcb电镀' })))).toEqual(['r2']);
      expect(ids(await index.search(q({ q: 'PCB 电镀' })))).toEqual(['r2']);
    });

    it('when several words are given, then records must have all of them; relaxed search says when it settles for some', async () => {
      expect(ids(await index.search(q({ q: '香菇 菌棒' })))).toEqual(['d2']);
      const none = await index.search(q({ q: '香菇 电镀' }));
      expect(none.total).toBe(0);
      const relaxed = await index.search(q({ q: '香菇 电镀', relaxed: true }));
      expect(relaxed.relaxed).toBe(true);
      expect(ids(relaxed).sort()).toEqual(['d2', 'r2']);
    });

    it('when a record matches, then the matched terms and a snippet around them come back', async () => {
      const r = await index.search(q({ q: '半水石膏' }));
      expect(ids(r)).toEqual(['r1']);
      expect(r.terms.length).toBeGreaterThan(0);
      expect(r.items[0]!.snippet).toContain('石膏');
      expect(r.items[0]!.display).toEqual({ title: '磷石膏综合利用制备建筑石膏粉' });
      // without snippets (matching): the same hits in the same order, the text left out
      const bare = await index.search(q({ q: '石膏', snippets: false }));
      const full = await index.search(q({ q: '石膏' }));
      expect(bare.items.map((h) => [h.id, h.score])).toEqual(full.items.map((h) => [h.id, h.score]));
      expect(bare.items.every((h) => h.snippet === '')).toBe(true);
      expect(full.items.some((h) => h.snippet !== '')).toBe(true);
    });

    it('when the title matches, then the record ranks above one that mentions the word in passing', async () => {
      const r = await index.search(q({ q: '磷化工' }));
      expect(ids(r)).toEqual(['b1']);
      const gypsum = await index.search(q({ q: '石膏' }));
      expect(ids(gypsum)[0]).toBe('r1');
    });
  });

  describe('filters, facets, ranges, sorting, paging', () => {
    it('when filtered by kind and a single or multi-valued attribute, then only those records come back', async () => {
      expect(ids(await index.search(q({ filters: { kind: 'demand', industry: 'electronics' } })))).toEqual(['d1']);
      expect(ids(await index.search(q({ filters: { industry: 'agriculture' } }))).sort()).toEqual(['d2', 'e1']);
      expect(ids(await index.search(q({ filters: { industry: ['chemicals', 'building'] } }))).sort()).toEqual(['b1', 'd3', 'r1']);
      expect(ids(await index.search(q({ filters: { visibility: 'public', kind: 'demand' } }))).sort()).toEqual(['d1', 'd2']);
      expect((await index.search(q({ filters: { town: 'no-such-town' } }))).total).toBe(0);
    });

    it('when facets are asked for, then each is counted as if its own filter were not set', async () => {
      const r = await index.search(q({ filters: { kind: 'result', industry: 'electronics' }, facets: ['industry', 'maturity', 'kind'] }));
      expect(r.total).toBe(2);
      expect(r.facets.industry).toEqual({ electronics: 2, chemicals: 1 });
      expect(r.facets.maturity).toEqual({ industrial: 1, 'small-pilot': 1 });
      expect(r.facets.kind).toEqual({ result: 2, demand: 1 });
    });

    it('when numbers bound the search, then ranges filter and numbers sort, records without the number last', async () => {
      expect(ids(await index.search(q({ filters: { kind: 'demand' }, ranges: { budget: { gte: 1_000_000 } } }))).sort()).toEqual(['d1', 'd3']);
      expect(ids(await index.search(q({ ranges: { price: { lte: 800_000 } } }))).sort()).toEqual(['r1', 'r3']);
      expect(ids(await index.search(q({ filters: { kind: 'result' }, sort: { by: 'price', order: 'asc' } })))).toEqual(['r3', 'r1', 'r2']);
      expect(ids(await index.search(q({ filters: { kind: 'demand' }, sort: { by: 'budget', order: 'desc' } })))).toEqual(['d3', 'd1', 'd2']);
    });

    it('when browsing without words, then records come newest first, paged with the total', async () => {
      const all = await index.search(q({ sort: { by: 'createdAt', order: 'desc' } }));
      expect(ids(all)).toEqual(['r3', 'd1', 'r1', 'd2', 'd3', 'r2', 'e1', 'b1']);
      const page2 = await index.search(q({ sort: { by: 'createdAt', order: 'desc' }, page: 2, limit: 3 }));
      expect(page2).toMatchObject({ total: 8, page: 2, limit: 3 });
      expect(ids(page2)).toEqual(['d2', 'd3', 'r2']);
    });
  });

  describe('paging past the window', () => {
    const many = Array.from({ length: MAX_WINDOW + 50 }, (_, i) =>
      doc('broker', `p${i}`, { title: `分页测试经纪人${i}`, text: '分页测试', attributes: { level: 'paging' }, age: 100 + i / 100 }),
    );
    beforeAll(async () => {
      await index.upsert(many);
    }, 120_000);

    it('when more records match than a list can page through, then total stops at MAX_WINDOW, says so, and every page it offers has records', async () => {
      for (const query of [{ q: '分页测试' }, { filters: { level: 'paging' } }] as Partial<SearchQuery>[]) {
        const first = await index.search(q({ ...query, limit: 20 }));
        expect(first).toMatchObject({ total: MAX_WINDOW, capped: true });
        for (const limit of [20, 30]) {
          const pages = Math.ceil(first.total / limit);
          const last = await index.search(q({ ...query, page: pages, limit }));
          expect(last.total).toBe(MAX_WINDOW);
          expect(last.items).toHaveLength(MAX_WINDOW - (pages - 1) * limit);
          expect((await index.search(q({ ...query, page: pages + 1, limit }))).items).toHaveLength(0);
        }
      }
    });

    it('when fewer records match, then total is exact and not capped', async () => {
      const r = await index.search(q({ filters: { level: 'paging' }, ranges: { createdAt: { gte: T0 - 100.205 * day } } }));
      expect(r).toMatchObject({ total: 21, capped: false });
      expect((await index.search(q({ q: '磷石膏' }))).capped).toBe(false);
    });

    it('when the records are removed, then the totals are back', async () => {
      await index.remove(many.map((d) => ({ kind: d.kind, id: d.id })));
      expect((await index.search(q({ q: '分页测试' }))).total).toBe(0);
      expect((await index.search(q({}))).total).toBe(corpus.length);
    });
  });

  describe('changes', () => {
    it('when a record is updated, then the newer version wins and an older one never overwrites it', async () => {
      const v2 = { ...corpus[4]!, version: 2, title: '香菇菌棒杂菌污染防控', display: { title: 'v2' } };
      await index.upsert([v2]);
      await index.upsert([{ ...corpus[4]!, version: 1 }]);
      expect((await index.versions()).get('demand:d2')).toBe(2);
      const r = await index.search(q({ q: '杂菌' }));
      expect(ids(r)).toEqual(['d2']);
      expect(r.items[0]!.display).toEqual({ title: 'v2' });
    });

    it('when the same version is upserted again, then nothing changes', async () => {
      const before = await index.search(q({ q: '磷石膏' }));
      await index.upsert([{ ...corpus[0]!, title: '同版本重复写入', display: { title: 'same version' } }]);
      expect((await index.search(q({ q: '同版本重复写入' }))).total).toBe(0);
      const after = await index.search(q({ q: '磷石膏' }));
      expect(comparable(after)).toEqual(comparable(before));
      expect((await index.versions()).get('result:r1')).toBe(1);
    });

    it('when one batch holds several versions of a record, or an older one comes later, then the newest wins', async () => {
      const v = (version: number, title: string) => doc('broker', 'vv', { version, title, display: { title }, attributes: { level: 'junior' } });
      await index.upsert([v(5, '版本五号经纪人'), v(4, '版本四号经纪人')]);
      await index.upsert([v(3, '版本三号经纪人')]);
      expect((await index.versions()).get('broker:vv')).toBe(5);
      expect(ids(await index.search(q({ q: '版本五号' })))).toEqual(['vv']);
      expect((await index.search(q({ q: '版本四号' }))).total).toBe(0);
      expect((await index.search(q({ q: '版本三号' }))).total).toBe(0);
      expect((await index.search(q({ filters: { level: 'junior' } }))).items.map((h) => h.display)).toEqual([{ title: '版本五号经纪人' }]);
      await index.remove([{ kind: 'broker', id: 'vv' }]);
    });

    it('when records are written while a rebuild runs, then the new index has the writes, whatever the rebuild read before', async () => {
      const d3v3 = { ...corpus[5]!, version: 3, title: '装配式建筑灌浆套筒节点', display: { title: 'd3 v3' } };
      await index.rebuild(async function* () {
        yield corpus.slice(0, 2);
        await index.upsert([d3v3, doc('expert', 'w1', { title: '重建期间新增专家', attributes: { available: 'yes' } })]);
        await index.remove([{ kind: 'result', id: 'r3' }]);
        yield corpus.slice(2); // read "before" the writes: d3 at version 1, r3 still there
      });
      expect((await index.versions()).get('demand:d3')).toBe(3);
      expect(ids(await index.search(q({ q: '灌浆套筒' })))).toEqual(['d3']);
      expect(ids(await index.search(q({ q: '重建期间新增专家' })))).toEqual(['w1']);
      expect((await index.versions()).has('result:r3')).toBe(false);
      expect((await index.search(q({ q: '背光模组' }))).total).toBe(0);
      await index.rebuild(async function* () {
        yield corpus;
      });
    });

    it('when records churn (new versions, removals, comebacks), then every search answers as a fresh build of the same records', async () => {
      const rand = seeded(7);
      const churned = await make();
      const fresh = await make();
      const live = new Map<number, SearchDoc>();
      const versions = new Map<number, number>();
      for (let n = 0; n < 40; n++) live.set(n, randomDoc(rand, n, 1));
      await churned.rebuild(async function* () {
        yield [...live.values()];
      });
      for (let step = 0; step < 60; step++) {
        const touched = new Set<number>();
        for (let k = 0; k < 8; k++) {
          const n = Math.floor(rand() * 50);
          const version = (versions.get(n) ?? 1) + 1;
          versions.set(n, version);
          touched.add(n);
          if (rand() < 0.25) live.delete(n);
          else live.set(n, randomDoc(rand, n, version));
        }
        // each touched record as it ends the step: removed, or at its newest version
        const gone = [...touched].filter((n) => !live.has(n)).map((n) => ({ kind: n % 2 ? ('demand' as const) : ('result' as const), id: `c${n}` }));
        await churned.remove(gone);
        await churned.upsert([...touched].filter((n) => live.has(n)).map((n) => live.get(n)!));
      }
      await fresh.rebuild(async function* () {
        yield [...live.values()];
      });
      expect(Object.fromEntries(await churned.versions())).toEqual(Object.fromEntries(await fresh.versions()));
      for (const query of churnQueries()) {
        const [a, b] = [comparable(await churned.search(query)), comparable(await fresh.search(query))];
        expect({ query, ...a, scores: a.scores.map(round) }).toEqual({ query, ...b, scores: b.scores.map(round) });
      }
      await churned.close();
      await fresh.close();
    }, 120_000);

    it('when a record is removed, then it is no longer found or counted', async () => {
      await index.upsert([doc('broker', 'tmp', { title: '临时经纪人', attributes: { industry: ['energy'], level: 'junior' } })]);
      expect(ids(await index.search(q({ q: '临时经纪人' })))).toEqual(['tmp']);
      await index.remove([{ kind: 'broker', id: 'tmp' }]);
      expect((await index.search(q({ q: '临时经纪人' }))).total).toBe(0);
      expect((await index.versions()).has('broker:tmp')).toBe(false);
    });

    it('when rebuilt, then the new index replaces the old one and searches answer meanwhile', async () => {
      let answered = 0;
      const rebuild = index.rebuild(async function* () {
        for (const d of corpus) {
          // searching while the new index fills
          const r = await index.search(q({ q: '磷石膏' }));
          if (r.total >= 1) answered++;
          yield [d];
        }
        yield [doc('result', 'r9', { title: '新成果：磷石膏路基材料', attributes: { industry: 'chemicals', maturity: 'lab' } })];
      });
      await rebuild;
      expect(answered).toBe(corpus.length);
      expect(ids(await index.search(q({ q: '路基' })))).toEqual(['r9']);
      expect((await index.versions()).get('demand:d2')).toBe(1); // the rebuilt index holds the source's versions
      expect((await index.health()).ok).toBe(true);
    });
  });
}
