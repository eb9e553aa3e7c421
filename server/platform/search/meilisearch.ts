// The Meilisearch adapter (MEILI_HOST set), on the official `meilisearch` client. One index holds every kind
// of record. Meilisearch's own Chinese segmentation misses words inside longer words, so each document also
// carries our jieba search-mode terms (`tokens`), and queries are cut the same way as for the embedded
// engine. Settings (searchable, filterable and sortable attributes, synonyms, ranking rules) are applied at
// start and waited for. Searches use a scoped key that can only search; the key given in MEILI_API_KEY stays
// on the server (browsers talk to the app, never to Meilisearch).
//
// Versions: Meilisearch replaces a document whatever it held, so the adapter guards versions itself. Each
// document carries its version (`v`) and its key is filterable; a write first reads the versions the index
// holds for its keys and sends only documents newer than those (the same version again is a no-op, as on
// the embedded engine), then reads them back once its task is done and sends again any that an older write
// overwrote meanwhile. This process's writes go one at a time, so among them the guard is exact. What is left
// is a race between processes: another instance that read before our write landed and whose older write
// lands after our read-back. Such a record stays stale until the sync worker's reconciliation, which
// compares every indexed version with the database (server/platform/search/sync.ts), sends it again.
//
// Rebuild: the new index fills beside the live one; while it does, every upsert and removal goes to both,
// with the same guard (so a rebuild batch read from the database before a write never undoes the write), and
// keys removed meanwhile are removed from the new index again just before the swap. Writes from other
// processes during a rebuild reach only the old index, and likewise wait for reconciliation.
//
// Paging: maxTotalHits is MAX_WINDOW + 1, only to tell "more than MAX_WINDOW" from "exactly MAX_WINDOW";
// `total` is reported as at most MAX_WINDOW with `capped`, and records ranked past it are on no page, as on
// the embedded engine.
import { Meilisearch, type Index, type SearchParams, type Settings } from 'meilisearch';
import type { Logger } from '../logger.ts';
import { snippet } from './embedded.ts';
import {
  ATTRIBUTES,
  MAX_WINDOW,
  NUMBERS,
  type Attribute,
  type DocKind,
  type SearchDoc,
  type SearchHealth,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
} from './port.ts';
import { synonymGroups, synonymsOf } from './synonyms.ts';
import { documentTerms, normalize, queryTerms } from './tokenizer.ts';

interface MeiliDoc {
  key: string;
  kind: DocKind;
  id: string;
  v: number;
  title: string;
  keywords: string[];
  tokens: string;
  extra: string;
  text: string;
  snippetSource: string;
  display: Record<string, unknown>;
  [attribute: string]: unknown;
}

const ATTRS = Object.keys(ATTRIBUTES) as Attribute[];
const docKey = (kind: string, id: string) => `${kind}-${id}`;
const quote = (v: string) => JSON.stringify(v);
/** keys per version read (a filter of this many keys stays well within Meilisearch's limits) */
const READ_CHUNK = 500;
/** read-backs after a write: each can only find a write from another process that landed after ours */
const VERIFY_ROUNDS = 2;

export function settings(): Settings {
  const synonyms: Record<string, string[]> = {};
  for (const group of synonymGroups) for (const term of group) synonyms[term] = group.filter((t) => t !== term);
  return {
    searchableAttributes: ['title', 'keywords', 'tokens', 'extra', 'text'],
    // `key` for the version reads of the write guard
    filterableAttributes: [...ATTRS, ...NUMBERS, 'key'],
    sortableAttributes: [...NUMBERS],
    displayedAttributes: ['key', 'kind', 'id', 'v', 'display', 'snippetSource'],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'createdAt:desc'],
    synonyms,
    typoTolerance: { enabled: false }, // Chinese terms have no typos to forgive; Latin codes (PCB) must match
    pagination: { maxTotalHits: MAX_WINDOW + 1 },
    faceting: { maxValuesPerFacet: 200 },
  };
}

export function toMeiliDoc(d: SearchDoc): MeiliDoc {
  const tokens = new Set([...documentTerms(d.title), ...d.keywords.map((k) => normalize(k)), ...documentTerms(d.extra), ...documentTerms(d.text)]);
  const doc: MeiliDoc = {
    key: docKey(d.kind, d.id),
    kind: d.kind,
    id: d.id,
    v: d.version,
    title: d.title,
    keywords: d.keywords,
    tokens: [...tokens].join(' '),
    extra: d.extra,
    text: d.text,
    snippetSource: d.text.slice(0, 240),
    display: d.display,
  };
  const fields = doc as Record<string, unknown>;
  for (const a of ATTRS) if (d.attributes[a] !== undefined) fields[a] = d.attributes[a];
  for (const n of NUMBERS) if (d.numbers[n] !== undefined) fields[n] = d.numbers[n];
  return doc;
}

function filterExpression(filters: SearchQuery['filters'], ranges: SearchQuery['ranges'], except?: Attribute): string[] {
  const parts: string[] = [];
  for (const [attr, raw] of Object.entries(filters ?? {}) as [Attribute, string | string[]][]) {
    if (raw === undefined || attr === except) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    parts.push(values.length ? `${attr} IN [${values.map(quote).join(', ')}]` : `${attr} IN ["\u0000"]`);
  }
  for (const [n, r] of Object.entries(ranges ?? {})) {
    if (r?.gte !== undefined) parts.push(`${n} >= ${r.gte}`);
    if (r?.lte !== undefined) parts.push(`${n} <= ${r.lte}`);
  }
  return parts;
}

export class MeiliSearchIndex implements SearchIndex {
  readonly engine = 'meilisearch' as const;
  private readonly admin: Meilisearch;
  private searcher: Meilisearch;
  private readonly uid: string;
  /** this process's writes, one after another (see the top of this file) */
  private writes: Promise<unknown> = Promise.resolve();
  /** while a rebuild fills the next index: its uid, and the keys removed since it started */
  private rebuilding: { uid: string; removed: Set<string> } | undefined;
  private rebuildRunning = false;

  constructor(
    private readonly opts: { host: string; apiKey?: string | undefined; prefix: string },
    private readonly logger: Logger,
  ) {
    this.admin = new Meilisearch({ host: opts.host, apiKey: opts.apiKey });
    this.searcher = this.admin;
    this.uid = `${opts.prefix}_records`;
  }

  private get index(): Index<MeiliDoc> {
    return this.admin.index<MeiliDoc>(this.uid);
  }

  /** Creates the index if needed, applies the settings, and obtains a search-only key. */
  async prepare(): Promise<void> {
    await this.ensureIndex(this.uid);
    try {
      const description = `${this.opts.prefix}: server-side search (search only)`;
      const keys = await this.admin.getKeys({ limit: 1000 });
      const existing = keys.results.find((k) => k.description === description);
      const key =
        existing ??
        (await this.admin.createKey({ description, actions: ['search'], indexes: [this.uid, `${this.uid}_next`], expiresAt: null }));
      this.searcher = new Meilisearch({ host: this.opts.host, apiKey: key.key });
    } catch (err) {
      // A key without the right to manage keys still works; it just is not narrowed down.
      this.logger.warn({ err }, 'could not create a search-only Meilisearch key; searching with the configured key');
    }
  }

  private async ensureIndex(uid: string): Promise<void> {
    const exists = await this.admin
      .getRawIndex(uid)
      .then(() => true)
      .catch(() => false);
    if (!exists) await this.admin.createIndex(uid, { primaryKey: 'key' }).waitTask();
    await this.admin.index(uid).updateSettings(settings()).waitTask();
  }

  async health(): Promise<SearchHealth> {
    try {
      await this.admin.health();
      const stats = await this.index.getStats();
      return { ok: true, engine: 'meilisearch', documents: stats.numberOfDocuments };
    } catch (err) {
      return { ok: false, engine: 'meilisearch', error: (err as Error).message };
    }
  }

  /** Runs `fn` after every write of this process already started, and before any started later. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async addDocs(uid: string, docs: MeiliDoc[]): Promise<void> {
    const task = await this.admin.index<MeiliDoc>(uid).addDocuments(docs, { primaryKey: 'key' }).waitTask();
    if (task.status !== 'succeeded') throw new Error(`Meilisearch could not index documents: ${task.error?.message ?? task.status}`);
  }

  private async deleteDocs(uid: string, keys: string[]): Promise<void> {
    if (!keys.length) return;
    const task = await this.admin.index(uid).deleteDocuments(keys).waitTask();
    if (task.status !== 'succeeded') throw new Error(`Meilisearch could not delete documents: ${task.error?.message ?? task.status}`);
  }

  /** The versions index `uid` holds for these keys (absent keys are not in the map). */
  private async heldVersions(uid: string, keys: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < keys.length; i += READ_CHUNK) {
      const chunk = keys.slice(i, i + READ_CHUNK);
      const page = await this.admin.index<MeiliDoc>(uid).getDocuments({ filter: `key IN [${chunk.map(quote).join(', ')}]`, fields: ['key', 'v'], limit: chunk.length });
      for (const d of page.results) out.set(d.key, d.v);
    }
    return out;
  }

  /** Writes to index `uid` the documents newer than what it holds (the newest of each record in the batch). */
  private async writeNewer(uid: string, docs: SearchDoc[], verify: boolean): Promise<void> {
    const newest = new Map<string, SearchDoc>();
    for (const d of docs) {
      const key = docKey(d.kind, d.id);
      const have = newest.get(key);
      if (!have || d.version > have.version) newest.set(key, d);
    }
    const held = await this.heldVersions(uid, [...newest.keys()]);
    let written = [...newest].filter(([key, d]) => !((held.get(key) ?? -Infinity) >= d.version)).map(([, d]) => toMeiliDoc(d));
    if (!written.length) return;
    await this.addDocs(uid, written);
    for (let round = 0; verify && round < VERIFY_ROUNDS && written.length; round++) {
      // An older write of another process that read before ours landed may have replaced ours: send ours
      // again. A record gone meanwhile was removed on purpose and stays removed.
      const now = await this.heldVersions(uid, written.map((d) => d.key));
      written = written.filter((d) => {
        const v = now.get(d.key);
        return v !== undefined && v < d.v;
      });
      if (written.length) {
        this.logger.warn({ records: written.length }, 'an older version overwrote a newer one in Meilisearch; writing the newer one again');
        await this.addDocs(uid, written);
      }
    }
  }

  async upsert(docs: SearchDoc[]): Promise<void> {
    if (!docs.length) return;
    await this.exclusive(async () => {
      await this.writeNewer(this.uid, docs, true);
      const rebuilding = this.rebuilding;
      if (rebuilding) {
        await this.writeNewer(rebuilding.uid, docs, false);
        for (const d of docs) rebuilding.removed.delete(docKey(d.kind, d.id));
      }
    });
  }

  async remove(refs: { kind: DocKind; id: string }[]): Promise<void> {
    if (!refs.length) return;
    const keys = refs.map((r) => docKey(r.kind, r.id));
    await this.exclusive(async () => {
      await this.deleteDocs(this.uid, keys);
      const rebuilding = this.rebuilding;
      if (rebuilding) {
        await this.deleteDocs(rebuilding.uid, keys);
        for (const k of keys) rebuilding.removed.add(k);
      }
    });
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const words = query.q ? queryTerms(query.q) : [];
    const base: SearchParams = {
      filter: filterExpression(query.filters, query.ranges),
      facets: query.facets ?? [],
      attributesToRetrieve: ['kind', 'id', 'display', 'snippetSource'],
      ...(typeof query.sort === 'object' ? { sort: [`${query.sort.by}:${query.sort.order}`] } : {}),
    };
    const q = words.join(' ');
    const index = this.searcher.index<MeiliDoc>(this.uid);
    const paged = { page: query.page, hitsPerPage: query.limit };
    const strategy = query.mode === 'any' ? 'frequency' : 'all';
    let response = await index.search(q, { ...base, ...paged, matchingStrategy: strategy, showRankingScore: true });
    let relaxed = false;
    if (response.totalHits === 0 && words.length > 1 && query.relaxed && query.mode !== 'any') {
      response = await index.search(q, { ...base, ...paged, matchingStrategy: 'last', showRankingScore: true });
      relaxed = response.totalHits > 0;
    }
    // Disjunctive facets: each filtered facet counted as if its own filter were not set.
    const facets: SearchResult['facets'] = {};
    for (const attr of query.facets ?? []) facets[attr] = (response.facetDistribution?.[attr] as Record<string, number> | undefined) ?? {};
    const filtered = (query.facets ?? []).filter((a) => query.filters?.[a] !== undefined);
    if (filtered.length) {
      const multi = await this.searcher.multiSearch({
        queries: filtered.map((attr) => ({
          indexUid: this.uid,
          q,
          matchingStrategy: relaxed ? 'last' : strategy,
          filter: filterExpression(query.filters, query.ranges, attr),
          facets: [attr],
          limit: 0,
        })),
      });
      multi.results.forEach((r, i) => (facets[filtered[i]!] = (r.facetDistribution?.[filtered[i]!] as Record<string, number> | undefined) ?? {}));
    }
    const terms = [...new Set(words.flatMap((w) => [w, ...synonymsOf(w)]))];
    // Records ranked past MAX_WINDOW are on no page, and `total` stops at MAX_WINDOW (see the top of this file).
    const found = response.totalHits ?? 0;
    const room = Math.max(0, MAX_WINDOW - (query.page - 1) * query.limit);
    return {
      items: response.hits.slice(0, room).map((h) => ({
        kind: h.kind,
        id: h.id,
        score: typeof query.sort === 'object' ? 0 : (h._rankingScore ?? 0),
        snippet: query.snippets === false ? '' : snippet(h.snippetSource, terms),
        display: h.display,
      })),
      total: Math.min(found, MAX_WINDOW),
      capped: found > MAX_WINDOW,
      page: query.page,
      limit: query.limit,
      facets,
      terms,
      relaxed,
    };
  }

  async versions(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let offset = 0; ; offset += 1000) {
      const page = await this.index.getDocuments({ fields: ['kind', 'id', 'v'], limit: 1000, offset });
      for (const d of page.results) out.set(`${d.kind}:${d.id}`, d.v);
      if (page.results.length < 1000) break;
    }
    return out;
  }

  /**
   * Fills `<uid>_next`, swaps it with the live index, and drops the old one. Writes made meanwhile reach
   * both indexes (see the top of this file).
   */
  async rebuild(source: () => AsyncIterable<SearchDoc[]>): Promise<{ documents: number }> {
    if (this.rebuildRunning) throw new Error('a rebuild is already running');
    this.rebuildRunning = true;
    const next = `${this.uid}_next`;
    const rebuilding = { uid: next, removed: new Set<string>() };
    try {
      await this.exclusive(async () => {
        await this.admin.deleteIndexIfExists(next);
        await this.ensureIndex(next);
        this.rebuilding = rebuilding;
      });
      for await (const batch of source()) {
        if (batch.length) await this.exclusive(() => this.writeNewer(next, batch, false));
      }
      await this.exclusive(async () => {
        // A batch read before a removal may have brought the record back.
        await this.deleteDocs(next, [...rebuilding.removed]);
        const task = await this.admin.swapIndexes([{ indexes: [this.uid, next], rename: false }]).waitTask();
        if (task.status !== 'succeeded') throw new Error(`Meilisearch could not swap indexes: ${task.error?.message ?? task.status}`);
        this.rebuilding = undefined;
      });
    } finally {
      this.rebuilding = undefined;
      this.rebuildRunning = false;
    }
    await this.admin.deleteIndex(next).waitTask();
    const stats = await this.index.getStats();
    return { documents: stats.numberOfDocuments };
  }

  async close(): Promise<void> {}
}
