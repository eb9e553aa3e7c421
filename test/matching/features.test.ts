// Each feature alone, with the reasons it gives: results with the same text that differ only in maturity, price,
// cooperation mode or place must be ordered by fit. (The labelled set measures them together: quality.test.ts.)
import { describe, expect, it } from 'vitest';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { SearchDoc } from '../../server/platform/search/port.ts';
import { matchesForNeed, type NeedProfile } from '../../server/matching/matcher.ts';
import { budgetFit, keywordOverlap, localityFit, maturityFit } from '../../server/matching/features.ts';

const text = '以磷石膏为原料，经水洗净化与低温煅烧制备建筑石膏粉，产品强度达到国家标准。';
function twin(id: string, display: Record<string, unknown>): SearchDoc {
  return {
    kind: 'result',
    id,
    version: 1,
    title: '磷石膏制备建筑石膏粉',
    text,
    keywords: ['磷石膏', '建筑石膏'],
    extra: '',
    attributes: { kind: 'result', status: 'published', industry: 'chemicals', visibility: 'public' },
    numbers: { createdAt: 0 },
    display: { label: `磷石膏制备建筑石膏粉-${id}`, industry: 'chemicals', keywords: ['磷石膏', '建筑石膏'], transferModes: ['transfer'], city: '武汉市', province: '湖北省', maturity: 'pilot', askingPrice: 500_000, ...display },
  };
}

const need: NeedProfile = {
  title: '磷石膏制备建筑石膏粉',
  keywords: ['磷石膏', '建筑石膏'],
  industry: 'chemicals',
  kind: 'process-improvement',
  cooperationModes: ['transfer'],
  budgetMax: 800_000,
  targetMaturity: 'pilot',
};

async function rank(docs: SearchDoc[], profile = need) {
  const index = new EmbeddedSearch();
  await index.upsert(docs);
  return matchesForNeed(index, profile, 'result', 10);
}

describe('features decide between equal texts', () => {
  it('when only maturity differs, then the one mature enough ranks first and the reason says so', async () => {
    const r = await rank([twin('lab', { maturity: 'lab' }), twin('pilot', { maturity: 'pilot' }), twin('small', { maturity: 'small-pilot' })]);
    expect(r.map((m) => m.id)).toEqual(['pilot', 'small', 'lab']);
    expect(r[0]!.reasons).toContain('成熟度：中试，满足需求');
    expect(r[1]!.reasons.join()).toContain('低于期望的中试');
  });

  it('when only the price differs, then within budget ranks above slightly over, above far over', async () => {
    const r = await rank([twin('far', { askingPrice: 3_000_000 }), twin('in', { askingPrice: 600_000 }), twin('near', { askingPrice: 950_000 })]);
    expect(r.map((m) => m.id)).toEqual(['in', 'near', 'far']);
    expect(r[0]!.reasons).toContain('报价 60 万元，在预算内');
  });

  it('when only modes and place differ, then a shared mode and 荆门 come first', async () => {
    const r = await rank([
      twin('license-far', { transferModes: ['license'], city: '北京市', province: '北京市' }),
      twin('transfer-jingmen', { city: '荆门市' }),
      twin('transfer-wuhan', {}),
    ]);
    expect(r.map((m) => m.id)).toEqual(['transfer-jingmen', 'transfer-wuhan', 'license-far']);
    expect(r[0]!.reasons).toContain('荆门本地');
  });

  it('then each feature is bounded and explained', () => {
    expect(maturityFit('industrial', 'lab')).toMatchObject({ value: 0 });
    expect(budgetFit(undefined, undefined, 100_000)).toMatchObject({ value: 0.5, reason: '报价 10 万元' });
    expect(budgetFit(100_000, 200_000, undefined)).toMatchObject({ value: 0.5, reason: '报价面议' });
    expect(localityFit('宜昌市', '湖北省').value).toBeGreaterThan(localityFit('广州市', '广东省').value);
    expect(keywordOverlap(['石膏', '线路板'], ['磷石膏', 'PCB'], '')).toMatchObject({ value: 1, reason: '关键词重合：石膏、线路板' });
    expect(keywordOverlap(['香菇'], ['磷石膏'], '').value).toBe(0);
  });
});
