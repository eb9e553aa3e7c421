// What a searcher may find: never drafts; members-only needs only when logged in. Lists that show a
// party its own records (mine=1) add their drafts through their own filters.
import type { Actor } from '../platform/auth/actor.ts';
import type { SearchQuery } from '../platform/search/port.ts';

/** Statuses anyone may find: needs in progress or done, and published results and profiles. */
export const FINDABLE = ['published', 'matching', 'negotiating', 'contracted'];

export function visibleFilters(actor: Actor | undefined): NonNullable<SearchQuery['filters']> {
  return { status: FINDABLE, ...(actor ? {} : { visibility: 'public' }) };
}
