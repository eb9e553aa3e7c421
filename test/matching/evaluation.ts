// Recall@10, MRR and nDCG@10 of the need → result matcher on the labelled set (test/matching/labelled-set.ts,
// made as test/matching/README.md says). Every result of every need — relevant ones and hard negatives — is
// created through the results service into whatever the database already holds (the demo corpus in the tests,
// the demo corpus plus 100,000-scale records in the bench), so the matcher ranks them through the real search
// index among everything else. "BM25 alone" is the matcher's own retrieval order: the same query and
// candidates, scored on text only. Shared by quality.test.ts (floors and the mutation check) and `npm run bench -- matching`.
import type { SearchIndex } from '../../server/platform/search/port.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { trusted } from '../../server/platform/db/connection.ts';
import { Institution } from '../../server/organizations/model.ts';
import { Result } from '../../server/results/model.ts';
import { results as resultService } from '../../server/results/service.ts';
import { resultInput } from '../../server/results/schema.ts';
import { matchesForNeed, type NeedProfile } from '../../server/matching/matcher.ts';
import { RESULT_WEIGHTS, type ResultWeights } from '../../server/matching/weights.ts';
import { labelledNeeds, type Place, type SetNeed, type SetResult } from './labelled-set.ts';

const SYSTEM: Actor = { id: 'eval', email: 'eval@localhost', name: '评测', role: 'organizer', status: 'active' };

/** Text only: the order in which retrieval (BM25) hands candidates to scoring. */
export const BM25_ALONE: ResultWeights = { text: 1, keywords: 0, industry: 0, maturity: 0, budget: 0, modes: 0, locality: 0 };

export const FEATURES = Object.keys(RESULT_WEIGHTS) as (keyof typeof RESULT_WEIGHTS)[];

/** The production weights with one feature zeroed, or inverted (a negative weight ranks as 1 − value would). */
export function mutated(feature: keyof typeof RESULT_WEIGHTS, how: 'zeroed' | 'inverted'): ResultWeights {
  return { ...RESULT_WEIGHTS, [feature]: how === 'zeroed' ? 0 : -RESULT_WEIGHTS[feature] };
}

/** The offering institution by place: 荆门, elsewhere in 湖北 (by industry), outside 湖北. */
const HUBEI: Record<string, string> = {
  chemicals: '武汉工程大学',
  building: '武汉理工大学',
  electronics: '华中科技大学',
  agriculture: '华中农业大学',
  manufacturing: '湖北工业大学',
  health: '湖北中医药大学',
  energy: '三峡大学',
  services: '江汉大学',
};
const FAR = { name: '评测用外省研究院', kind: 'institute', province: '江苏省', city: '苏州市' } as const;

function institutionFor(place: Place, industry: string): string {
  if (place === 'jm') return '荆楚理工学院';
  if (place === 'far') return FAR.name;
  return HUBEI[industry] ?? '武汉大学';
}

export const allResults = (needs: SetNeed[] = labelledNeeds): SetResult[] => needs.flatMap((n) => [...n.relevant, ...n.negatives]);

/** Creates the set's results (once) beside what the database holds; returns result title → id. */
export async function loadLabelledResults(): Promise<Map<string, string>> {
  if (!(await Institution.exists({ name: FAR.name }))) await Institution.create({ ...FAR, intro: '评测集中的外省机构。' });
  const institutions = new Map((await Institution.find({ deletedAt: null }).lean()).map((i) => [i.name, String(i._id)]));
  const titles = new Set(allResults().map((r) => r.title));
  const loaded = () => Result.find({ deletedAt: null, title: trusted({ $in: [...titles] }) }).select('title').lean();
  const existing = new Set((await loaded()).map((r) => r.title));
  for (const r of allResults()) {
    if (existing.has(r.title)) continue;
    const institution = institutions.get(institutionFor(r.place, r.industry));
    if (!institution) throw new Error(`institution for ${r.title} missing: load the demo data first`);
    const { title, abstract, industry, keywords, maturity, transferModes, askingPriceWan } = r;
    await resultService.create(SYSTEM, parse(resultInput, { title, abstract, industry, keywords, maturity, transferModes, institution, askingPrice: askingPriceWan === undefined ? undefined : Math.round(askingPriceWan * 10_000) }));
  }
  return new Map((await loaded()).map((r) => [r.title, String(r._id)]));
}

export function profileOf(n: SetNeed): NeedProfile {
  return {
    title: n.title,
    keywords: n.keywords,
    industry: n.industry,
    kind: n.kind,
    cooperationModes: n.cooperationModes,
    budgetMin: n.budgetMinWan === undefined ? undefined : n.budgetMinWan * 10_000,
    budgetMax: n.budgetMaxWan === undefined ? undefined : n.budgetMaxWan * 10_000,
    indicator: n.indicator,
    targetMaturity: n.targetMaturity,
  };
}

export interface Evaluation {
  recallAt10: number;
  mrr: number;
  ndcgAt10: number;
  needs: number;
  latencies: number[];
  /** per need: the rank of each relevant result (undefined beyond 50) and what ranked above the first */
  misses: { key: string; title: string; ranks: (number | undefined)[]; above: string[] }[];
}

/** Binary-gain nDCG@10: relevant results near the top, against the best possible order. */
export function ndcgAt10(ranked: string[], relevant: Set<string>): number {
  const dcg = ranked.slice(0, 10).reduce((sum, id, i) => sum + (relevant.has(id) ? 1 / Math.log2(i + 2) : 0), 0);
  let ideal = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal ? dcg / ideal : 0;
}

export async function evaluate(index: SearchIndex, ids: Map<string, string>, weights: ResultWeights = RESULT_WEIGHTS, needs: SetNeed[] = labelledNeeds): Promise<Evaluation> {
  let recall = 0;
  let rr = 0;
  let ndcg = 0;
  const latencies: number[] = [];
  const misses: Evaluation['misses'] = [];
  for (const need of needs) {
    const relevant = new Set(need.relevant.map((r) => ids.get(r.title)).filter((id): id is string => !!id));
    if (relevant.size !== need.relevant.length) throw new Error(`need ${need.key}: relevant results not loaded`);
    const started = performance.now();
    const items = await matchesForNeed(index, profileOf(need), 'result', 50, weights);
    const ranked = items.map((m) => m.id);
    latencies.push(performance.now() - started);
    const top10 = ranked.slice(0, 10);
    recall += [...relevant].filter((id) => top10.includes(id)).length / relevant.size;
    const first = ranked.findIndex((id) => relevant.has(id));
    rr += first === -1 ? 0 : 1 / (first + 1);
    ndcg += ndcgAt10(ranked, relevant);
    if (first !== 0) {
      const ranks = [...relevant].map((id) => (ranked.includes(id) ? ranked.indexOf(id) + 1 : undefined));
      misses.push({ key: need.key, title: need.title, ranks, above: items.slice(0, first === -1 ? 3 : Math.min(first, 3)).map((m) => `${m.title} (${m.score})`) });
    }
  }
  const n = needs.length;
  return { recallAt10: recall / n, mrr: rr / n, ndcgAt10: ndcg / n, needs: n, latencies, misses };
}
