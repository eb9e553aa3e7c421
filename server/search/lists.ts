// Lists read from the search index: the items a list page shows, in the `{ items, total, page, limit }`
// shape, each with its snippet and the matched terms for highlighting.
import type { ListResult } from '../platform/http/crud.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';

export interface ListItem extends Record<string, unknown> {
  id: string;
  kind: string;
  snippet: string;
  highlightTerms: string[];
}

export async function indexList(search: SearchIndex, query: SearchQuery): Promise<ListResult<ListItem> & { relaxed: boolean }> {
  const result = await search.search(query);
  return {
    items: result.items.map((h) => ({ ...h.display, id: h.id, kind: h.kind, snippet: h.snippet, highlightTerms: result.terms })),
    total: result.total,
    page: result.page,
    limit: result.limit,
    relaxed: result.relaxed,
  };
}

/** A sort of a list page as the index understands it. */
export function sortOf(sort: string | undefined, q: string | undefined): SearchQuery['sort'] {
  switch (sort) {
    case 'budget':
      return { by: 'budget', order: 'desc' };
    case 'price':
      return { by: 'price', order: 'asc' };
    case 'deadline':
      return { by: 'deadline', order: 'asc' };
    case 'newest':
      return { by: 'createdAt', order: 'desc' };
    default:
      return q ? 'relevance' : { by: 'createdAt', order: 'desc' };
  }
}
