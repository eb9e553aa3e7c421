// npm run bench -- churn: the embedded engine after a long life of edits. A 20,000-record index (10,000
// results and 10,000 needs made as `seed --scale` makes them, without a database) takes 1,000,000 edits —
// new versions with new text, removals and comebacks — yielding to the event loop every 50 edits as a
// server would between requests, so compaction runs in the background. Reported before and after: heap
// (heapUsed + array buffers, after a full GC), p50/p95 of 1,000 queries, slots and terms; then a fresh build
// of the same final records for comparison, and the compaction slices' durations. Goals: heap after ≤ 1.3×
// the fresh build's, no compaction slice holding the event loop over 20 ms. A slice's own time is the main
// thread's time on a CPU (wall-clock less the waits for a CPU that Linux's schedstat counts), less the GC pauses
// that fell inside it: on 2 cores V8's own concurrent GC threads take the CPU from the main thread for whole
// 4 ms scheduler ticks, which is not the slice's work. Both are reported. BENCH_CHURN_EDITS / BENCH_CHURN_RECORDS change the sizes.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { SearchDoc, SearchQuery } from '../../server/platform/search/port.ts';
import { resultSearchDoc } from '../../server/results/search.ts';
import { demandSearchDoc } from '../../server/demands/search.ts';
import type { ResultDoc } from '../../server/results/model.ts';
import type { DemandDoc } from '../../server/demands/model.ts';
import { scaleDemand, scaleResult } from '../../seeds/scale.ts';
import { mulberry32 } from '../../seeds/random.ts';
import { benchQueries } from './search.ts';
import { ms, percentile, table, type BenchReport } from './support.ts';

const YIELD_EVERY = 50;
const institutions = [{ id: 'bench-institution', name: '武汉理工大学', province: '湖北省', city: '武汉市' }];
const enterprises = [{ id: 'bench-enterprise', name: '荆门市东宝区示范企业', town: 'industrial-park', industry: 'chemicals' }];

/** Generated results and needs whose text the records' versions take in turn (made once: 45 µs each). */
let templates: { results: ReturnType<typeof scaleResult>[]; demands: ReturnType<typeof scaleDemand>[] } | undefined;

/** Record i (results even, needs odd) at a version: each version takes the text of another generated record. */
function docFor(i: number, version: number, records: number): SearchDoc {
  templates ??= {
    results: Array.from({ length: records }, (_, k) => scaleResult(k, institutions)),
    demands: Array.from({ length: records }, (_, k) => scaleDemand(k, enterprises)),
  };
  const source = (Math.floor(i / 2) + (version - 1) * 7919) % records;
  if (i % 2 === 0) return resultSearchDoc({ ...templates.results[source]!, _id: `r${i}`, search: { dirty: false, version } } as unknown as ResultDoc);
  return demandSearchDoc({ ...templates.demands[source]!, _id: `d${i}`, search: { dirty: false, version } } as unknown as DemandDoc);
}

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

/**
 * The main thread's ms spent runnable but waiting for a CPU so far (Linux), or undefined where that is not kept.
 * The kernel adds a wait when the thread gets a CPU back, to the nanosecond, so between two reads made while
 * running every wait is counted in full. (The run-time column beside it is only brought up to date at each
 * 4 ms scheduler tick, too coarse for slices of a few ms: a slice's time on the CPU is wall-clock less waits.)
 */
function threadWaitMs(): number | undefined {
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}

function heapMb(): number {
  for (let i = 0; i < 3; i++) global.gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/** The search API's question for the bench's parameters: five facets, public records, top 20. */
function asQuery(p: Record<string, string>): SearchQuery {
  return {
    q: p.q,
    filters: { visibility: 'public', ...(p.industry ? { industry: p.industry } : {}), ...(p.kind ? { kind: p.kind } : {}) },
    facets: ['kind', 'industry', 'town', 'maturity', 'status'],
    sort: 'relevance',
    relaxed: true,
    page: 1,
    limit: 20,
  };
}

async function timeQueries(index: EmbeddedSearch, queries: SearchQuery[]): Promise<{ p50: number; p95: number }> {
  for (const q of queries.slice(0, 100)) await index.search(q); // warm-up
  const samples: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await index.search(q);
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

async function build(records: number, version: (i: number) => number): Promise<{ index: EmbeddedSearch; seconds: number }> {
  const index = new EmbeddedSearch({ keepAnswers: false });
  const started = performance.now();
  for (let i = 0; i < records; i += 1000) {
    const batch: SearchDoc[] = [];
    for (let k = i; k < Math.min(records, i + 1000); k++) if (version(k) > 0) batch.push(docFor(k, version(k), records));
    await index.upsert(batch);
    await yieldToLoop();
  }
  return { index, seconds: (performance.now() - started) / 1000 };
}

export async function benchChurn(records = 20_000, edits = 1_000_000): Promise<BenchReport> {
  const queries = benchQueries().map(asQuery);
  const rows: (string | number)[][] = [];
  const row = (phase: string, index: EmbeddedSearch, heap: number, t: { p50: number; p95: number }, seconds: number, note: string) => {
    const s = index.stats();
    rows.push([phase, s.documents.toLocaleString('en'), s.slots.toLocaleString('en'), s.terms.toLocaleString('en'), heap.toFixed(1), ms(t.p50), ms(t.p95), seconds.toFixed(1), note]);
  };
  // Load jieba and its dictionary, and make the templates, before the baseline: they are not index memory.
  docFor(0, 1, records);
  await (await build(100, () => 1)).index.close();

  // versions[i] > 0: record i is live at that version; < 0: removed after version -versions[i]
  const versions = new Int32Array(records).fill(1);
  const base = heapMb();
  const initial = await build(records, () => 1);
  let index: EmbeddedSearch | undefined = initial.index;
  const heapBefore = heapMb() - base;
  const before = await timeQueries(index, queries);
  row('fresh build', index, heapBefore, before, initial.seconds, '');

  // Compaction slices, and V8's GC pauses: a pause that falls inside a slice is the collector's, not the
  // slice's own work (any code allocating then would have paid it).
  const slices: { start: number; wallMs: number; runMs: number; waitMs: number }[] = [];
  index.sliceProbe = (slice) => {
    const before = threadWaitMs();
    const start = performance.now();
    const done = slice();
    const wallMs = performance.now() - start;
    const after = threadWaitMs();
    const waitMs = after !== undefined && before !== undefined ? after - before : 0;
    slices.push({ start, wallMs, runMs: wallMs - waitMs, waitMs });
    return done;
  };
  const pauses: { start: number; ms: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, ms: e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const rand = mulberry32(1_000_000_007);
  const started = performance.now();
  let progress = performance.now();
  for (let e = 1; e <= edits; e++) {
    const i = Math.floor(rand() * records);
    const v = versions[i]!;
    if (v < 0) {
      versions[i] = -v + 1; // comes back, newer
      await index.upsert([docFor(i, -v + 1, records)]);
    } else if (rand() < 0.05) {
      versions[i] = -v;
      await index.remove([{ kind: i % 2 === 0 ? 'result' : 'demand', id: i % 2 === 0 ? `r${i}` : `d${i}` }]);
    } else {
      versions[i] = v + 1;
      await index.upsert([docFor(i, v + 1, records)]);
    }
    if (e % YIELD_EVERY === 0) await yieldToLoop();
    if (performance.now() - progress > 2000) {
      progress = performance.now();
      process.stderr.write(`\r  churn: ${e.toLocaleString('en')}/${edits.toLocaleString('en')} edits   `);
    }
  }
  process.stderr.write('\n');
  const churnSeconds = (performance.now() - started) / 1000;
  const settleStarted = performance.now();
  await index.compact();
  const settleSeconds = (performance.now() - settleStarted) / 1000;
  const heapAfter = heapMb() - base;
  const after = await timeQueries(index, queries);
  const { compaction } = index.stats();
  await yieldToLoop();
  gc.disconnect();
  // Each slice's own time: the main thread's time on a CPU minus the GC pauses inside it (a pause that falls
  // inside a slice is the collector's, not the slice's own work: any code allocating then would have paid it).
  const own: number[] = [];
  for (const slice of slices) {
    let inGc = 0;
    for (const p of pauses) inGc += Math.max(0, Math.min(slice.start + slice.wallMs, p.start + p.ms) - Math.max(slice.start, p.start));
    own.push(Math.max(0, slice.runMs - inGc));
  }
  index.sliceProbe = undefined;
  const ownLongest = Math.max(0, ...own);
  const ownP99 = percentile(own, 0.99);
  const longestWait = Math.max(0, ...slices.map((x) => x.waitMs));
  const measured = threadWaitMs() !== undefined ? 'the main thread\'s time on a CPU' : 'wall-clock time (no schedstat here: counts time waiting for a CPU)';
  const ownOver20 = own.filter((t) => t > 20).length;
  row(`after ${edits.toLocaleString('en')} edits`, index, heapAfter, after, churnSeconds, `${Math.round(edits / churnSeconds).toLocaleString('en')} edits/s; ${compaction.passes} compaction passes, ${compaction.slots.toLocaleString('en')} slots reclaimed, last ${settleSeconds.toFixed(1)} s`);
  await index.close();
  index = undefined;

  const base2 = heapMb();
  const fresh = await build(records, (i) => versions[i]!);
  const heapFresh = heapMb() - base2;
  const freshTimes = await timeQueries(fresh.index, queries);
  row('fresh build of the same records', fresh.index, heapFresh, freshTimes, fresh.seconds, '');
  await fresh.index.close();

  const ratio = heapAfter / heapFresh;
  const met = ratio <= 1.3 && ownLongest <= 20;
  const detail = [
    table(
      `Churn (${records.toLocaleString('en')} records; ${edits.toLocaleString('en')} edits: new versions, 5% removals, comebacks; a yield every ${YIELD_EVERY} edits; ${queries.length} queries, 5 facets, top 20)`,
      ['phase', 'records', 'slots', 'terms', 'heap MB', 'p50 ms', 'p95 ms', 'seconds', 'notes'],
      rows,
    ),
    `Compaction: ${compaction.slices.toLocaleString('en')} slices; ${measured} without the GC pauses inside them: p99 ${ms(ownP99)} ms, longest ${ms(ownLongest)} ms, ${ownOver20} over 20 ms. Wall-clock time, GC pauses and waits for a CPU included: longest ${ms(compaction.longestSliceMs)} ms, ${compaction.slicesOver20ms} over 20 ms; the longest wait for a CPU inside one slice ${ms(longestWait)} ms. Heap after churn / fresh build: ${ratio.toFixed(2)}× (goal ≤ 1.3×).`,
  ].join('\n');
  return {
    detail,
    summary: [
      [
        'churn',
        `${records.toLocaleString('en')} records, ${edits.toLocaleString('en')} edits`,
        `heap ${heapBefore.toFixed(0)} → ${heapAfter.toFixed(0)} MB (fresh build of the same records ${heapFresh.toFixed(0)} MB, ${ratio.toFixed(2)}×) · p95 ${ms(before.p95)} → ${ms(after.p95)} ms · build ${initial.seconds.toFixed(1)} s · compaction slices on the CPU p99 ${ms(ownP99)} ms, longest ${ms(ownLongest)} ms (${ownOver20} of ${compaction.slices.toLocaleString('en')} over 20 ms; wall-clock longest ${ms(compaction.longestSliceMs)} ms) · goal ${met ? 'met' : 'NOT met'}`,
      ],
    ],
  };
}
