// Figures for the home page: the directory's size, this year's headline targets and the next roadshows.
// Counting scans a collection on FerretDB, so everything here is computed at most once a minute per process, in
// the background once there are figures to show meanwhile; the needs and results, which take seconds to count at
// 10,000 of each, are counted again only after a write to them.
import { Demand } from '../demands/model.ts';
import { Result } from '../results/model.ts';
import { Expert } from '../experts/model.ts';
import { Enterprise } from '../organizations/model.ts';
import { trusted } from '../platform/db/connection.ts';
import { currentYear } from '../platform/time.ts';
import { progressBar } from '../targets/charts.ts';
import { progress } from '../targets/service.ts';
import { roadshows } from '../campaigns/roadshow-service.ts';
import { clock } from '../platform/clock.ts';
import { countUsers } from '../accounts/service.ts';
import { countPendingClaims } from '../memberships/claims.ts';
import { openRequestCount } from '../matching/contact-queue.ts';
import { SharedCache, type Topic } from '../platform/db/shared-cache.ts';

export interface HomeStats {
  demands: number;
  results: number;
  experts: number;
  enterprises: number;
  year: number;
  /** the district's own targets for this year, as on the public board */
  targets: { label: string; actualText: string; targetText: string; percent: number; bar: ReturnType<typeof progressBar> }[];
  roadshows: { id: string; title: string; startsAt: Date; venue: string }[];
}

const HEADLINES = ['contract-value', 'contract-count', 'talent-graduate', 'demands-published'];

const TTL_MS = 60_000;

/** A count kept until its topic is announced (a write to what it counts, in any instance). */
function keptCount(topic: Topic, count: () => Promise<number>): () => Promise<number> {
  const cache = new SharedCache<number>(topic, 1);
  return async () => (await cache.get('count', count)) ?? count();
}
const countDemands = keptCount('demands', () => Demand.countDocuments({ deletedAt: null, status: trusted({ $nin: ['draft'] as const }) }));
const countResults = keptCount('results', () => Result.countDocuments({ deletedAt: null, status: 'published' }));
const countEnterprises = keptCount('enterprises', () => Enterprise.countDocuments({ deletedAt: null }));
let cached: { at: number; stats: Promise<HomeStats> } | undefined;

async function compute(): Promise<HomeStats> {
  const year = currentYear();
  const [demands, results, experts, enterprises, board, upcoming] = await Promise.all([
    countDemands(),
    countResults(),
    Expert.countDocuments({ deletedAt: null }),
    countEnterprises(),
    progress({ year, scope: 'district' }),
    roadshows.list(undefined, { when: 'upcoming', page: 1, limit: 3 }),
  ]);
  const targets = HEADLINES.map((code) => board.items.find((i) => i.indicator === code && i.period.start === year && i.period.end === year))
    .filter((i) => i !== undefined)
    .map((i) => ({ label: i.label, actualText: i.actualText, targetText: i.targetText, percent: Math.round(i.ratio * 100), bar: progressBar(i.ratio, i.expected, i.status) }));
  return {
    demands,
    results,
    experts,
    enterprises,
    year,
    targets,
    roadshows: upcoming.items.map((r) => ({ id: r.id, title: r.title, startsAt: r.startsAt, venue: r.venue })),
  };
}

let refreshing: Promise<void> | undefined;

/**
 * The figures, recounted at most once a minute. Only the first view waits for the count: once there are figures,
 * a view after the minute starts a recount and is answered with the figures it replaces (the counts scan the
 * needs and results, which at 10,000 of each would otherwise hold up every view of that moment).
 */
export function homeStats(now = clock.ms()): Promise<HomeStats> {
  if (!cached) {
    const stats = compute();
    const entry = { at: now, stats };
    cached = entry;
    stats.then(
      () => (entry.at = clock.ms()), // the minute runs from when the figures were counted
      () => (cached = undefined), // a failed count is retried on the next view
    );
    return stats;
  }
  if (now - cached.at > TTL_MS && !refreshing) {
    const stats = compute();
    refreshing = stats.then(
      () => void (cached = { at: clock.ms(), stats }),
      () => undefined, // the last figures stay; the next view tries again
    ).finally(() => (refreshing = undefined));
  }
  return cached.stats;
}

export interface OrganizerQueues {
  registrations: number;
  claims: number;
  contactRequests: number;
}

/** Counted when a user, claim or contact request was written (their models announce 'queues'), not per view. */
const queues = new SharedCache<OrganizerQueues>('queues', 1);

/** What waits for the bureau: an organizer's home page and the header's 管理 menu and 对接申请 badge. */
export async function organizerQueues(): Promise<OrganizerQueues> {
  const counted = await queues.get('all', async () => {
    const [registrations, claims, contactRequests] = await Promise.all([countUsers({ status: 'pending' }), countPendingClaims(), openRequestCount()]);
    return { registrations, claims, contactRequests };
  });
  return { ...counted! };
}
