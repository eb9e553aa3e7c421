// Pagination: the `{ items, total, page, limit }` shape of lists (docs/design.md "API conventions") and what the
// pagination partial needs to draw links.
import { z } from 'zod';

export const MAX_LIMIT = 100;

/** `page` and `limit` from a query; out-of-range values fall back instead of failing a page view. */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).catch(20).default(20),
});

export interface Pager {
  page: number;
  pages: number;
  total: number;
  prev?: number | undefined;
  next?: number | undefined;
}

export function pager(list: { total: number; page: number; limit: number }): Pager {
  const pages = Math.max(1, Math.ceil(list.total / list.limit));
  return {
    page: list.page,
    pages,
    total: list.total,
    prev: list.page > 1 ? Math.min(list.page - 1, pages) : undefined,
    next: list.page < pages ? list.page + 1 : undefined,
  };
}
