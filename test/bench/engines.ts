// npm run bench -- engines: the in-process engine (server/platform/search/embedded.ts) against FlexSearch,
// MiniSearch and Orama on the search bench's corpus (the 10,000-scale database: demo data plus 10,000 results
// and 10,000 needs; BENCH_SCALES=N for another) and its 1,000 queries (benchQueries in search.ts). Every
// engine gets the same jieba terms (server/platform/search/tokenizer.ts): documents cut in search mode, queries
// in precise mode, so the libraries index and look up exactly the terms ours does. Each query asks for every
// word, the anonymous visitor's visibility filter plus the bench's industry or kind filter, the top 20 by
// relevance and the five facets of the search page counted disjunctively (a facet as if its own filter were not
// set), since that is what GET /api/v1/search answers. What a library cannot do itself is done in JavaScript
// around it (marked "in JS" in the table), and that time counts in its latency.
// Each engine is built and queried BENCH_ENGINE_RUNS times (3 by default); the table gives the median of each
// figure. A run stops querying after 60 s (BENCH_ENGINE_BUDGET_MS; Orama), and the table says how many queries
// were timed. Heap is the growth of the heap after a forced GC, with the documents already in memory; the
// libraries' build time includes the jieba cut of the corpus (measured once, the same for the three), as ours
// does its own.
import { Document as FlexDocument } from 'flexsearch';
import MiniSearch from 'minisearch';
import { create as oramaCreate, insertMultiple as oramaInsertMultiple, search as oramaSearch, type AnyOrama } from '@orama/orama';
import { disconnect } from '../../server/platform/db/connection.ts';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { Attribute, SearchDoc, SearchQuery } from '../../server/platform/search/port.ts';
import { documentTerms, queryTerms } from '../../server/platform/search/tokenizer.ts';
import { searchSources } from '../../server/search/sources.ts';
import { FACETS, searchParams, toQuery } from '../../server/search/service.ts';
import { benchQueries } from './search.ts';
import { benchDatabase, ms, percentile, table, type BenchReport } from './support.ts';

const LIMIT = 20;
/** A run stops querying after this long (Orama): its percentiles are then of the first queries of the list. */
const QUERY_BUDGET_MS = Number(process.env.BENCH_ENGINE_BUDGET_MS ?? 60_000);
const WEIGHTS = { title: 3, keywords: 2.5, extra: 1.5, text: 1 } as const;
const TEXT_FIELDS = ['title', 'keywords', 'extra', 'text'] as const;
/** the attributes a bench query filters or counts on */
const FILTERED: Attribute[] = ['kind', 'industry', 'town', 'maturity', 'status', 'visibility'];

interface Answer {
  ids: string[];
  total: number;
  facets: Partial<Record<Attribute, Record<string, number>>>;
}

/** A bench query: what the API would ask our engine, and the same in terms the libraries take. */
interface Query {
  query: SearchQuery;
  terms: string[];
  filters: Partial<Record<Attribute, string[]>>;
}

/** A document as the libraries index it: each text field as its jieba terms joined by spaces. */
interface Flat {
  key: string;
  title: string;
  keywords: string;
  extra: string;
  text: string;
  attrs: Partial<Record<Attribute, string[]>>;
}

interface Engine {
  name: string;
  /** what it can do for us: filters and facet counts, field weights, version guard and live statistics */
  supports: [string, string, string];
  build(docs: SearchDoc[], flat: Flat[]): Promise<void>;
  query(q: Query): Promise<Answer>;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const spaced = (s: string) => s.split(' ').filter(Boolean);

/**
 * Filters and disjunctive facet counts over every record that has the words, for engines that only find them:
 * a record failing no filter is a hit and counts in every facet; one failing exactly one filter counts in that
 * facet only.
 */
function filterAndCount(matches: Iterable<Flat>, filters: Query['filters']): { hits: Flat[]; facets: Answer['facets'] } {
  const facets: Answer['facets'] = Object.fromEntries(FACETS.map((f) => [f, {}]));
  const hits: Flat[] = [];
  const entries = Object.entries(filters) as [Attribute, string[]][];
  const count = (doc: Flat, attr: Attribute) => {
    const counts = facets[attr];
    if (counts) for (const v of doc.attrs[attr] ?? []) counts[v] = (counts[v] ?? 0) + 1;
  };
  for (const doc of matches) {
    let failed: Attribute | undefined;
    let failures = 0;
    for (const [attr, wanted] of entries) {
      if (!(doc.attrs[attr] ?? []).some((v) => wanted.includes(v))) {
        failed = attr;
        if (++failures > 1) break;
      }
    }
    if (failures === 0) {
      hits.push(doc);
      for (const f of FACETS) count(doc, f);
    } else if (failures === 1) count(doc, failed!);
  }
  return { hits, facets };
}

function embedded(): Engine {
  let index: EmbeddedSearch | undefined;
  return {
    name: 'embedded (ours)',
    supports: ['yes, disjunctive counts in the same pass', 'yes (BM25F)', 'yes: older versions ignored, statistics of live records'],
    async build(docs) {
      index = new EmbeddedSearch({ keepAnswers: false });
      await index.rebuild(async function* () {
        for (let i = 0; i < docs.length; i += 500) yield docs.slice(i, i + 500);
      });
    },
    async query(q) {
      const r = await index!.search(q.query);
      return { ids: r.items.map((h) => `${h.kind}:${h.id}`), total: r.total, facets: r.facets };
    },
  };
}

function miniSearch(): Engine {
  let index: MiniSearch<Flat> | undefined;
  let byKey = new Map<string, Flat>();
  return {
    name: 'MiniSearch 7.2.0',
    supports: ['filter callback; no facets (in JS)', 'yes (boost, BM25+)', 'no guard; replace()/discard() keep term counts until vacuum'],
    async build(_docs, flat) {
      byKey = new Map(flat.map((d) => [d.key, d]));
      index = new MiniSearch<Flat>({
        idField: 'key',
        fields: [...TEXT_FIELDS],
        tokenize: spaced,
        processTerm: (t) => t,
        searchOptions: { tokenize: spaced, processTerm: (t) => t, combineWith: 'AND', boost: { ...WEIGHTS } },
      });
      index.addAll(flat);
    },
    async query(q) {
      if (!q.terms.length) return { ids: [], total: 0, facets: {} };
      const found = index!.search(q.terms.join(' '));
      const { hits, facets } = filterAndCount(
        found.map((r) => byKey.get(r.id as string)!),
        q.filters,
      );
      return { ids: hits.slice(0, LIMIT).map((d) => d.key), total: hits.length, facets };
    },
  };
}

function flexSearch(): Engine {
  let index: FlexDocument<Record<string, string>> | undefined;
  let byKey = new Map<string, Flat>();
  return {
    name: 'FlexSearch 0.8.212',
    supports: ['tags filter; no facets (in JS)', 'no (no BM25; all words within one field)', 'no guard; no corpus statistics'],
    async build(_docs, flat) {
      byKey = new Map(flat.map((d) => [d.key, d]));
      index = new FlexDocument<Record<string, string>>({
        document: { id: 'key', index: [...TEXT_FIELDS] },
        tokenize: 'strict',
        encode: spaced,
      });
      for (const d of flat) index.add({ key: d.key, title: d.title, keywords: d.keywords, extra: d.extra, text: d.text });
    },
    async query(q) {
      if (!q.terms.length) return { ids: [], total: 0, facets: {} };
      // Each field answers the records that hold every word in that field; merged, in the fields' order.
      const found = index!.search(q.terms.join(' '), { limit: 1_000_000, merge: true }) as unknown as { id: string }[];
      const { hits, facets } = filterAndCount(
        found.map((r) => byKey.get(String(r.id))!),
        q.filters,
      );
      return { ids: hits.slice(0, LIMIT).map((d) => d.key), total: hits.length, facets };
    },
  };
}

function orama(): Engine {
  let db: AnyOrama | undefined;
  const where = (filters: Query['filters'], except?: Attribute) =>
    Object.fromEntries(
      Object.entries(filters)
        .filter(([attr]) => attr !== except)
        .map(([attr, values]) => [attr, attr === 'industry' ? { containsAny: values } : { in: values }]),
    );
  return {
    name: 'Orama 3.1.18',
    supports: ['where + facets; counts not disjunctive (one more search per chosen filter)', 'yes (boost, BM25)', 'no guard; remove() keeps live statistics'],
    async build(_docs, flat) {
      db = oramaCreate({
        schema: {
          key: 'string',
          title: 'string',
          keywords: 'string',
          extra: 'string',
          text: 'string',
          kind: 'enum',
          industry: 'enum[]',
          town: 'enum',
          maturity: 'enum',
          status: 'enum',
          visibility: 'enum',
        },
        components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: spaced } },
      });
      const rows = flat.map((d) => ({
        key: d.key,
        title: d.title,
        keywords: d.keywords,
        extra: d.extra,
        text: d.text,
        kind: d.attrs.kind?.[0] ?? '',
        industry: d.attrs.industry ?? [],
        town: d.attrs.town?.[0] ?? '',
        maturity: d.attrs.maturity?.[0] ?? '',
        status: d.attrs.status?.[0] ?? '',
        visibility: d.attrs.visibility?.[0] ?? '',
      }));
      await oramaInsertMultiple(db, rows, 1000);
    },
    async query(q) {
      if (!q.terms.length) return { ids: [], total: 0, facets: {} };
      const facetSpec = Object.fromEntries(FACETS.map((f) => [f, f === 'industry' ? { limit: 100 } : {}]));
      const params = {
        term: q.terms.join(' '),
        properties: [...TEXT_FIELDS],
        boost: { ...WEIGHTS },
        threshold: 0, // every word
        limit: LIMIT,
      };
      const r = await oramaSearch(db!, { ...params, where: where(q.filters), facets: facetSpec } as never);
      const facets: Answer['facets'] = {};
      for (const [attr, f] of Object.entries(r.facets ?? {})) facets[attr as Attribute] = (f as { values: Record<string, number> }).values;
      // Orama counts facets within the filtered hits; a facet the user filtered on is counted again without its filter.
      for (const attr of ['kind', 'industry'] as const) {
        if (!q.filters[attr]) continue;
        const again = await oramaSearch(db!, { ...params, limit: 0, where: where(q.filters, attr), facets: { [attr]: facetSpec[attr] } } as never);
        facets[attr] = (again.facets?.[attr] as { values: Record<string, number> } | undefined)?.values ?? {};
      }
      return { ids: r.hits.map((h) => String(h.document.key)), total: r.count, facets };
    },
  };
}

const median = (xs: number[]) => percentile(xs, 0.5);

export async function benchEngines(scale = 10_000): Promise<BenchReport> {
  const runs = Number(process.env.BENCH_ENGINE_RUNS ?? 3);
  // The corpus: the search bench's database, read as the sync worker reads it.
  const { db } = await benchDatabase(scale);
  const docs: SearchDoc[] = [];
  for (const source of searchSources) {
    for await (const doc of source.model.find({ deletedAt: null }).lean().cursor({ batchSize: 1000 })) docs.push(source.toDoc(doc as never));
  }
  await disconnect();
  await db.stop();

  // The libraries' input: the same jieba terms our engine indexes.
  const cutStarted = performance.now();
  const terms = (s: string) => documentTerms(s).join(' ');
  const flat: Flat[] = docs.map((d) => ({
    key: `${d.kind}:${d.id}`,
    title: terms(d.title),
    keywords: d.keywords.map(terms).join(' '),
    extra: terms(d.extra),
    text: terms(d.text),
    attrs: Object.fromEntries(FILTERED.map((a) => [a, asList(d.attributes[a])])),
  }));
  const cutSeconds = (performance.now() - cutStarted) / 1000;

  const queries: Query[] = benchQueries().map((p) => {
    const query = toQuery(undefined, searchParams.parse(p));
    const filters: Query['filters'] = {};
    for (const [attr, v] of Object.entries(query.filters ?? {})) filters[attr as Attribute] = asList(v);
    // Every word must match on every engine: no relaxed second pass on ours (the libraries have none).
    return { query: { ...query, relaxed: false, limit: LIMIT }, terms: queryTerms(query.q ?? ''), filters };
  });

  const engines = [embedded, flexSearch, miniSearch, orama];
  const rows: (string | number)[][] = [];
  const summary: BenchReport['summary'] = [];
  let reference: Answer[] = [];
  for (const make of engines) {
    const figures = { build: [] as number[], heap: [] as number[], p50: [] as number[], p95: [] as number[], answered: [] as number[] };
    let answers: Answer[] = [];
    let engine = make();
    for (let run = 0; run < runs; run++) {
      engine = make();
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      await engine.build(docs, flat);
      figures.build.push((performance.now() - started) / 1000 + (engine.name.startsWith('embedded') ? 0 : cutSeconds));
      global.gc?.();
      figures.heap.push((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
      const warmUntil = performance.now() + 5_000;
      for (const q of queries.slice(0, 100)) if ((await engine.query(q), performance.now() > warmUntil)) break; // warm-up
      const times: number[] = [];
      answers = [];
      const stopAt = performance.now() + QUERY_BUDGET_MS;
      for (const q of queries) {
        const t = performance.now();
        answers.push(await engine.query(q));
        times.push(performance.now() - t);
        if (t > stopAt) break;
      }
      figures.answered.push(times.length);
      figures.p50.push(percentile(times, 0.5));
      figures.p95.push(percentile(times, 0.95));
      process.stderr.write(`  ${engine.name} run ${run + 1}/${runs}: build ${figures.build.at(-1)!.toFixed(1)} s, heap ${figures.heap.at(-1)!.toFixed(0)} MB, p95 ${ms(figures.p95.at(-1)!)} ms\n`);
    }
    if (!reference.length) reference = answers;
    // How much of our top 20 the engine returns in its top 20 (the same words, filters and corpus).
    let overlap = 0;
    let compared = 0;
    answers.forEach((a, i) => {
      const ours = reference[i]!.ids;
      if (!ours.length) return;
      const mine = new Set(a.ids);
      overlap += ours.filter((id) => mine.has(id)).length / ours.length;
      compared++;
    });
    const [filters, weights, live] = engine.supports;
    rows.push([
      engine.name,
      median(figures.build).toFixed(1),
      median(figures.heap).toFixed(0),
      ms(median(figures.p50)),
      ms(median(figures.p95)),
      Math.min(...figures.answered),
      compared ? (overlap / compared).toFixed(2) : '—',
      filters,
      weights,
      live,
    ]);
    summary.push(['engines', `${engine.name}, ${docs.length.toLocaleString('en')} records`, `build ${median(figures.build).toFixed(1)} s · heap ${median(figures.heap).toFixed(0)} MB · p50 / p95 ${ms(median(figures.p50))} / ${ms(median(figures.p95))} ms`]);
    engine = undefined as never;
  }
  const detail = table(
    `Search engines on ${docs.length.toLocaleString('en')} records (${scale.toLocaleString('en')}-scale + demo), ${queries.length} queries as the search bench, top ${LIMIT}, 5 disjunctive facets; median of ${runs} runs; jieba cut of the corpus for the libraries ${cutSeconds.toFixed(1)} s (in their build)`,
    ['engine', 'build s', 'heap MB', 'p50 ms', 'p95 ms', 'queries timed', 'top-20 overlap with ours', 'filters / facet counts', 'field weights', 'version guard / live stats'],
    rows,
  );
  return { detail, summary };
}
