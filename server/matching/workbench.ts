// The broker's workbench (/broker, GET /api/v1/broker/queue): the needs a broker holds with their pipeline at each
// stage, overdue first, and 待认领 — open needs nobody holds — a page at a time.
//
// Which needs a broker holds, and which wait for one, is asked of the search index (filters `broker` and `held`,
// server/demands/search.ts): on the embedded database any filter but `_id` reads the whole needs collection
// (docs/decisions/ferretdb-write-lock-and-id-lookups.md), ~2 s at the 10,000 scale, and a broker's first view after
// any change of a need cost three of them. The needs themselves are then read by `_id`, so a row shows the need as
// it is now; a list asked right after this process's own write (a claim) waits for the index to hold it
// (SearchSync.ownWritesIndexed). What is read is kept in process under the 'workbench' topic
// (server/platform/db/shared-cache.ts), which every write to a need or a pipeline row announces (demands/model.ts,
// matching/model.ts): this process forgets at once, the others within seconds; a 待认领 page is kept per index
// generation too, since another instance's write reaches this index by its change log. Overdue flags are computed
// from the clock at each view, never cached. Without a search index (AppDeps.search absent) the lists are read
// from the database.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Forbidden } from '../platform/errors.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { findLive } from '../platform/db/live.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import type { SearchSync } from '../platform/search/sync.ts';
import { calendarDate } from '../platform/time.ts';
import { clock } from '../platform/clock.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { MATCH_STATUSES, Match, type MatchDoc, type MatchStatus } from './model.ts';
import { bestScore } from './suggestions.ts';
import { workbenchQuery, type WorkbenchQuery } from './schema.ts';
import { matchView, STATUS_LABELS } from './service.ts';

/** the statuses of a need a broker may take on */
const OPEN = ['published', 'matching'] as const;
/** held needs listed, most recently changed first */
const HELD_LIMIT = 200;

type Sort = NonNullable<WorkbenchQuery['sort']>;
const UNASSIGNED_SORTS: Record<Sort, { db: Record<string, 1 | -1>; index: SearchQuery['sort'] }> = {
  newest: { db: { createdAt: -1, _id: -1 }, index: { by: 'createdAt', order: 'desc' } },
  // the top of each need's budget range (its lower bound when it gives no top)
  budget: { db: { budgetMax: -1, budgetMin: -1, _id: -1 }, index: { by: 'budget', order: 'desc' } },
  deadline: { db: { deadline: 1, _id: 1 }, index: { by: 'deadline', order: 'asc' } },
};

const yuan = (wan: number) => Math.round(wan * 10_000);

/** 待认领 in the database's terms: open needs without a broker; a budget range keeps needs whose range meets it. */
function unassignedFilter(q: WorkbenchQuery): Record<string, unknown> {
  const and: Record<string, unknown>[] = [{ broker: null, deletedAt: null, status: mongoose.trusted({ $in: [...OPEN] }) }];
  if (q.industry) and.push({ industry: q.industry });
  if (q.town) and.push({ town: q.town });
  if (q.budgetMin !== undefined) {
    and.push({ $or: [{ budgetMax: mongoose.trusted({ $gte: yuan(q.budgetMin) }) }, { budgetMax: null, budgetMin: mongoose.trusted({ $gte: yuan(q.budgetMin) }) }] });
  }
  if (q.budgetMax !== undefined) {
    and.push({ $or: [{ budgetMin: mongoose.trusted({ $lte: yuan(q.budgetMax) }) }, { budgetMin: null, budgetMax: mongoose.trusted({ $lte: yuan(q.budgetMax) }) }] });
  }
  return { $and: and };
}

/** The same in the index's terms: `budget` is the top of a need's range, `budgetFloor` its bottom. */
function unassignedQuery(q: WorkbenchQuery): SearchQuery {
  const ranges: NonNullable<SearchQuery['ranges']> = {};
  if (q.budgetMin !== undefined) ranges.budget = { gte: yuan(q.budgetMin) };
  if (q.budgetMax !== undefined) ranges.budgetFloor = { lte: yuan(q.budgetMax) };
  const filters: NonNullable<SearchQuery['filters']> = { kind: 'demand', held: 'no', status: [...OPEN] };
  if (q.industry) filters.industry = q.industry;
  if (q.town) filters.town = q.town;
  return { filters, ranges, sort: UNASSIGNED_SORTS[q.sort ?? 'newest'].index, snippets: false, page: q.page, limit: q.limit };
}

const holds = (brokerId: string | undefined) => (d: DemandDoc) => (brokerId ? d.broker === brokerId : !!d.broker);
const waits = (d: DemandDoc) => !d.broker && (OPEN as readonly string[]).includes(d.status);

/** needs by `_id`, in the order given, as they are now (a need changed since the index saw it is left out) */
async function needsById(ids: string[], keep: (d: DemandDoc) => boolean): Promise<DemandDoc[]> {
  const docs = await Promise.all(ids.map((id) => findLive<DemandDoc>(Demand, id)));
  return docs.filter((d): d is DemandDoc => !!d && keep(d));
}

/** a broker's needs (or, for the bureau, every held need) with their pipeline rows, by the needs held */
const heldNeeds = new SharedCache<{ needs: DemandDoc[]; matches: MatchDoc[] }>('workbench', 1_000);
/** one 待认领 page per index generation, filter, sort and page */
const openPages = new SharedCache<{ docs: DemandDoc[]; total: number; capped: boolean }>('workbench', 1_000);

async function withMatches(needs: DemandDoc[]) {
  const ids = needs.map((n) => String(n._id));
  const matches = ids.length ? await Match.find({ demand: mongoose.trusted({ $in: ids }) }).lean<MatchDoc[]>() : [];
  return { needs, matches };
}

async function held(brokerId: string | undefined, index: SearchIndex | undefined) {
  if (!index) {
    const load = async () =>
      withMatches(
        await Demand.find(brokerId ? { broker: brokerId, deletedAt: null } : { broker: mongoose.trusted({ $ne: null }), deletedAt: null })
          .sort({ updatedAt: -1, _id: -1 })
          .limit(HELD_LIMIT)
          .lean<DemandDoc[]>(),
      );
    return (await heldNeeds.get(brokerId ?? '*', load))!;
  }
  const found = await index.search({
    filters: brokerId ? { kind: 'demand', broker: brokerId } : { kind: 'demand', held: 'yes' },
    sort: { by: 'updatedAt', order: 'desc' },
    snippets: false,
    page: 1,
    limit: HELD_LIMIT,
  });
  const ids = found.items.map((h) => h.id);
  return (await heldNeeds.get(`${brokerId ?? '*'}|${ids.join(',')}`, async () => withMatches(await needsById(ids, holds(brokerId)))))!;
}

async function open(q: WorkbenchQuery, index: SearchIndex | undefined) {
  const key = JSON.stringify([q.industry, q.town, q.budgetMin, q.budgetMax, q.sort ?? 'newest', q.page, q.limit]);
  if (!index) {
    const load = async () => {
      const filter = unassignedFilter(q);
      const [docs, total] = await Promise.all([
        Demand.find(filter).sort(UNASSIGNED_SORTS[q.sort ?? 'newest'].db).skip((q.page - 1) * q.limit).limit(q.limit).lean<DemandDoc[]>(),
        Demand.countDocuments(filter),
      ]);
      return { docs, total, capped: false };
    };
    return (await openPages.get(key, load))!;
  }
  const load = async () => {
    const found = await index.search(unassignedQuery(q));
    return { docs: await needsById(found.items.map((h) => h.id), waits), total: found.total, capped: found.capped };
  };
  // An engine that cannot say when its answers change (Meilisearch) is asked each time.
  return index.generation === undefined ? load() : (await openPages.get(`${index.generation}|${key}`, load))!;
}

/**
 * The broker's workbench: their needs with the count of their pipeline's rows at each stage, overdue first; and
 * 待认领, the needs nobody holds, a page at a time with each row's best match score (bestScore, for the rows shown
 * only). Without a search index the score is left out.
 */
export async function queue(actor: Actor, q: WorkbenchQuery = workbenchQuery.parse({}), index?: SearchIndex, sync?: Pick<SearchSync, 'ownWritesIndexed'>) {
  if (actor.role !== 'broker' && !isOrganizer(actor)) throw new Forbidden();
  const brokerId = actor.profile?.kind === 'broker' ? actor.profile.id : undefined;
  const none = { needs: [], totals: { needs: 0, rows: 0, stages: [] as { status: MatchStatus; label: string; count: number }[] }, unassigned: { items: [], total: 0, capped: false, page: q.page, limit: q.limit } };
  if (!brokerId && !isOrganizer(actor)) return none;
  if (index) await sync?.ownWritesIndexed();
  const [{ needs, matches }, { docs, total, capped }] = await Promise.all([held(brokerId, index), open(q, index)]);
  const now = clock.ms();
  const byNeed = new Map<string, MatchDoc[]>();
  for (const m of matches) {
    const ofNeed = byNeed.get(m.demand);
    if (ofNeed) ofNeed.push(m);
    else byNeed.set(m.demand, [m]);
  }
  const rows = needs.map((n) => {
    const mine = (byNeed.get(String(n._id)) ?? []).map((m) => matchView(m, now));
    const counts = Object.fromEntries(MATCH_STATUSES.map((s) => [s, mine.filter((m) => m.status === s).length])) as Record<MatchStatus, number>;
    // Every stage of the pipeline, 已签约 and 未成 included, so the stages add up to the total. 系统推荐 are
    // computed suggestions rather than pipeline rows; the stage is shown only should a row ever hold it.
    const stages = MATCH_STATUSES.filter((s) => s !== 'suggested' || counts[s] > 0).map((s) => ({ status: s, label: STATUS_LABELS[s], count: counts[s] }));
    return { id: String(n._id), title: n.title, enterpriseName: n.enterpriseName, status: n.status, confirmed: !!n.brokerConfirmedAt, counts, stages, overdue: mine.filter((m) => m.overdue), total: mine.length };
  });
  rows.sort((a, b) => b.overdue.length - a.overdue.length);
  // The workbench's own totals: every stage over all its needs, adding up to the rows as each need's do.
  const totalCounts = MATCH_STATUSES.map((s) => ({ status: s, label: STATUS_LABELS[s], count: rows.reduce((sum, r) => sum + r.counts[s], 0) }));
  const totals = { needs: rows.length, rows: rows.reduce((sum, r) => sum + r.total, 0), stages: totalCounts.filter((t) => t.status !== 'suggested' || t.count > 0) };

  const scores = index ? await Promise.all(docs.map((n) => bestScore(index, n).catch(() => undefined))) : [];
  const items = docs.map((n, i) => ({
    id: String(n._id),
    title: n.title,
    enterpriseName: n.enterpriseName,
    industry: n.industry,
    town: n.town ?? undefined,
    budgetMin: n.budgetMin ?? undefined,
    budgetMax: n.budgetMax ?? undefined,
    deadline: calendarDate(n.deadline),
    bestScore: scores[i],
    publishedAt: n.publishedAt ?? undefined,
  }));
  return { needs: rows, totals, unassigned: { items, total, capped, page: q.page, limit: q.limit } };
}
