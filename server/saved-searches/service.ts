// Saved searches: save, list and delete one's own (at most MAX_SAVED), and how one reads on the page, in the API
// and in its digest mail. Someone else's saved search is not found, as if it did not exist (docs/security.md 37).
// The digests are digest.ts's.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { Conflict, NotFound } from '../platform/errors.ts';
import { labelOf } from '../vocabulary/index.ts';
import { FREQUENCIES, MAX_SAVED, SavedSearch, frequencyLabels, type Frequency, type SavedSearchDoc } from './model.ts';
import { FILTER_KEYS, type SavedFilters, type SavedSearchInput } from './schema.ts';

export const KIND_LABELS: Record<string, string> = { demand: '技术需求', result: '科技成果', expert: '专家', broker: '技术经纪人' };

export interface SavedSearchView {
  id: string;
  q: string;
  filters: SavedFilters;
  frequency: Frequency;
  frequencyLabel: string;
  /** the query and filters in words: 关键词“磷石膏” · 行业：磷化工与新材料 */
  summary: string;
  /** the search page with this query and these filters */
  searchUrl: string;
  createdAt: Date;
  lastDigestAt?: Date | undefined;
  lastDigestCount?: number | undefined;
}

/** The filters that are set, in FILTER_KEYS order (what is stored and compared). */
function definedFilters(filters: Partial<Record<string, unknown>> | null | undefined): SavedFilters {
  const out: Record<string, unknown> = {};
  for (const key of FILTER_KEYS) {
    const v = filters?.[key];
    if (v !== undefined && v !== null && v !== '') out[key] = v;
  }
  return out as SavedFilters;
}

export function describe(q: string, filters: SavedFilters): string {
  const parts: string[] = [];
  if (q) parts.push(`关键词“${q}”`);
  if (filters.kind) parts.push(`类型：${KIND_LABELS[filters.kind] ?? filters.kind}`);
  if (filters.industry) parts.push(`行业：${labelOf('industry', filters.industry)}`);
  if (filters.town) parts.push(`乡镇：${labelOf('town', filters.town)}`);
  if (filters.maturity) parts.push(`成熟度：${labelOf('maturity', filters.maturity)}`);
  if (filters.status) parts.push(`状态：${labelOf('demandStatus', filters.status)}`);
  if (filters.budgetMin !== undefined || filters.budgetMax !== undefined) {
    parts.push(`预算：${filters.budgetMin ?? 0}–${filters.budgetMax ?? '不限'} 万元`);
  }
  if (filters.priceMax !== undefined) parts.push(`报价不超过 ${filters.priceMax} 万元`);
  return parts.join(' · ') || '全部内容';
}

export function searchUrlOf(q: string, filters: SavedFilters): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  for (const [k, v] of Object.entries(definedFilters(filters))) params.set(k, String(v));
  const query = params.toString();
  return query ? `/search?${query}` : '/search';
}

export function savedSearchView(doc: SavedSearchDoc): SavedSearchView {
  const filters = definedFilters(doc.filters as Record<string, unknown>);
  const q = doc.q ?? '';
  const frequency = doc.frequency as Frequency;
  return {
    id: String(doc._id),
    q,
    filters,
    frequency,
    frequencyLabel: frequencyLabels[frequency],
    summary: describe(q, filters),
    searchUrl: searchUrlOf(q, filters),
    createdAt: doc.createdAt,
    lastDigestAt: doc.lastDigestAt ?? undefined,
    lastDigestCount: doc.lastDigestCount ?? undefined,
  };
}

/** The user's saved searches, newest first (all of them: there are at most MAX_SAVED). */
async function mine(actor: Actor): Promise<SavedSearchDoc[]> {
  return SavedSearch.find({ user: actor.id }).sort({ createdAt: -1, _id: -1 }).lean<SavedSearchDoc[]>();
}

export async function listSavedSearches(actor: Actor): Promise<{ items: SavedSearchView[]; total: number; page: number; limit: number }> {
  const items = (await mine(actor)).map(savedSearchView);
  return { items, total: items.length, page: 1, limit: MAX_SAVED };
}

const sameSearch = (doc: SavedSearchDoc, q: string, filters: SavedFilters) =>
  (doc.q ?? '') === q && JSON.stringify(definedFilters(doc.filters as Record<string, unknown>)) === JSON.stringify(filters);

const LIMIT_MESSAGE = `最多只能保存 ${MAX_SAVED} 个搜索，请先删除不再需要的搜索。`;

/**
 * Saves a search. New records are counted from now: what was published before does not appear in a digest.
 * 409 when the user already has MAX_SAVED or the same query with the same filters.
 */
export async function saveSearch(actor: Actor, input: SavedSearchInput): Promise<SavedSearchView> {
  const filters = definedFilters(input.filters);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await mine(actor);
    const same = existing.find((d) => sameSearch(d, input.q, filters));
    if (same) throw new Conflict(`已经保存过这个搜索（${describe(input.q, filters)}），${frequencyLabels[same.frequency as Frequency]}汇总一次新内容。`);
    const taken = new Set(existing.map((d) => d.slot));
    let n = 1;
    while (n <= MAX_SAVED && taken.has(`${actor.id}:${n}`)) n++;
    if (n > MAX_SAVED) throw new Conflict(LIMIT_MESSAGE);
    const now = clock.now();
    try {
      const doc = await SavedSearch.create({
        user: actor.id,
        slot: `${actor.id}:${n}`,
        q: input.q,
        filters,
        frequency: input.frequency,
        digestedUntil: now,
        leaseUntil: new Date(0),
      });
      return savedSearchView(doc.toObject() as SavedSearchDoc);
    } catch (err) {
      // Another save of this user took the same slot at the same moment: look again.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }
  throw new Conflict('刚刚有另一个搜索同时保存，请刷新页面后再试。');
}

/** One of the user's own saved searches; anyone else's, or none, is 404. */
export async function ownSavedSearch(actor: Actor, id: string): Promise<SavedSearchView> {
  const missing = new NotFound('已保存的搜索不存在或已被删除。');
  if (!mongoose.isValidObjectId(id)) throw missing;
  const doc = await SavedSearch.findById(id).lean<SavedSearchDoc>();
  if (!doc || doc.user !== actor.id) throw missing;
  return savedSearchView(doc);
}

export async function deleteSavedSearch(actor: Actor, id: string): Promise<SavedSearchView> {
  const view = await ownSavedSearch(actor, id);
  await SavedSearch.deleteOne({ _id: id, user: actor.id });
  return view;
}

export const frequencyOptions = FREQUENCIES.map((value) => ({ value, label: frequencyLabels[value] }));
