// npm run bench -- matching: Recall@10, MRR and nDCG@10 on the labelled set (test/matching/README.md) of BM25
// alone (the matcher's own retrieval order) and of the matcher, with the demo corpus alone and with 100,000
// scale results and needs added (the set's results join each corpus), and the matcher's latency. Goals: the
// matcher beats BM25 alone by ≥ 0.05 nDCG@10, and loses ≤ 0.02 nDCG@10 at 100,000 scale.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, disconnect } from '../../server/platform/db/connection.ts';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import { SearchSync } from '../../server/platform/search/sync.ts';
import { searchSources } from '../../server/search/sources.ts';
import { seedDemo } from '../../seeds/index.ts';
import { BM25_ALONE, FEATURES, evaluate, loadLabelledResults, mutated, type Evaluation } from '../matching/evaluation.ts';
import { benchDatabase, logger, ms, percentile, table, type BenchReport } from './support.ts';

const HOUR = 3_600_000;

interface Measured {
  documents: number;
  bm25: Evaluation;
  matcher: Evaluation;
  latencies: number[];
  /** per feature: the matcher with it zeroed and inverted */
  mutations: [string, Evaluation, Evaluation][];
}

async function measure(): Promise<Measured> {
  const ids = await loadLabelledResults();
  const search = new EmbeddedSearch({ keepAnswers: false });
  const sync = new SearchSync(search, searchSources, logger, { scanInterval: { min: HOUR, max: HOUR }, reconcileInterval: { min: HOUR, max: HOUR } });
  await sync.start();
  await evaluate(search, ids); // warm-up
  const matcher = await evaluate(search, ids);
  const bm25 = await evaluate(search, ids, BM25_ALONE);
  // Latency over several rounds of every need.
  const latencies = [...matcher.latencies];
  for (let i = 0; i < 4; i++) latencies.push(...(await evaluate(search, ids)).latencies);
  const mutations: Measured['mutations'] = [];
  for (const feature of FEATURES) mutations.push([feature, await evaluate(search, ids, mutated(feature, 'zeroed')), await evaluate(search, ids, mutated(feature, 'inverted'))]);
  await sync.stop();
  return { documents: (await search.health()).documents ?? 0, bm25, matcher, latencies, mutations };
}

const f3 = (v: number) => v.toFixed(3);

function rows(corpus: string, m: Measured): (string | number)[][] {
  const row = (ranker: string, e: Evaluation, lat?: number[]) => [
    corpus,
    m.documents.toLocaleString('en'),
    ranker,
    f3(e.recallAt10),
    f3(e.mrr),
    f3(e.ndcgAt10),
    lat ? ms(percentile(lat, 0.5)) : '—',
    lat ? ms(percentile(lat, 0.95)) : '—',
    lat ? ms(percentile(lat, 0.99)) : '—',
  ];
  return [row('BM25 alone', m.bm25), row('matcher', m.matcher, m.latencies)];
}

export async function benchMatching(scale = 100_000): Promise<BenchReport> {
  // The demo corpus alone, in a fresh database.
  const db = await startEmbedded({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'dongbao-match-')), logger });
  await connect(db.uri, 'dongbao');
  await seedDemo();
  const demo = await measure();
  await disconnect();
  await db.stop();
  // With scale data.
  const big = await benchDatabase(scale);
  const scaled = await measure();
  await disconnect();
  await big.db.stop();

  const scaleLabel = `+ ${scale.toLocaleString('en')} scale`;
  const needs = demo.matcher.needs;
  const detail = table(
    `Matching (labelled set: ${needs} needs, each with 1–3 relevant results and ≥ 3 hard negatives; BM25 alone = the matcher's retrieval order)`,
    ['corpus', 'records', 'ranker', 'Recall@10', 'MRR', 'nDCG@10', 'p50 ms', 'p95 ms', 'p99 ms'],
    [...rows('demo corpus', demo), ...rows(scaleLabel, scaled)],
  );
  const delta = (base: Evaluation, e: Evaluation) => `${f3(base.mrr - e.mrr)} / ${f3(base.ndcgAt10 - e.ndcgAt10)}`;
  const mutationRows = (corpus: string, m: Measured) => m.mutations.map(([feature, z, i]) => [corpus, feature, delta(m.matcher, z), delta(m.matcher, i)]);
  const mutations = table(
    'Mutation check: what each feature costs the matcher when zeroed or inverted (MRR / nDCG@10 lost; negative = gained)',
    ['corpus', 'feature', 'zeroed', 'inverted'],
    [...mutationRows('demo corpus', demo), ...mutationRows(scaleLabel, scaled)],
  );
  const gain = demo.matcher.ndcgAt10 - demo.bm25.ndcgAt10;
  const loss = demo.matcher.ndcgAt10 - scaled.matcher.ndcgAt10;
  const line = (m: Measured) =>
    `nDCG@10 ${f3(m.bm25.ndcgAt10)} → ${f3(m.matcher.ndcgAt10)} · MRR ${f3(m.bm25.mrr)} → ${f3(m.matcher.mrr)} · Recall@10 ${f3(m.bm25.recallAt10)} → ${f3(m.matcher.recallAt10)} (BM25 alone → matcher) · p95 ${ms(percentile(m.latencies, 0.95))} ms`;
  return {
    detail: `${detail}\n${mutations}\nGoals: matcher − BM25 alone ${f3(gain)} nDCG@10 (≥ 0.05: ${gain >= 0.05 ? 'met' : 'NOT met'}); loss at ${scale.toLocaleString('en')} scale ${f3(loss)} (≤ 0.02: ${loss <= 0.02 ? 'met' : 'NOT met'})`,
    summary: [
      ['matching', `labelled set, demo corpus`, line(demo)],
      ['matching', `labelled set ${scaleLabel}`, line(scaled)],
    ],
  };
}
