// Recall@10 and MRR of the matcher on the labelled set (test/matching/labelled-set.ts): for each need, the
// results an experienced broker would put forward, against what the matcher ranks. Shared by the quality
// test and `npm run bench -- matching`.
import mongoose from 'mongoose';
import type { SearchIndex } from '../../server/platform/search/port.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { Institution } from '../../server/organizations/model.ts';
import { Result } from '../../server/results/model.ts';
import { results as resultService } from '../../server/results/service.ts';
import { resultInput } from '../../server/results/schema.ts';
import { matchesForNeed, type NeedProfile } from '../../server/matching/matcher.ts';
import { labelledNeeds, labelledResults, type LabelledNeed } from './labelled-set.ts';

const SYSTEM: Actor = { id: 'eval', email: 'eval@localhost', name: '评测', role: 'organizer', status: 'active' };

/** Adds the labelled set's own results (the demo data must be there already); returns title → id for all results. */
export async function loadLabelledResults(): Promise<Map<string, string>> {
  const institutions = new Map((await Institution.find({ deletedAt: null }).lean()).map((i) => [i.name, String(i._id)]));
  const existing = new Set((await Result.find({ deletedAt: null }).select('title').lean()).map((r) => r.title));
  for (const r of labelledResults) {
    if (existing.has(r.title)) continue;
    const { askingPriceWan, institution, ...rest } = r;
    await resultService.create(SYSTEM, parse(resultInput, { ...rest, institution: institutions.get(institution), askingPrice: askingPriceWan === undefined ? undefined : Math.round(askingPriceWan * 10_000) }));
  }
  const all = await Result.find({ deletedAt: null }).select('title').lean();
  return new Map(all.map((r) => [r.title, String(r._id)]));
}

export function profileOf(n: LabelledNeed): NeedProfile {
  const d = n.demand;
  return {
    title: d.title,
    keywords: d.keywords,
    industry: d.industry,
    kind: d.kind,
    cooperationModes: d.cooperationModes,
    budgetMin: d.budgetMinWan === undefined ? undefined : d.budgetMinWan * 10_000,
    budgetMax: d.budgetMaxWan === undefined ? undefined : d.budgetMaxWan * 10_000,
    indicator: d.indicator,
    targetMaturity: d.targetMaturity,
  };
}

export interface Evaluation {
  recallAt10: number;
  mrr: number;
  needs: number;
  latencies: number[];
  misses: { key: string; title: string; missing: string[]; firstRank: number | undefined }[];
}

export async function evaluate(index: SearchIndex, ids: Map<string, string>): Promise<Evaluation> {
  let recallSum = 0;
  let rrSum = 0;
  const latencies: number[] = [];
  const misses: Evaluation['misses'] = [];
  for (const need of labelledNeeds) {
    const relevant = new Set(need.relevant.map((t) => ids.get(t)).filter((id): id is string => !!id && mongoose.isValidObjectId(id)));
    const started = performance.now();
    const ranked = await matchesForNeed(index, profileOf(need), 'result', 50);
    latencies.push(performance.now() - started);
    const top10 = ranked.slice(0, 10).map((m) => m.id);
    const found = [...relevant].filter((id) => top10.includes(id));
    recallSum += relevant.size ? found.length / relevant.size : 1;
    const first = ranked.findIndex((m) => relevant.has(m.id));
    rrSum += first === -1 ? 0 : 1 / (first + 1);
    if (found.length < relevant.size || first !== 0) {
      const titleOf = new Map([...ids].map(([t, id]) => [id, t]));
      misses.push({ key: need.key, title: need.demand.title, missing: [...relevant].filter((id) => !top10.includes(id)).map((id) => titleOf.get(id) ?? id), firstRank: first === -1 ? undefined : first + 1 });
    }
  }
  return { recallAt10: recallSum / labelledNeeds.length, mrr: rrSum / labelledNeeds.length, needs: labelledNeeds.length, latencies, misses };
}
