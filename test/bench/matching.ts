// npm run bench -- matching: Recall@10, MRR and latency of the matcher on the labelled set, with the demo
// corpus alone and with 100,000 scale results and needs added (the labelled results join each corpus).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, disconnect } from '../../server/platform/db/connection.ts';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import { SearchSync } from '../../server/platform/search/sync.ts';
import { searchSources } from '../../server/search/sources.ts';
import { seedDemo } from '../../seeds/index.ts';
import { evaluate, loadLabelledResults } from '../matching/evaluation.ts';
import { benchDatabase, logger, ms, percentile, table, type BenchReport } from './support.ts';

const HOUR = 3_600_000;

async function measure(label: string): Promise<(string | number)[]> {
  const ids = await loadLabelledResults();
  const search = new EmbeddedSearch();
  const sync = new SearchSync(search, searchSources, logger, { scanInterval: { min: HOUR, max: HOUR }, reconcileInterval: { min: HOUR, max: HOUR } });
  await sync.start();
  await evaluate(search, ids); // warm-up
  const runs = await Promise.all([0].map(() => evaluate(search, ids)));
  const e = runs[0]!;
  // Latency over several rounds of the 40 needs.
  const latencies = [...e.latencies];
  for (let i = 0; i < 4; i++) latencies.push(...(await evaluate(search, ids)).latencies);
  await sync.stop();
  return [label, (await search.health()).documents ?? 0, e.needs, e.recallAt10.toFixed(3), e.mrr.toFixed(3), ms(percentile(latencies, 0.5)), ms(percentile(latencies, 0.95)), ms(percentile(latencies, 0.99))];
}

export async function benchMatching(scale = 100_000): Promise<BenchReport> {
  const rows: (string | number)[][] = [];
  // The demo corpus alone, in a fresh database.
  const db = await startEmbedded({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'dongbao-match-')), logger });
  await connect(db.uri, 'dongbao');
  await seedDemo();
  rows.push(await measure('demo corpus'));
  await disconnect();
  await db.stop();
  // With scale data.
  const big = await benchDatabase(scale);
  rows.push(await measure(`+ ${scale.toLocaleString('en')} scale`));
  await disconnect();
  await big.db.stop();
  const detail = table('Matching (labelled set: 40 needs; relevant results by a broker, with near-miss distractors)', ['corpus', 'records', 'needs', 'Recall@10', 'MRR', 'p50 ms', 'p95 ms', 'p99 ms'], rows);
  return { detail, summary: rows.map((r) => ['matching', String(r[0]), `Recall@10 ${r[3]} · MRR ${r[4]} · p95 ${r[6]} ms`]) };
}
