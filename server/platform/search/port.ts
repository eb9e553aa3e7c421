// The SearchIndex port: what the app asks of a search engine, whichever one answers (the embedded engine
// or Meilisearch). Both pass one contract suite (test/search/contract.ts). The port knows no domain rules:
// modules describe their records as SearchDocs (their search.ts) and queries in these terms.

export type DocKind = 'demand' | 'result' | 'expert' | 'broker';
export const DOC_KINDS: readonly DocKind[] = ['demand', 'result', 'expert', 'broker'];

/**
 * Categorical attributes a query can filter and count on. `multi` ones hold several values per record
 * (an expert's industries, a result's transfer modes).
 */
export const ATTRIBUTES = {
  kind: { multi: false },
  industry: { multi: true },
  town: { multi: false },
  status: { multi: false },
  maturity: { multi: false },
  category: { multi: false },
  mode: { multi: true },
  visibility: { multi: false },
  enterprise: { multi: false },
  broker: { multi: false },
  /** a need someone holds ('yes') or nobody ('no'): the broker workbench's 待认领 */
  held: { multi: false },
  institution: { multi: false },
  available: { multi: false },
  level: { multi: false },
  jiebang: { multi: false },
} as const;
export type Attribute = keyof typeof ATTRIBUTES;

/**
 * Numeric attributes a query can range-filter and sort on. `publishedAt`: when the record became findable (a need's
 * or result's first publication, else its creation), in ms; saved-search digests ask for a window of it
 * (server/saved-searches/digest.ts). A need's `budget` is the top of its range and `budgetFloor` the bottom (each
 * the other when only one is given), so "its range meets 30–50 万元" is budget ≥ 30 and budgetFloor ≤ 50.
 */
export const NUMBERS = ['createdAt', 'updatedAt', 'budget', 'budgetFloor', 'price', 'deadline', 'publishedAt'] as const;
export type NumberAttribute = (typeof NUMBERS)[number];

export interface SearchDoc {
  kind: DocKind;
  id: string;
  /** the record's search.version when it was read: the index keeps the newest it has seen */
  version: number;
  title: string;
  /** body text: a need's description, a result's abstract, a person's bio */
  text: string;
  keywords: string[];
  /** other searchable text: organisation names, indicators, patent titles */
  extra: string;
  attributes: Partial<Record<Attribute, string | string[]>>;
  numbers: Partial<Record<NumberAttribute, number>>;
  /** what a result list shows (returned as is) */
  display: Record<string, unknown>;
}

export interface SearchQuery {
  q?: string | undefined;
  /** each attribute: any of the values */
  filters?: Partial<Record<Attribute, string | string[]>>;
  ranges?: Partial<Record<NumberAttribute, { gte?: number; lte?: number }>>;
  sort?: 'relevance' | { by: NumberAttribute; order: 'asc' | 'desc' };
  facets?: Attribute[];
  /** when no record has every word, return those with some of them (the search page does; list filters do not) */
  relaxed?: boolean;
  /** 'all' words must match (search, lists); 'any' word may, ranked by how well (matching retrieves this way) */
  mode?: 'all' | 'any';
  /** false: the hits' snippets are left empty (matching scores hundreds of hits and shows none of their text) */
  snippets?: boolean;
  page: number;
  limit: number;
}

export interface SearchHit {
  kind: DocKind;
  id: string;
  /** relevance (comparable within one answer only); 0 when sorted by a number */
  score: number;
  /** the body text around the first match (or its beginning) */
  snippet: string;
  display: Record<string, unknown>;
}

export interface SearchResult {
  items: SearchHit[];
  /** records that match, at most MAX_WINDOW: every page up to ceil(total / limit) has items */
  total: number;
  /** more than MAX_WINDOW records match; `total` says MAX_WINDOW and no page reaches past it */
  capped: boolean;
  page: number;
  limit: number;
  /** value → count for each requested facet, counted as if that facet's own filter were not set */
  facets: Partial<Record<Attribute, Record<string, number>>>;
  /** the terms that matched, for highlighting */
  terms: string[];
  /** no record had every word: these match some of them */
  relaxed: boolean;
}

export interface SearchHealth {
  ok: boolean;
  engine: 'embedded' | 'meilisearch';
  documents?: number;
  error?: string;
}

export interface SearchIndex {
  readonly engine: 'embedded' | 'meilisearch';
  /**
   * Counts the changes the index has taken (upserts, removals, rebuilds): while it stays the same, a search
   * gives the same answer, so answers may be cached under it. Undefined when the engine cannot tell
   * (Meilisearch applies writes later, as tasks): nothing is cached then.
   */
  readonly generation?: number | undefined;
  health(): Promise<SearchHealth>;
  /** Adds or replaces records (an older version never replaces a newer one). */
  upsert(docs: SearchDoc[]): Promise<void>;
  remove(refs: { kind: DocKind; id: string }[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  /** Every indexed record's version, by `kind:id` (reconciliation compares this with the database). */
  versions(): Promise<Map<string, number>>;
  /** Builds a new index from all records and swaps it in; searches keep answering from the old one. */
  rebuild(source: () => AsyncIterable<SearchDoc[]>): Promise<{ documents: number }>;
  close(): Promise<void>;
}

export const keyOf = (ref: { kind: string; id: string }) => `${ref.kind}:${ref.id}`;

/**
 * How deep any list can page: deep paging through a search engine is neither fast nor useful. Both engines
 * return records ranked below it on no page, and report `total` as at most this (with `capped` set), so
 * `total` and the pager built on it never offer an empty page (test/search/contract.ts).
 */
export const MAX_WINDOW = 2000;
