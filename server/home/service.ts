// Figures for the home page. Counting scans a collection on FerretDB, so the figures are computed at most
// once a minute per process.
import { Demand } from '../demands/model.ts';
import { Result } from '../results/model.ts';
import { Expert } from '../experts/model.ts';
import { Enterprise } from '../organizations/model.ts';
import { trusted } from '../platform/db/connection.ts';

export interface HomeStats {
  demands: number;
  results: number;
  experts: number;
  enterprises: number;
}

const TTL_MS = 60_000;
let cached: { at: number; stats: Promise<HomeStats> } | undefined;

async function compute(): Promise<HomeStats> {
  const [demands, results, experts, enterprises] = await Promise.all([
    Demand.countDocuments({ deletedAt: null, status: trusted({ $nin: ['draft'] as const }) }),
    Result.countDocuments({ deletedAt: null, status: 'published' }),
    Expert.countDocuments({ deletedAt: null }),
    Enterprise.countDocuments({ deletedAt: null }),
  ]);
  return { demands, results, experts, enterprises };
}

export function homeStats(now = Date.now()): Promise<HomeStats> {
  if (!cached || now - cached.at > TTL_MS) {
    const stats = compute();
    cached = { at: now, stats };
    stats.catch(() => (cached = undefined)); // a failed count is retried on the next view
  }
  return cached.stats;
}
