// npm run bench -- targets: the target dashboard and the progress API on a database with 100,000 contracts and
// talents (BENCH_TARGETS_LEDGER of each, 50,000 by default, on the demo data), answered from the
// running totals (server/targets/tallies.ts). Each page is asked for one request at a time, so the figure is a
// user's wait, not throughput. Beside it: the same figures computed from the records (the Ledger, as the
// drill-down still does), the cost a write pays for keeping the totals, and the full rebuild.
import { Contract } from '../../server/deals/model.ts';
import { Target } from '../../server/targets/model.ts';
import { Ledger } from '../../server/targets/progress.ts';
import { recordsBehind } from '../../server/targets/service.ts';
import { rebuildTallies } from '../../server/targets/tallies.ts';
import { disconnect, withDatabase } from '../../server/platform/db/connection.ts';
import { clock } from '../../server/platform/clock.ts';
import { currentYear } from '../../server/platform/time.ts';
import { seedScaleLedger } from '../../seeds/index.ts';
import { startServer } from '../support/process.ts';
import { benchDatabase, ms, percentile, table, type BenchReport } from './support.ts';

const SAMPLES = 40;

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchTargets(): Promise<BenchReport> {
  const scale = Number(process.env.BENCH_TARGETS_SCALE ?? 0);
  const ledgerSize = Number(process.env.BENCH_TARGETS_LEDGER ?? 50_000);
  const { db } = await benchDatabase(scale);
  await seedScaleLedger(ledgerSize, clock.now(), (done, total) => process.stderr.write(`\r  contracts and talents: ${done}/${total}   `));
  process.stderr.write('\n');
  const contracts = await Contract.estimatedDocumentCount();
  const rebuild = await rebuildTallies();

  const rows: (string | number)[][] = [];
  const row = (name: string, samples: number[]) => rows.push([name, samples.length, ms(percentile(samples, 0.5)), ms(percentile(samples, 0.95))]);

  const year = currentYear();
  const targets = (await Target.find({ deletedAt: null }).lean()).filter((t) => t.startYear <= year && year <= t.endYear);
  row(`computed from the records (Ledger), ${targets.length} targets`, await timed(1, async () => {
    const ledger = new Ledger();
    for (const t of targets) await ledger.figure(t.indicator, t.startYear, Math.min(t.endYear, year), { kind: t.scope.kind as 'district', code: t.scope.code });
  }));
  row('drill-down first page (Ledger), contract value this year', await timed(1, () => recordsBehind({ indicator: 'contract-value', from: year, to: year, scope: { kind: 'district', code: 'district' }, page: 1, limit: 20 })));
  const some = await Contract.find({ deletedAt: null }).select('_id amount').limit(SAMPLES).lean();
  row('a contract write, with its totals', await timed(some.length, async () => {
    const c = some.pop()!;
    await Contract.updateOne({ _id: c._id }, { $set: { amount: c.amount + 1 } });
  }));
  await disconnect();

  const app = await startServer({ NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0', BASE_URL: 'http://127.0.0.1', MONGODB_URI: withDatabase(db.uri, 'dongbao'), LOG_LEVEL: 'warn' }, 600_000);
  try {
    for (const [name, path] of [
      ['dashboard /targets (first page)', '/targets'],
      ['progress API /api/v1/targets/progress', '/api/v1/targets/progress'],
    ] as const) {
      await fetch(`${app.url}${path}`); // warm-up
      row(name, await timed(SAMPLES, async () => {
        const res = await fetch(`${app.url}${path}`);
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        await res.arrayBuffer();
      }));
    }
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
    await db.stop();
  }
  const dashboard = rows.find((r) => String(r[0]).startsWith('dashboard'))!;
  return {
    detail: table(
      `Target figures · ${contracts.toLocaleString('en')} contracts and ${ledgerSize.toLocaleString('en')} scale talents · totals rebuilt in ${(rebuild.ms / 1000).toFixed(1)} s (${rebuild.records.toLocaleString('en')} records → ${rebuild.tallies} totals)`,
      ['case', 'samples', 'p50 ms', 'p95 ms'],
      rows,
    ),
    summary: [['targets', `dashboard at ${(contracts + ledgerSize).toLocaleString('en')} contracts + talents`, `p95 ${dashboard[3]} ms (goal ≤ 300)`]],
  };
}
