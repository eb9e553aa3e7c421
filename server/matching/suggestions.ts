// Suggestions with reasons, read from the search index: a need's results and experts (kept until the need or
// the index changes) and the needs a result or an expert could serve. Announcing strong matches is alerts.ts.
import { LRUCache } from 'lru-cache';
import type { Actor } from '../platform/auth/actor.ts';
import { NotFound } from '../platform/errors.ts';
import { findLive } from '../platform/db/live.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import type { DemandDoc } from '../demands/model.ts';
import { visibleDemand } from '../demands/service.ts';
import { visibleResult } from '../results/service.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { matchesForNeed, needsForExpert, needsForResult, type MatchItem, type NeedProfile } from './matcher.ts';

export function needProfile(d: DemandDoc): NeedProfile {
  return {
    title: d.title,
    keywords: d.keywords ?? [],
    industry: d.industry,
    kind: d.kind,
    cooperationModes: d.cooperationModes ?? [],
    budgetMin: d.budgetMin,
    budgetMax: d.budgetMax,
    indicator: d.clarification?.indicator,
    targetMaturity: d.clarification?.targetMaturity,
  };
}

/**
 * A need's matches are the same for everyone who may see the need, and they change only when the need or the
 * index does: the answer is kept under the need's profile and the index's generation (engines that cannot
 * tell their generation are always asked). Most of a need page's time under load was these two searches.
 */
const suggestionCaches = new WeakMap<SearchIndex, LRUCache<string, { generation: number; items: MatchItem[] }>>();

function suggestionCache(index: SearchIndex): LRUCache<string, { generation: number; items: MatchItem[] }> {
  let cache = suggestionCaches.get(index);
  if (!cache) suggestionCaches.set(index, (cache = new LRUCache({ max: 2_000 })));
  return cache;
}

/** A need's matches of one kind, from the cache while the need's profile and the index's generation hold. */
async function keptMatches(index: SearchIndex, doc: DemandDoc, kind: 'result' | 'expert', limit: number): Promise<MatchItem[]> {
  const profile = needProfile(doc);
  const generation = index.generation;
  if (generation === undefined) return matchesForNeed(index, profile, kind, limit);
  const key = `${kind}|${limit}|${String(doc._id)}|${JSON.stringify(profile)}`;
  const cache = suggestionCache(index);
  const kept = cache.get(key);
  if (kept?.generation === generation) return kept.items;
  const items = await matchesForNeed(index, profile, kind, limit);
  cache.set(key, { generation, items });
  return items;
}

export async function suggestionsForDemand(index: SearchIndex, actor: Actor | undefined, demandId: string, kind: 'result' | 'expert', limit: number): Promise<MatchItem[]> {
  const { doc } = await visibleDemand(actor, demandId, { shown: true });
  return keptMatches(index, doc, kind, limit);
}

export async function needsForResultId(index: SearchIndex, actor: Actor | undefined, resultId: string, limit: number): Promise<MatchItem[]> {
  const r = await visibleResult(actor, resultId);
  return needsForResult(index, { id: resultId, title: r.title, keywords: r.keywords ?? [], industry: r.industry, maturity: r.maturity, transferModes: r.transferModes ?? [], askingPrice: r.askingPrice }, limit);
}

export async function needsForExpertId(index: SearchIndex, expertId: string, limit: number): Promise<MatchItem[]> {
  const e = await findLive<ExpertDoc>(Expert, expertId);
  if (!e) throw new NotFound('专家不存在。');
  return needsForExpert(index, { name: e.name, keywords: e.keywords ?? [], industries: e.industries ?? [] }, limit);
}

/**
 * The best score among a need's suggested results and experts, for a row of the broker's workbench: the same
 * searches and cache entries as the need's own page (five results, three experts, server/demands/pages.ts), so a
 * need either page showed costs nothing here.
 */
export async function bestScore(index: SearchIndex, doc: DemandDoc): Promise<number | undefined> {
  const [results, experts] = await Promise.all([keptMatches(index, doc, 'result', 5), keptMatches(index, doc, 'expert', 3)]);
  const scores = [...results, ...experts].map((m) => m.score);
  return scores.length ? Math.max(...scores) : undefined;
}
