// Seeded random records and edits for the churn checks (test/search/contract.ts, embedded.churn.test.ts):
// small records made of the district's words, so the sub-word matching, synonyms and BM25 statistics all
// come into play. Every record has its own creation time and budget, so no two records tie in a ranking and
// "the same ranking" is a strict test.
import { mulberry32, pick, sample } from '../../seeds/random.ts';
import type { SearchDoc, SearchQuery } from '../../server/platform/search/port.ts';

const WORDS = [
  '磷石膏', '建筑石膏', '半水石膏', '煅烧', '综合利用', '电镀', '印制电路板', 'PCB', '脉冲', '蚀刻', '含铜废液', '回收',
  '达标排放', '背光模组', '液晶显示屏', 'LCD', '导光板', '香菇', '菌棒', '灭菌', '接种', '污染率', '种植基地', '叠合板',
  '预制构件', '连接节点', '施工效率', '农业废弃物', '资源化', '磷化工', '新材料', '锂电池', '正极材料', '光伏', '储能',
  '秸秆', '有机肥', '智能制造', '数控机床', '污水处理', '节能改造', '检测', '工艺', '设备',
];
const INDUSTRIES = ['chemicals', 'electronics', 'agriculture', 'building', 'energy'];
const TOWNS = ['lixi', 'zilingpu', 'industrial-park'];
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

export type Rand = () => number;
export const seeded = (seed: number): Rand => mulberry32(seed);

/** Record `n` (its key and creation time never change) at `version`, with content drawn from `rand`. */
export function randomDoc(rand: Rand, n: number, version: number): SearchDoc {
  const kind = n % 2 ? 'demand' : 'result';
  const title = sample(rand, WORDS, 2 + Math.floor(rand() * 2)).join('');
  const text = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => pick(rand, WORDS)).join('，');
  return {
    kind,
    id: `c${n}`,
    version,
    title,
    text: `${text}。`,
    keywords: sample(rand, WORDS, 1 + Math.floor(rand() * 3)),
    extra: rand() < 0.3 ? sample(rand, WORDS, 2).join(' ') : '',
    attributes: { kind, status: 'published', visibility: 'public', industry: pick(rand, INDUSTRIES), town: pick(rand, TOWNS) },
    numbers: { createdAt: T0 + n * HOUR, budget: 10_000 + n * 7 },
    display: { title, v: version },
  };
}

/** The questions compared: single words, words inside longer words, synonyms, several words, filters, browsing. */
export function churnQueries(): SearchQuery[] {
  const base = { page: 1, limit: 20 };
  const words = ['石膏', '磷石膏', '电镀', '线路板', 'lcd', '液晶', '香菇', '菌棒 污染率', '储能 锂电池', '回收', '工艺', '设备 检测', '处理', '农业', '节点'];
  return [
    ...words.map((q) => ({ ...base, q })),
    ...words.slice(0, 6).map((q) => ({ ...base, q, filters: { industry: 'electronics' }, facets: ['industry' as const, 'town' as const] })),
    { ...base, q: '香菇 电镀', relaxed: true },
    { ...base, q: '光伏 秸秆 数控机床', mode: 'any' },
    { ...base, q: '石膏 回收 储能 工艺', mode: 'any' },
    { ...base, q: '工艺', page: 2 },
    { ...base, sort: { by: 'createdAt', order: 'desc' }, facets: ['industry', 'town', 'kind'] },
    { ...base, filters: { kind: 'demand' }, sort: { by: 'budget', order: 'asc' } },
  ];
}

/** What two answers are compared on: the page (records, order, snippets, display), scores, totals, facets, terms. */
export function comparable(r: { items: { kind: string; id: string; score: number; snippet: string; display: unknown }[]; total: number; facets: unknown; terms: string[]; relaxed: boolean }) {
  return {
    items: r.items.map((h) => ({ kind: h.kind, id: h.id, snippet: h.snippet, display: h.display })),
    scores: r.items.map((h) => h.score),
    total: r.total,
    facets: r.facets,
    terms: r.terms,
    relaxed: r.relaxed,
  };
}
