// npm run bench -- search: for 10k and 100k seeded results and needs (plus the demo data), the embedded
// engine's build time and heap, and p50/p95/p99 of the same 1,000 queries answered in process and through
// GET /api/v1/search over HTTP (the real app, keep-alive, one client) in the same run.
import type { AddressInfo } from 'node:net';
import { Agent, get as httpGet } from 'node:http';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { disconnect } from '../../server/platform/db/connection.ts';
import { createHttpServer } from '../../server/platform/http/server.ts';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { SearchQuery } from '../../server/platform/search/port.ts';
import { SearchSync } from '../../server/platform/search/sync.ts';
import { searchSources } from '../../server/search/sources.ts';
import { toQuery, searchParams } from '../../server/search/service.ts';
import { results as seedResults } from '../../seeds/data/results.ts';
import { demands as seedDemands } from '../../seeds/data/demands.ts';
import { mulberry32, pick, sample } from '../../seeds/random.ts';
import { benchDatabase, logger, ms, percentile, table, type BenchReport } from './support.ts';

const QUERIES = 1000;

/** Deterministic queries a district user would type: 1–3 corpus keywords, a quarter with an industry, a quarter with a kind. */
export function benchQueries(n = QUERIES): Record<string, string>[] {
  const rand = mulberry32(42);
  const pool = [...seedResults, ...seedDemands];
  return Array.from({ length: n }, () => {
    const rec = pick(rand, pool);
    const words = sample(rand, rec.keywords, 1 + Math.floor(rand() * 3));
    const params: Record<string, string> = { q: words.join(' ') };
    const r = rand();
    if (r < 0.25) params.industry = rec.industry;
    else if (r < 0.5) params.kind = rand() < 0.5 ? 'result' : 'demand';
    return params;
  });
}

export async function benchSearch(scales = [10_000, 100_000]): Promise<BenchReport> {
  const rows: (string | number)[][] = [];
  const summary: BenchReport['summary'] = [];
  const queries = benchQueries();
  for (const scale of scales) {
    const { db, seconds } = await benchDatabase(scale);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const search = new EmbeddedSearch({ keepAnswers: false });
    // No background scans while measuring: this measures queries (the index is complete after start()).
    const sync = new SearchSync(search, searchSources, logger, { scanInterval: { min: 3_600_000, max: 3_600_000 }, reconcileInterval: { min: 3_600_000, max: 3_600_000 } });
    const buildStarted = performance.now();
    await sync.start();
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    global.gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const documents = (await search.health()).documents ?? 0;

    // In process: the exact query the API builds from the same parameters.
    const asQuery = (p: Record<string, string>): SearchQuery => toQuery(undefined, searchParams.parse(p));
    for (const p of queries.slice(0, 100)) await search.search(asQuery(p)); // warm-up
    const inProcess: number[] = [];
    for (const p of queries) {
      const t = performance.now();
      await search.search(asQuery(p));
      inProcess.push(performance.now() - t);
    }

    // Over HTTP: the real app around the same index.
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0', BASE_URL: 'http://127.0.0.1', LOG_LEVEL: 'silent', SEED_ON_EMPTY: 'false' });
    const app = createApp({ config, logger: logger.child({}, { level: 'silent' }), search, searchSync: sync });
    const server = createHttpServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (p: Record<string, string>) =>
      new Promise<void>((resolve, reject) => {
        httpGet(`${base}/api/v1/search?${new URLSearchParams(p)}`, { agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    for (const p of queries.slice(0, 100)) await get(p);
    const overHttp: number[] = [];
    for (const p of queries) {
      const t = performance.now();
      await get(p);
      overHttp.push(performance.now() - t);
    }
    await new Promise((r) => server.close(r));
    agent.destroy();
    await sync.stop();

    const p95 = percentile(inProcess, 0.95);
    const http95 = percentile(overHttp, 0.95);
    const met = http95 <= 1.5 * p95 + 5 && p95 <= 10;
    summary.push(['search', `${scale.toLocaleString('en')} + demo`, `p95 ${ms(p95)} ms in process · ${ms(http95)} ms over HTTP · build ${buildSeconds.toFixed(1)} s · goal ${met ? 'met' : 'NOT met'}`]);
    rows.push([
      `${scale.toLocaleString('en')} + demo`,
      documents.toLocaleString('en'),
      seconds.seed.toFixed(0),
      buildSeconds.toFixed(1),
      heapMb.toFixed(0),
      ms(percentile(inProcess, 0.5)),
      ms(p95),
      ms(percentile(inProcess, 0.99)),
      ms(percentile(overHttp, 0.5)),
      ms(http95),
      ms(percentile(overHttp, 0.99)),
      met ? 'yes' : 'NO',
    ]);
    await disconnect();
    await db.stop();
  }
  const detail = table(
    `Search (${QUERIES} queries of 1–3 corpus keywords, ¼ with an industry, ¼ with a kind; 5 facets; top 20)`,
    ['scale', 'records', 'seed s', 'build s', 'heap MB', 'p50 ms', 'p95 ms', 'p99 ms', 'HTTP p50', 'HTTP p95', 'HTTP p99', 'goal met'],
    rows,
  );
  return { detail, summary };
}
