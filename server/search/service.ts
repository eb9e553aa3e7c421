// Searching across needs, results, experts and brokers, as a visitor or user may: the query of the search
// page and of GET /api/v1/search.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../platform/auth/actor.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { DOC_KINDS, type Attribute, type SearchIndex, type SearchQuery, type SearchResult } from '../platform/search/port.ts';
import { industry, maturity, town } from '../vocabulary/index.ts';
import { visibleFilters, FINDABLE } from './visibility.ts';
import { sortOf } from './lists.ts';

export const searchParams = pageQuery.extend({
  q: z.string().trim().max(100, '关键词不能超过 100 个字。').optional(),
  kind: z.enum(DOC_KINDS as [string, ...string[]]).optional().catch(undefined),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  maturity: z.enum(maturity.keys).optional().catch(undefined),
  status: z.enum(FINDABLE as [string, ...string[]]).optional().catch(undefined),
  /** budget range of needs, in 万元 */
  budgetMin: z.coerce.number().min(0).max(1e6).optional().catch(undefined),
  budgetMax: z.coerce.number().min(0).max(1e6).optional().catch(undefined),
  /** highest asking price of results, in 万元 */
  priceMax: z.coerce.number().min(0).max(1e6).optional().catch(undefined),
  sort: z.enum(['relevance', 'newest', 'budget', 'price']).optional().catch(undefined),
});
export type SearchParams = z.output<typeof searchParams>;

/** The facets a searcher sees. Never `visibility`: what the viewer may see is not a choice (visibility.ts). */
export const FACETS: Attribute[] = ['kind', 'industry', 'town', 'maturity', 'status'];

type Filters = NonNullable<SearchQuery['filters']>;

/**
 * The viewer's own choices within what the viewer may see: on an attribute the visibility filter restricts, a
 * choice can only narrow it (nothing chosen, or nothing allowed chosen, leaves the visible values or none).
 */
function within(chosen: Filters, scope: Filters): Filters {
  const filters: Filters = { ...chosen };
  for (const [attr, allowed] of Object.entries(scope) as [Attribute, string | string[]][]) {
    const allowedList = Array.isArray(allowed) ? allowed : [allowed];
    const picked = chosen[attr];
    filters[attr] = picked === undefined ? allowed : (Array.isArray(picked) ? picked : [picked]).filter((v) => allowedList.includes(v));
  }
  return filters;
}

export function toQuery(actor: Actor | undefined, p: SearchParams): SearchQuery {
  const chosen: Filters = {};
  if (p.status) chosen.status = p.status;
  if (p.kind) chosen.kind = p.kind;
  if (p.industry) chosen.industry = p.industry;
  if (p.town) chosen.town = p.town;
  if (p.maturity) chosen.maturity = p.maturity;
  const filters = within(chosen, visibleFilters(actor));
  const ranges: NonNullable<SearchQuery['ranges']> = {};
  if (p.budgetMin !== undefined || p.budgetMax !== undefined) {
    ranges.budget = { gte: p.budgetMin !== undefined ? p.budgetMin * 10_000 : undefined, lte: p.budgetMax !== undefined ? p.budgetMax * 10_000 : undefined };
  }
  if (p.priceMax !== undefined) ranges.price = { lte: p.priceMax * 10_000 };
  return {
    q: p.q,
    filters,
    ranges,
    sort: p.sort === 'relevance' ? 'relevance' : sortOf(p.sort, p.q),
    facets: FACETS,
    relaxed: true,
    page: p.page,
    limit: p.limit,
  };
}

const PATHS = { demand: '/demands', result: '/results', expert: '/experts', broker: '/brokers' } as const;

/**
 * Facet counts are disjunctive: a facet is counted as if its own filter were not set. The visibility filter is
 * applied before counting — it is never dropped: on an attribute that is also a facet (`status`), the engine
 * counts every value and only the values the viewer may see are kept. Each value being counted on its own, a
 * kept value's count is what it would be under the visibility filter; a value the viewer may not see (drafts,
 * closed needs) is never counted, so no count tells which words unpublished records contain. Attributes the
 * visibility filter restricts without being facets (`visibility`) constrain every count and never show.
 */
export function visibleFacets(facets: SearchResult['facets'], scope: Filters): SearchResult['facets'] {
  const out: SearchResult['facets'] = {};
  for (const [attr, counts] of Object.entries(facets) as [Attribute, Record<string, number>][]) {
    if (!FACETS.includes(attr)) continue;
    const allowed = scope[attr];
    if (allowed === undefined) out[attr] = counts;
    else {
      const list = Array.isArray(allowed) ? allowed : [allowed];
      out[attr] = Object.fromEntries(Object.entries(counts).filter(([value]) => list.includes(value)));
    }
  }
  return out;
}

export async function searchRecords(index: SearchIndex, actor: Actor | undefined, p: SearchParams) {
  return shape(await index.search(toQuery(actor, p)), actor);
}

function shape(result: SearchResult, actor: Actor | undefined) {
  return {
    ...result,
    facets: visibleFacets(result.facets, visibleFilters(actor)),
    items: result.items.map((h) => ({
      ...h.display,
      kind: h.kind,
      id: h.id,
      title: String(h.display.label ?? ''),
      url: `${PATHS[h.kind]}/${h.id}`,
      snippet: h.snippet,
    })),
  };
}

/**
 * The API's JSON for kept answers (the embedded index keeps each answer, frozen, until the index changes:
 * platform/search/embedded.ts), written once per answer and visibility scope instead of per request — encoded, with
 * its ETag, since a page of hits (7 KB of UTF-8 on average over the HTTP bench's queries) would otherwise be
 * encoded and hashed on every request. Answers that are not kept (Meilisearch's) are written each time, and Express
 * tags them.
 */
export interface ApiBody {
  body: Buffer;
  etag?: string;
}
const apiBodies = new WeakMap<SearchResult, Map<string, ApiBody>>();

export async function searchApiBody(index: SearchIndex, actor: Actor | undefined, p: SearchParams): Promise<ApiBody> {
  const result = await index.search(toQuery(actor, p));
  const kept = Object.isFrozen(result) ? (apiBodies.get(result) ?? new Map<string, ApiBody>()) : undefined;
  const scope = JSON.stringify(visibleFilters(actor));
  const made = kept?.get(scope);
  if (made) return made;
  const { items, total, capped, page, limit, facets, terms, relaxed } = shape(result, actor);
  const body = Buffer.from(JSON.stringify({ items, total, capped, page, limit, facets, terms, relaxed }));
  if (!kept) return { body };
  const answer = { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
  apiBodies.set(result, kept.set(scope, answer));
  return answer;
}
