// Searching across needs, results, experts and brokers, as a visitor or user may: the query of the search
// page and of GET /api/v1/search.
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

export const FACETS: Attribute[] = ['kind', 'industry', 'town', 'maturity', 'status'];

export function toQuery(actor: Actor | undefined, p: SearchParams): SearchQuery {
  const filters: NonNullable<SearchQuery['filters']> = visibleFilters(actor);
  if (p.status) filters.status = p.status;
  if (p.kind) filters.kind = p.kind;
  if (p.industry) filters.industry = p.industry;
  if (p.town) filters.town = p.town;
  if (p.maturity) filters.maturity = p.maturity;
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
 * Facet counts are disjunctive (a facet is counted as if its own filter were not set), and what a searcher may
 * find is itself a filter on `status`: counted disjunctively, the status facet would count drafts and closed needs,
 * letting anyone test which words unpublished needs contain. Only findable statuses are kept; their counts are the
 * same with or without the others, each value being counted on its own.
 */
function findableFacets(facets: SearchResult['facets']): SearchResult['facets'] {
  const status = facets.status;
  return status ? { ...facets, status: Object.fromEntries(Object.entries(status).filter(([value]) => FINDABLE.includes(value))) } : facets;
}

export async function searchRecords(index: SearchIndex, actor: Actor | undefined, p: SearchParams) {
  const result = await index.search(toQuery(actor, p));
  return {
    ...result,
    facets: findableFacets(result.facets),
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
