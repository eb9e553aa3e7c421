// The saved-search digest (docs/mail.md "Saved-search digests"): for each saved search whose period has ended, one
// mail naming the records that match it and became findable for its owner within the period, written to the outbox.
//
// - Periods end at 08:00 Beijing time: every day (daily), or on Mondays (weekly). A search's window runs from its
//   watermark (`digestedUntil`: its creation, then the end of the last window) to the last period end at least
//   SETTLE_MS ago; several missed periods (the app was down) make one window and one mail.
// - "Became findable" is the record's `publishedAt` number in the search index (platform/search/port.ts): a need's or
//   result's first publication — so a draft written before the last digest and published after it is new now — and
//   an expert's or broker's creation. Windows are half-open and follow each other, so a record published between two
//   digests is in exactly one window; a record found in its window but not findable by then (closed, back to draft,
//   deleted) is not mailed, and is not mailed later either.
// - The records are found through the search service as the owner would search (search/service.ts toQuery: drafts
//   and what the owner may not see never match), with every word required, not the page's relaxed fallback.
// - Before searching, the index is brought up to date (SearchSync.catchUp); if it cannot be (the engine is away),
//   nothing is sent and the next run tries again. Records published before the window's end were written at least
//   SETTLE_MS before the run, so they are in the index.
// - Several app instances: a search is taken with a conditional update on its watermark and an expired lease, so
//   one instance works on it; the mail's outbox key (`saved-search:<id>:<window start>`) is unique, so even two
//   instances that both passed (FerretDB, platform/db/write-lock.ts) write one mail. The watermark moves only after
//   the mail is in the outbox (or when there was nothing to send), and only from the value the run started from.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from '../platform/logger.ts';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { ZONE } from '../platform/time.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import type { SearchSync } from '../platform/search/sync.ts';
import { toQuery, type SearchParams } from '../search/service.ts';
import { User, type UserDoc } from '../accounts/model.ts';
import { toActor } from '../accounts/service.ts';
import { enqueueMail } from '../mail/service.ts';
import { savedSearchDigest } from '../mail/messages.ts';
import { SavedSearch, type Frequency, type SavedSearchDoc } from './model.ts';
import { KIND_LABELS, savedSearchView } from './service.ts';

/** How long after a period's end its digest waits, so that what was published just before it is indexed. */
export const SETTLE_MS = 10 * 60_000;
/** How long a run holds a search before another instance may take it over (a process that died mid-way). */
export const LEASE_MS = 10 * 60_000;
/** Periods end at this hour, Beijing time. */
export const DIGEST_HOUR = 8;
/** Records named in one mail; the rest are counted and reached through the search link. */
export const MAIL_ITEMS = 20;

const PATHS = { demand: '/demands', result: '/results', expert: '/experts', broker: '/brokers' } as const;
const FREE = new Date(0);

/** The last end of a period at or before `at`: 08:00 Beijing time, daily or on Mondays. */
export function periodEndAtOrBefore(frequency: Frequency, at: Date): Date {
  const local = DateTime.fromJSDate(at, { zone: ZONE });
  let end = local.startOf(frequency === 'weekly' ? 'week' : 'day').set({ hour: DIGEST_HOUR });
  if (end.toMillis() > at.getTime()) end = end.minus(frequency === 'weekly' ? { weeks: 1 } : { days: 1 });
  return end.toJSDate();
}

export interface DigestDeps {
  search: SearchIndex;
  /** brought up to date before searching; without it (one-off tools) the index is taken as it is */
  sync?: SearchSync | undefined;
  logger?: Logger | undefined;
}

export interface DigestOutcome {
  /** saved searches whose period had ended */
  due: number;
  /** mails written to the outbox */
  mailed: number;
  /** windows closed without a mail: nothing new, the owner turned the kind off, or the account is not active */
  empty: number;
  /** taken by another run meanwhile */
  skipped: number;
  failed: number;
  /** the index could not be brought up to date: nothing was done */
  waiting: boolean;
}

/** The search of one window: the saved query and filters, as its owner may search, published in [from, to). */
function windowQuery(doc: SavedSearchDoc, actor: ReturnType<typeof toActor>, from: Date, to: Date): SearchQuery {
  const f = (doc.filters ?? {}) as Record<string, unknown>;
  // Stored filters passed the same vocabularies as the search page's parameters (schema.ts).
  const params = { ...f, q: doc.q || undefined, sort: undefined, page: 1, limit: MAIL_ITEMS } as SearchParams;
  const base = toQuery(actor, params);
  return {
    ...base,
    ranges: { ...base.ranges, publishedAt: { gte: from.getTime(), lte: to.getTime() - 1 } },
    sort: { by: 'publishedAt', order: 'asc' },
    facets: [],
    relaxed: false,
  };
}

const when = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('M月d日 HH:mm');

type One = 'mailed' | 'empty' | 'skipped';

async function digestOne(deps: DigestDeps, doc: SavedSearchDoc, to: Date, now: Date, owner: string): Promise<One> {
  const from = doc.digestedUntil;
  const taken = await SavedSearch.updateOne(
    { _id: doc._id, digestedUntil: from, leaseUntil: trusted({ $lte: now }) },
    { $set: { leaseUntil: new Date(now.getTime() + LEASE_MS), leaseOwner: owner } },
  );
  if (taken.modifiedCount !== 1) return 'skipped';
  try {
    const user = await User.findById(doc.user).lean<UserDoc>();
    const actor = user ? toActor(user) : undefined;
    let count = 0;
    let mailed = false;
    // Only active accounts get digests; for others the window closes unsent (nothing piles up for later).
    if (actor?.status === 'active') {
      const result = await deps.search.search(windowQuery(doc, actor, from, to));
      if (result.total) {
        const view = savedSearchView(doc);
        const items = result.items.map((h) => ({ kindLabel: KIND_LABELS[h.kind] ?? h.kind, title: String(h.display.label ?? ''), link: `${PATHS[h.kind]}/${h.id}` }));
        const { status } = await enqueueMail({
          key: `saved-search:${String(doc._id)}:${from.toISOString()}`,
          to: actor.email,
          toName: actor.name,
          userId: actor.id,
          ...savedSearchDigest({ name: view.summary, since: when(from), count: result.total, items, more: Math.max(0, result.total - items.length), searchLink: view.searchUrl, link: '/saved-searches' }),
        });
        // queued, or written by another run already (duplicate); not when the owner turned the kind off
        mailed = status === 'queued' || status === 'duplicate';
        if (mailed) count = result.total;
      }
    }
    // The mail is in the outbox (or there was none to write): only now does the watermark move.
    await SavedSearch.updateOne(
      { _id: doc._id, digestedUntil: from, leaseOwner: owner },
      { $set: { digestedUntil: to, leaseUntil: FREE, ...(mailed ? { lastDigestAt: now, lastDigestCount: count } : {}) }, $unset: { leaseOwner: 1 } },
    );
    return mailed ? 'mailed' : 'empty';
  } catch (err) {
    await SavedSearch.updateOne({ _id: doc._id, leaseOwner: owner }, { $set: { leaseUntil: FREE }, $unset: { leaseOwner: 1 } }).catch(() => {});
    throw err;
  }
}

/** One pass (hourly, server/maintenance.ts): every saved search whose period has ended gets its digest. */
export async function sendSavedSearchDigests(deps: DigestDeps): Promise<DigestOutcome> {
  const outcome: DigestOutcome = { due: 0, mailed: 0, empty: 0, skipped: 0, failed: 0, waiting: false };
  const now = clock.now();
  const settled = new Date(now.getTime() - SETTLE_MS);
  // Daily periods end at least as late as weekly ones: nothing watermarked after the last daily end is due.
  const candidates = await SavedSearch.find({ digestedUntil: trusted({ $lt: periodEndAtOrBefore('daily', settled) }) })
    .sort({ digestedUntil: 1, _id: 1 })
    .lean<SavedSearchDoc[]>();
  const due = candidates
    .map((doc) => ({ doc, to: periodEndAtOrBefore(doc.frequency as Frequency, settled) }))
    .filter(({ doc, to }) => to.getTime() > doc.digestedUntil.getTime());
  outcome.due = due.length;
  if (!due.length) return outcome;
  if (deps.sync) {
    await deps.sync.catchUp();
    if (deps.sync.lastError) {
      deps.logger?.warn({ err: deps.sync.lastError, due: due.length }, 'saved-search digests wait: the search index is not up to date');
      outcome.waiting = true;
      return outcome;
    }
  }
  const owner = randomUUID();
  for (const { doc, to } of due) {
    try {
      outcome[await digestOne(deps, doc, to, now, owner)]++;
    } catch (err) {
      outcome.failed++;
      deps.logger?.warn({ err, savedSearch: String(doc._id) }, 'saved-search digest failed; the next run tries again');
    }
  }
  return outcome;
}

