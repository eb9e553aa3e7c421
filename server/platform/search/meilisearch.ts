// The Meilisearch adapter (MEILI_HOST set), on the official `meilisearch` client. One index holds every kind
// of record. Meilisearch's own Chinese segmentation misses words inside longer words, so each document also
// carries our jieba search-mode terms (`tokens`), and queries are cut the same way as for the embedded
// engine. Settings (searchable, filterable and sortable attributes, synonyms, ranking rules) are applied at
// start and waited for. Searches use a scoped key that can only search; the key given in MEILI_API_KEY stays
// on the server (browsers talk to the app, never to Meilisearch).
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

export function settings(): Settings {
  const synonyms: Record<string, string[]> = {};
  for (const group of synonymGroups) for (const term of group) synonyms[term] = group.filter((t) => t !== term);
  return {
    searchableAttributes: ['title', 'keywords', 'tokens', 'extra', 'text'],
    filterableAttributes: [...ATTRS, ...NUMBERS],
    sortableAttributes: [...NUMBERS],
    displayedAttributes: ['key', 'kind', 'id', 'v', 'display', 'snippetSource'],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'createdAt:desc'],
    synonyms,
    typoTolerance: { enabled: false }, // Chinese terms have no typos to forgive; Latin codes (PCB) must match
    pagination: { maxTotalHits: MAX_WINDOW },
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

  async upsert(docs: SearchDoc[]): Promise<void> {
    if (!docs.length) return;
    const task = await this.index.addDocuments(docs.map(toMeiliDoc), { primaryKey: 'key' }).waitTask();
    if (task.status !== 'succeeded') throw new Error(`Meilisearch could not index documents: ${task.error?.message ?? task.status}`);
  }

  async remove(refs: { kind: DocKind; id: string }[]): Promise<void> {
    if (!refs.length) return;
    const task = await this.index.deleteDocuments(refs.map((r) => docKey(r.kind, r.id))).waitTask();
    if (task.status !== 'succeeded') throw new Error(`Meilisearch could not delete documents: ${task.error?.message ?? task.status}`);
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
    return {
      items: response.hits.map((h) => ({
        kind: h.kind,
        id: h.id,
        score: typeof query.sort === 'object' ? 0 : (h._rankingScore ?? 0),
        snippet: snippet(h.snippetSource, terms),
        display: h.display,
      })),
      total: response.totalHits,
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

  /** Fills `<uid>_next`, swaps it with the live index, and drops the old one. */
  async rebuild(source: () => AsyncIterable<SearchDoc[]>): Promise<{ documents: number }> {
    const next = `${this.uid}_next`;
    await this.admin.deleteIndexIfExists(next);
    await this.ensureIndex(next);
    let documents = 0;
    for await (const batch of source()) {
      if (!batch.length) continue;
      const task = await this.admin.index<MeiliDoc>(next).addDocuments(batch.map(toMeiliDoc), { primaryKey: 'key' }).waitTask();
      if (task.status !== 'succeeded') throw new Error(`Meilisearch could not index documents: ${task.error?.message ?? task.status}`);
      documents += batch.length;
    }
    await this.admin.swapIndexes([{ indexes: [this.uid, next], rename: false }]).waitTask();
    await this.admin.deleteIndex(next).waitTask();
    return { documents };
  }

  async close(): Promise<void> {}
}
