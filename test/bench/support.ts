// Shared pieces of the benchmarks: a seeded database at a given scale (kept in the cache between runs),
// percentiles, and a table printer.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../../server/platform/db/build-launcher.ts';
import { startEmbedded, type EmbeddedDb } from '../../server/platform/db/embedded.ts';
import { connect } from '../../server/platform/db/connection.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { seedDemo, seedScale } from '../../seeds/index.ts';
import { clock } from '../../server/platform/clock.ts';
import { isoDate } from '../../server/platform/time.ts';

export const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', { stderr: true });

/** What a bench prints: its detail table(s), and its headline figures for the closing summary table. */
export interface BenchReport {
  detail: string;
  /** rows of [bench, case, headline figures] */
  summary: [string, string, string][];
}

export interface BenchDb {
  db: EmbeddedDb;
  seconds: { seed: number };
}

/** A database holding the demo data plus `scale` results and `scale` needs (seeded on first use, then reused). */
export async function benchDatabase(scale: number): Promise<BenchDb> {
  const dir = process.env.BENCH_DATA_DIR ? path.join(process.env.BENCH_DATA_DIR, String(scale)) : path.join(cacheDir(), `bench-${scale}`);
  mkdirSync(dir, { recursive: true });
  const db = await startEmbedded({ dataDir: dir, logger });
  await connect(db.uri, 'dongbao');
  const started = performance.now();
  // BENCH_SEEDED=1: the cached database is used as it is (seeding it again checks every demo record, minutes
  // on a loaded machine); only for a database an earlier run of this code seeded.
  if (process.env.BENCH_SEEDED !== '1') {
    await seedDemo();
    await seedScale(scale, (done, total) => process.stderr.write(`\r  seeding ${scale}: ${done}/${total}   `));
    process.stderr.write('\n');
  }
  return { db, seconds: { seed: (performance.now() - started) / 1000 } };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

export function table(title: string, head: string[], rows: (string | number)[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => `| ${cells.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  return [`\n${title}`, line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function machine(): string {
  const cpus = os.cpus();
  return `${isoDate(clock.now())} · ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}`;
}
