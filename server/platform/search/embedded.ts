// The in-process search engine (default run mode). An inverted index over jieba terms with BM25F-style
// scoring: title, keywords, other text and body weigh differently. Filters and facets read typed arrays,
// one entry per record, so a query over 200,000 records stays within a few milliseconds; facet counts are
// disjunctive (a facet is counted as if its own filter were not set), in the same single pass.
//
// A query word that the index does not hold whole, or that sits inside longer indexed words, is matched
// inside them (石膏 finds 磷石膏, 处理 finds 待处理), as are its synonyms. Every word must match; when no
// record has them all, records with some of them are returned and `relaxed` says so.
//
// Updates append: a changed record gets a new slot and the old one is marked dead. rebuild() builds a fresh
// index beside the live one, yielding to the event loop as it goes, and swaps it in.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  ATTRIBUTES,
  keyOf,
  MAX_WINDOW,
  NUMBERS,
  type Attribute,
  type DocKind,
  type NumberAttribute,
  type SearchDoc,
  type SearchHealth,
  type SearchHit,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
} from './port.ts';
import { documentTerms, normalize, partsOf, queryTerms } from './tokenizer.ts';
import { synonymsOf } from './synonyms.ts';

const WEIGHTS = { title: 3, keywords: 2.5, extra: 1.5, text: 1 } as const;
const K1 = 1.2;
const B = 0.75;
const SNIPPET_SOURCE = 240; // characters of body text kept for snippets
const SNIPPET = 90;
const CONTAINING_LIMIT = 40;
const ATTRS = Object.keys(ATTRIBUTES) as Attribute[];

interface Posting {
  docs: Uint32Array;
  tfs: Float32Array;
  n: number;
}

interface Group {
  /** alternatives: an indexed term and how much a match on it counts */
  alts: [Posting, number, string][];
}

/** A binary min-heap of (key, slot) pairs keeping the `capacity` largest keys. */
class TopK {
  readonly keys: Float64Array;
  readonly slots: Uint32Array;
  size = 0;
  constructor(readonly capacity: number) {
    this.keys = new Float64Array(capacity);
    this.slots = new Uint32Array(capacity);
  }
  offer(key: number, slot: number): void {
    if (this.capacity === 0) return;
    if (this.size < this.capacity) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.keys[p]! <= key) break;
        this.keys[i] = this.keys[p]!;
        this.slots[i] = this.slots[p]!;
        i = p;
      }
      this.keys[i] = key;
      this.slots[i] = slot;
    } else if (key > this.keys[0]!) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.size) break;
        const r = l + 1;
        const c = r < this.size && this.keys[r]! < this.keys[l]! ? r : l;
        if (this.keys[c]! >= key) break;
        this.keys[i] = this.keys[c]!;
        this.slots[i] = this.slots[c]!;
        i = c;
      }
      this.keys[i] = key;
      this.slots[i] = slot;
    }
  }
  /** [slot, key] pairs, largest key first */
  drain(): [number, number][] {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.keys[b]! - this.keys[a]! || this.slots[a]! - this.slots[b]!);
    return order.map((i) => [this.slots[i]!, this.keys[i]!]);
  }
}

/** One immutable-shape index: the live one, or the one a rebuild is filling. */
class Core {
  capacity = 0;
  size = 0;
  alive = 0;
  totalLength = 0;
  keys: string[] = [];
  live = new Uint8Array(0);
  versions = new Float64Array(0);
  lengths = new Float32Array(0);
  createdAt = new Float64Array(0);
  displays: Record<string, unknown>[] = [];
  snippets: string[] = [];
  readonly slotOf = new Map<string, number>();
  readonly postings = new Map<string, Posting>();
  /** single-valued: code + 1 (0 = none); multi-valued: a bit mask of codes */
  readonly attributes = new Map<Attribute, Int32Array>();
  readonly numbers = new Map<NumberAttribute, Float64Array>();
  readonly codes = new Map<Attribute, Map<string, number>>();
  readonly values = new Map<Attribute, string[]>();
  /** every indexed word, listed under each of its characters: finds the words that contain a word */
  private readonly wordsByChar = new Map<string, string[]>();
  /** bumped by every change, so cached answers of an older index are never used */
  generation = 0;
  private readonly browseCache = new Map<string, SearchResult>();
  // Scratch space for scoring, one slot per record, reused by every query (searches do not interleave:
  // search() never awaits). A stamp marks what the current group has touched, so nothing needs clearing.
  /** slots of each kind, in insertion order (dead ones are skipped when read) */
  private readonly kindSlots = new Map<string, { slots: Uint32Array; n: number }>();
  private acc = new Float64Array(0);
  private cover = new Uint16Array(0);
  private best = new Float64Array(0);
  private stamp = new Int32Array(0);
  private stampNow = 0;
  private inGroup = new Uint32Array(0);
  private touchedSlots = new Uint32Array(0);

  constructor() {
    for (const a of ATTRS) {
      this.codes.set(a, new Map());
      this.values.set(a, []);
    }
    this.grow(1024);
  }

  private grow(min: number): void {
    if (min <= this.capacity) return;
    const capacity = Math.max(min, this.capacity * 2);
    const resize = <T extends Float64Array | Float32Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.live = resize(this.live, (n) => new Uint8Array(n));
    this.versions = resize(this.versions, (n) => new Float64Array(n));
    this.lengths = resize(this.lengths, (n) => new Float32Array(n));
    this.createdAt = resize(this.createdAt, (n) => new Float64Array(n));
    for (const a of ATTRS) this.attributes.set(a, resize(this.attributes.get(a) ?? new Int32Array(0), (n) => new Int32Array(n)));
    for (const n of NUMBERS) this.numbers.set(n, resize(this.numbers.get(n) ?? new Float64Array(0), (k) => new Float64Array(k).fill(Number.NaN)));
    // New number slots must read as "missing".
    for (const n of NUMBERS) this.numbers.get(n)!.fill(Number.NaN, this.capacity);
    this.acc = new Float64Array(capacity);
    this.cover = new Uint16Array(capacity);
    this.best = new Float64Array(capacity);
    this.stamp = new Int32Array(capacity);
    this.inGroup = new Uint32Array(capacity);
    this.touchedSlots = new Uint32Array(capacity);
    this.capacity = capacity;
  }

  private code(attribute: Attribute, value: string): number {
    const codes = this.codes.get(attribute)!;
    let c = codes.get(value);
    if (c === undefined) {
      c = codes.size;
      if (ATTRIBUTES[attribute].multi && c >= 31) throw new Error(`too many values for ${attribute}`);
      codes.set(value, c);
      this.values.get(attribute)!.push(value);
    }
    return c;
  }

  private posting(term: string): Posting {
    let p = this.postings.get(term);
    if (!p) {
      p = { docs: new Uint32Array(4), tfs: new Float32Array(4), n: 0 };
      this.postings.set(term, p);
      for (const ch of new Set(term)) {
        const words = this.wordsByChar.get(ch);
        if (words) words.push(term);
        else this.wordsByChar.set(ch, [term]);
      }
    }
    return p;
  }

  add(doc: SearchDoc): void {
    this.generation++;
    const key = keyOf(doc);
    const existing = this.slotOf.get(key);
    if (existing !== undefined) {
      if (this.versions[existing]! > doc.version) return; // never replace with an older version
      this.kill(existing);
    }
    const slot = this.size++;
    this.grow(this.size);
    const weights = new Map<string, number>();
    const count = (terms: string[], w: number) => {
      for (const t of terms) weights.set(t, (weights.get(t) ?? 0) + w);
    };
    count(documentTerms(doc.title), WEIGHTS.title);
    for (const k of doc.keywords) {
      const whole = normalize(k).trim();
      if (whole) count([whole], WEIGHTS.keywords);
      count(documentTerms(k).filter((t) => t !== whole), WEIGHTS.keywords / 2);
    }
    count(documentTerms(doc.extra), WEIGHTS.extra);
    count(documentTerms(doc.text), WEIGHTS.text);
    let length = 0;
    for (const [term, tf] of weights) {
      length += tf;
      const p = this.posting(term);
      if (p.n === p.docs.length) {
        const docs = new Uint32Array(p.n * 2);
        docs.set(p.docs);
        const tfs = new Float32Array(p.n * 2);
        tfs.set(p.tfs);
        p.docs = docs;
        p.tfs = tfs;
      }
      p.docs[p.n] = slot;
      p.tfs[p.n] = tf;
      p.n++;
    }
    this.keys[slot] = key;
    this.live[slot] = 1;
    this.versions[slot] = doc.version;
    this.lengths[slot] = length;
    this.displays[slot] = doc.display;
    // A copy, not a slice: V8 would keep the whole body text alive behind a sliced string.
    this.snippets[slot] = Buffer.from(doc.text.slice(0, SNIPPET_SOURCE)).toString();
    for (const a of ATTRS) {
      const v = doc.attributes[a];
      const arr = this.attributes.get(a)!;
      if (v === undefined || v === null || v === '') arr[slot] = 0;
      else if (ATTRIBUTES[a].multi) {
        let mask = 0;
        for (const x of Array.isArray(v) ? v : [v]) mask |= 1 << this.code(a, String(x));
        arr[slot] = mask;
      } else arr[slot] = this.code(a, String(Array.isArray(v) ? v[0] : v)) + 1;
    }
    for (const n of NUMBERS) {
      const v = doc.numbers[n];
      this.numbers.get(n)![slot] = typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
    }
    this.createdAt[slot] = doc.numbers.createdAt ?? 0;
    let part = this.kindSlots.get(doc.kind);
    if (!part) this.kindSlots.set(doc.kind, (part = { slots: new Uint32Array(1024), n: 0 }));
    if (part.n === part.slots.length) {
      const bigger = new Uint32Array(part.n * 2);
      bigger.set(part.slots);
      part.slots = bigger;
    }
    part.slots[part.n++] = slot;
    this.slotOf.set(key, slot);
    this.alive++;
    this.totalLength += length;
  }

  kill(slot: number): void {
    if (!this.live[slot]) return;
    this.generation++;
    this.live[slot] = 0;
    this.alive--;
    this.totalLength -= this.lengths[slot]!;
    const key = this.keys[slot]!;
    if (this.slotOf.get(key) === slot) this.slotOf.delete(key);
    this.displays[slot] = {};
    this.snippets[slot] = '';
  }

  removeKey(key: string): void {
    const slot = this.slotOf.get(key);
    if (slot !== undefined) this.kill(slot);
  }

  private readonly parts = new Map<string, string[]>();
  private partsIncluding(word: string, term: string): boolean {
    let p = this.parts.get(word);
    if (!p) this.parts.set(word, (p = partsOf(word)));
    return p.includes(term);
  }

  /** Indexed words that contain `term` (longer than it), the most frequent first. */
  private wordsContaining(term: string): string[] {
    // Only the words listed under the term's rarest character need looking at.
    let shortest: string[] | undefined;
    for (const ch of new Set(term)) {
      const words = this.wordsByChar.get(ch);
      if (!words) return [];
      if (!shortest || words.length < shortest.length) shortest = words;
    }
    // A word whose search-mode parts include the term adds nothing: its records were indexed under the
    // term too (磷石膏 → 石膏). Only words hiding the term (印制电路板 hides 印制电路) are worth adding.
    const found = (shortest ?? []).filter((w) => w.length > term.length && w.includes(term) && !this.partsIncluding(w, term));
    found.sort((a, b) => this.postings.get(b)!.n - this.postings.get(a)!.n);
    return found.slice(0, CONTAINING_LIMIT);
  }

  private group(term: string): Group {
    const alts = new Map<string, number>();
    const add = (t: string, w: number) => {
      if (this.postings.has(t) && (alts.get(t) ?? 0) < w) alts.set(t, w);
    };
    add(term, 1);
    for (const s of synonymsOf(term)) add(s, 0.9);
    if (Array.from(term).length >= 2 || /\p{Script=Han}/u.test(term)) {
      for (const w of this.wordsContaining(term)) add(w, 0.8);
      for (const s of synonymsOf(term)) for (const w of this.wordsContaining(s)) add(w, 0.7);
    }
    return { alts: [...alts].map(([t, w]) => [this.postings.get(t)!, w, t]) };
  }

  /** One group per query word; a word found nowhere is split into its parts when they are found. */
  groups(q: string): { groups: Group[]; terms: string[] } {
    const groups: Group[] = [];
    for (const word of queryTerms(q)) {
      const g = this.group(word);
      if (g.alts.length) {
        groups.push(g);
        continue;
      }
      const parts = partsOf(word).map((p) => this.group(p));
      if (parts.length && parts.every((p) => p.alts.length)) groups.push(...parts);
      else groups.push(g); // nothing matches this word: strict search finds nothing, relaxed may
    }
    const terms = [...new Set(groups.flatMap((g) => g.alts.map(([, , t]) => t)))];
    return { groups, terms };
  }

  search(query: SearchQuery): SearchResult {
    // Browsing (no words) asks the same few questions over and over: answer from cache until anything changes.
    if (!query.q?.trim()) {
      const key = `${this.generation}|${JSON.stringify(query)}`;
      const hit = this.browseCache.get(key);
      if (hit) return hit;
      const result = this.evaluate(query);
      if (this.browseCache.size >= 200) this.browseCache.clear();
      this.browseCache.set(key, result);
      return result;
    }
    return this.evaluate(query);
  }

  private evaluate(query: SearchQuery): SearchResult {
    const window = Math.min(query.page * query.limit, MAX_WINDOW);
    const facets = query.facets ?? [];
    // Filters compiled to code sets / masks; a value never seen matches nothing.
    const filters: { attr: Attribute; arr: Int32Array; multi: boolean; codes: Set<number>; mask: number }[] = [];
    for (const [attr, raw] of Object.entries(query.filters ?? {}) as [Attribute, string | string[]][]) {
      if (raw === undefined) continue;
      const wanted = (Array.isArray(raw) ? raw : [raw]).map(String);
      const known = wanted.map((v) => this.codes.get(attr)!.get(v)).filter((c): c is number => c !== undefined);
      const multi = ATTRIBUTES[attr].multi;
      filters.push({ attr, arr: this.attributes.get(attr)!, multi, codes: new Set(known.map((c) => c + 1)), mask: known.reduce((m, c) => m | (1 << c), 0) });
    }
    const ranges = Object.entries(query.ranges ?? {}).map(([n, r]) => ({ arr: this.numbers.get(n as NumberAttribute)!, gte: r?.gte ?? -Infinity, lte: r?.lte ?? Infinity }));
    const facetIndex = new Map(facets.map((f, i) => [f, i]));
    const facetArrays = facets.map((f) => this.attributes.get(f)!);
    const facetMulti = facets.map((f) => ATTRIBUTES[f].multi);
    // counts[code] (multi-valued attributes have at most 31 codes; single-valued ones store code + 1)
    const facetCounts = facets.map((f) => new Int32Array(Math.max(32, this.codes.get(f)!.size + 1)));
    const countFacet = (i: number, slot: number) => {
      let v = facetArrays[i]![slot]!;
      const counts = facetCounts[i]!;
      if (facetMulti[i]) {
        while (v) {
          counts[31 - Math.clz32(v & -v)]!++; // lowest set bit
          v &= v - 1;
        }
      } else if (v) counts[v - 1]!++;
    };
    const nFacets = facets.length;

    const sort = query.sort ?? 'relevance';
    const byNumber = typeof sort === 'object' ? { arr: this.numbers.get(sort.by)!, sign: sort.order === 'asc' ? -1 : 1 } : undefined;
    const top = new TopK(window);
    let total = 0;
    // Examine one candidate: ranges first (they do not facet), then the disjunctive facet rule.
    const consider = (slot: number, score: number) => {
      for (const r of ranges) {
        const v = r.arr[slot]!;
        if (!(v >= r.gte && v <= r.lte)) return;
      }
      let failed = -1;
      for (let i = 0; i < filters.length; i++) {
        const f = filters[i]!;
        const v = f.arr[slot]!;
        const ok = f.multi ? (v & f.mask) !== 0 : f.codes.has(v);
        if (!ok) {
          if (failed !== -1) return; // fails two filters: counts nowhere
          failed = i;
        }
      }
      if (failed !== -1) {
        const fi = facetIndex.get(filters[failed]!.attr);
        if (fi !== undefined) countFacet(fi, slot);
        return;
      }
      total++;
      for (let i = 0; i < nFacets; i++) countFacet(i, slot);
      let key: number;
      if (byNumber) {
        const v = byNumber.arr[slot]!;
        key = Number.isNaN(v) ? -Infinity : byNumber.sign * v; // records without the number go last
      } else key = score;
      // Ties (and equal numbers) go newest first.
      top.offer(key + this.createdAt[slot]! * 1e-18, slot);
    };

    let terms: string[] = [];
    let relaxed = false;
    const q = query.q?.trim();
    if (!q) {
      // Only the slots of the wanted kinds when the query names kinds (and the kind facet is not asked for).
      const kinds = query.filters?.kind;
      const live = this.live;
      if (kinds !== undefined && !facets.includes('kind')) {
        for (const k of Array.isArray(kinds) ? kinds : [kinds]) {
          const part = this.kindSlots.get(k);
          if (!part) continue;
          const { slots, n } = part;
          for (let i = 0; i < n; i++) {
            const slot = slots[i]!;
            if (live[slot]) consider(slot, this.createdAt[slot]!);
          }
        }
      } else {
        for (let slot = 0; slot < this.size; slot++) if (live[slot]) consider(slot, this.createdAt[slot]!);
      }
    } else {
      const parsed = this.groups(q);
      terms = parsed.terms;
      const n = parsed.groups.length;
      const avg = this.alive ? this.totalLength / this.alive : 1;
      const { acc, cover, best, stamp, lengths, live, inGroup, touchedSlots: touched } = this;
      let nTouched = 0;
      for (const g of parsed.groups) {
        const mark = ++this.stampNow;
        let nIn = 0;
        for (const [p, weight] of g.alts) {
          const idf = weight * Math.log(1 + (this.alive - p.n + 0.5) / (p.n + 0.5));
          const { docs, tfs } = p;
          for (let i = 0; i < p.n; i++) {
            const slot = docs[i]!;
            if (!live[slot]) continue;
            const tf = tfs[i]!;
            const sc = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[slot]!) / avg));
            if (stamp[slot] !== mark) {
              stamp[slot] = mark;
              best[slot] = sc;
              inGroup[nIn++] = slot;
            } else if (sc > best[slot]!) best[slot] = sc;
          }
        }
        for (let i = 0; i < nIn; i++) {
          const slot = inGroup[i]!;
          if (cover[slot] === 0) touched[nTouched++] = slot;
          acc[slot]! += best[slot]!;
          cover[slot]!++;
        }
      }
      if (query.mode === 'any') {
        // Any word may match: rank by the summed score, with a bonus for covering more of the words.
        for (let i = 0; i < nTouched; i++) {
          const slot = touched[i]!;
          consider(slot, acc[slot]! * (0.5 + (0.5 * cover[slot]!) / n));
        }
      } else {
        for (let i = 0; i < nTouched; i++) {
          const slot = touched[i]!;
          if (cover[slot] === n) consider(slot, acc[slot]!);
        }
      }
      if (total === 0 && n > 1 && query.relaxed && query.mode !== 'any') {
        relaxed = true;
        for (const counts of facetCounts) counts.fill(0);
        for (let i = 0; i < nTouched; i++) {
          const slot = touched[i]!;
          consider(slot, acc[slot]! * (cover[slot]! / n) ** 2);
        }
      }
      for (let i = 0; i < nTouched; i++) {
        const slot = touched[i]!;
        acc[slot] = 0;
        cover[slot] = 0;
      }
    }

    const offset = (query.page - 1) * query.limit;
    const picked = top.drain().slice(offset, offset + query.limit);
    const byRelevance = !byNumber && !!q;
    const items: SearchHit[] = picked.map(([slot, key]) => {
      const [kind, id] = this.keys[slot]!.split(':') as [DocKind, string];
      const score = byRelevance ? key - this.createdAt[slot]! * 1e-18 : 0;
      return { kind, id, score, snippet: snippet(this.snippets[slot]!, terms), display: this.displays[slot]! };
    });
    const facetOut: SearchResult['facets'] = {};
    facets.forEach((attr, i) => {
      const names = this.values.get(attr)!;
      const pairs: [string, number][] = [];
      facetCounts[i]!.forEach((count, c) => {
        if (count > 0 && names[c] !== undefined) pairs.push([names[c]!, count]);
      });
      facetOut[attr] = Object.fromEntries(pairs.sort((a, b) => b[1] - a[1]));
    });
    return { items, total, page: query.page, limit: query.limit, facets: facetOut, terms, relaxed };
  }
}

/** The body text around the first matched term, or its beginning. */
export function snippet(text: string, terms: string[]): string {
  if (!text) return '';
  const lower = text.toLowerCase();
  let at = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i !== -1 && (at === -1 || i < at)) at = i;
  }
  const chars = Array.from(text);
  if (at === -1 || at < SNIPPET / 3) return chars.length > SNIPPET ? `${chars.slice(0, SNIPPET).join('')}…` : text;
  const start = Math.max(0, Array.from(text.slice(0, at)).length - Math.floor(SNIPPET / 3));
  const piece = chars.slice(start, start + SNIPPET).join('');
  return `…${piece}${start + SNIPPET < chars.length ? '…' : ''}`;
}

export class EmbeddedSearch implements SearchIndex {
  readonly engine = 'embedded' as const;
  private core = new Core();
  private changes = 0;
  /** changes made while a rebuild runs, replayed onto the new index before it is swapped in */
  private pending: ((core: Core) => void)[] | undefined;

  async health(): Promise<SearchHealth> {
    return { ok: true, engine: 'embedded', documents: this.core.alive };
  }

  get generation(): number {
    return this.changes;
  }

  async upsert(docs: SearchDoc[]): Promise<void> {
    this.changes++;
    for (const d of docs) this.core.add(d);
    this.pending?.push((core) => docs.forEach((d) => core.add(d)));
  }

  async remove(refs: { kind: DocKind; id: string }[]): Promise<void> {
    this.changes++;
    const keys = refs.map(keyOf);
    for (const k of keys) this.core.removeKey(k);
    this.pending?.push((core) => keys.forEach((k) => core.removeKey(k)));
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    return this.core.search(query);
  }

  async versions(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [key, slot] of this.core.slotOf) out.set(key, this.core.versions[slot]!);
    return out;
  }

  async rebuild(source: () => AsyncIterable<SearchDoc[]>): Promise<{ documents: number }> {
    if (this.pending) throw new Error('a rebuild is already running');
    this.pending = [];
    try {
      const next = new Core();
      for await (const batch of source()) {
        for (const d of batch) next.add(d);
        await yieldToLoop(); // let searches and requests run between batches
      }
      for (const change of this.pending) change(next);
      this.core = next;
      this.changes++;
      return { documents: next.alive };
    } finally {
      this.pending = undefined;
    }
  }

  async close(): Promise<void> {}

  /** Memory and shape figures for the benchmark. */
  stats(): { documents: number; slots: number; terms: number } {
    return { documents: this.core.alive, slots: this.core.size, terms: this.core.postings.size };
  }
}
