// The broker's workbench (/broker, GET /api/v1/broker/queue): the needs a broker holds with their pipeline at each
// stage, overdue first, and 待认领 — open needs nobody holds — a page at a time.
//
// On the embedded database every query here filters on something other than `_id` and so reads the whole needs
// (or matches) collection (docs/decisions/ferretdb-write-lock-and-id-lookups.md): three scans of 10,000 needs per
// view made this the slowest page of the navigation. What the queries read is kept in process per broker and per
// 待认领 page under the 'workbench' topic (server/platform/db/shared-cache.ts), which every write to a need or a
// pipeline row announces (demands/model.ts, matching/model.ts): this process forgets at once, the others within
// seconds. Overdue flags are computed from the clock at each view, never cached.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Forbidden } from '../platform/errors.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { calendarDate } from '../platform/time.ts';
import { clock } from '../platform/clock.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { MATCH_STATUSES, Match, type MatchDoc, type MatchStatus } from './model.ts';
import { bestScore } from './suggestions.ts';
import { workbenchQuery, type WorkbenchQuery } from './schema.ts';
import { matchView, STATUS_LABELS } from './service.ts';

const UNASSIGNED_SORTS: Record<NonNullable<WorkbenchQuery['sort']>, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, _id: -1 },
  budget: { budgetMax: -1, budgetMin: -1, _id: -1 },
  deadline: { deadline: 1, _id: 1 },
};

/** 待认领: open needs without a broker, by the workbench's filters; a budget range keeps needs whose range meets it. */
function unassignedFilter(q: WorkbenchQuery): Record<string, unknown> {
  const and: Record<string, unknown>[] = [{ broker: null, deletedAt: null, status: mongoose.trusted({ $in: ['published', 'matching'] }) }];
  if (q.industry) and.push({ industry: q.industry });
  if (q.town) and.push({ town: q.town });
  if (q.budgetMin !== undefined) {
    const yuan = Math.round(q.budgetMin * 10_000);
    and.push({ $or: [{ budgetMax: mongoose.trusted({ $gte: yuan }) }, { budgetMax: null, budgetMin: mongoose.trusted({ $gte: yuan }) }] });
  }
  if (q.budgetMax !== undefined) {
    const yuan = Math.round(q.budgetMax * 10_000);
    and.push({ $or: [{ budgetMin: mongoose.trusted({ $lte: yuan }) }, { budgetMin: null, budgetMax: mongoose.trusted({ $lte: yuan }) }] });
  }
  return { $and: and };
}

/** a broker's needs (or, for the bureau, every held need) with their pipeline rows */
const heldNeeds = new SharedCache<{ needs: DemandDoc[]; matches: MatchDoc[] }>('workbench', 1_000);
/** one 待认领 page per filter, sort and page */
const openPages = new SharedCache<{ docs: DemandDoc[]; total: number }>('workbench', 1_000);

async function loadHeld(brokerId: string | undefined) {
  const needs = await Demand.find(brokerId ? { broker: brokerId, deletedAt: null } : { broker: mongoose.trusted({ $ne: null }), deletedAt: null })
    .sort({ updatedAt: -1, _id: -1 })
    .limit(200)
    .lean<DemandDoc[]>();
  const ids = needs.map((n) => String(n._id));
  const matches = ids.length ? await Match.find({ demand: mongoose.trusted({ $in: ids }) }).lean<MatchDoc[]>() : [];
  return { needs, matches };
}

async function loadOpen(q: WorkbenchQuery) {
  const filter = unassignedFilter(q);
  const [docs, total] = await Promise.all([
    Demand.find(filter).sort(UNASSIGNED_SORTS[q.sort ?? 'newest']).skip((q.page - 1) * q.limit).limit(q.limit).lean<DemandDoc[]>(),
    Demand.countDocuments(filter),
  ]);
  return { docs, total };
}

/**
 * The broker's workbench: their needs with the count of their pipeline's rows at each stage, overdue first; and
 * 待认领, the needs nobody holds, a page at a time with each row's best match score (bestScore, for the rows shown
 * only). Without a search index the score is left out.
 */
export async function queue(actor: Actor, q: WorkbenchQuery = workbenchQuery.parse({}), index?: SearchIndex) {
  if (actor.role !== 'broker' && !isOrganizer(actor)) throw new Forbidden();
  const brokerId = actor.profile?.kind === 'broker' ? actor.profile.id : undefined;
  const none = { needs: [], totals: { needs: 0, rows: 0, stages: [] as { status: MatchStatus; label: string; count: number }[] }, unassigned: { items: [], total: 0, page: q.page, limit: q.limit } };
  if (!brokerId && !isOrganizer(actor)) return none;
  const openKey = JSON.stringify([q.industry, q.town, q.budgetMin, q.budgetMax, q.sort ?? 'newest', q.page, q.limit]);
  const [held, open] = await Promise.all([
    heldNeeds.get(brokerId ?? '*', () => loadHeld(brokerId)),
    openPages.get(openKey, () => loadOpen(q)),
  ]);
  const { needs, matches } = held!;
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

  const { docs, total } = open!;
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
  return { needs: rows, totals, unassigned: { items, total, page: q.page, limit: q.limit } };
}
