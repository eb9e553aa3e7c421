// The in-process search engine (default run mode). An inverted index over jieba terms with BM25F-style
// scoring: title, keywords, other text and body weigh differently. Filters and facets read typed arrays,
// one entry per record, so a query over 200,000 records stays within a few milliseconds; facet counts are
// disjunctive (a facet is counted as if its own filter were not set), in the same single pass.
//
// A query word that the index does not hold whole, or that sits inside longer indexed words, is matched
// inside them (石膏 finds 磷石膏, 处理 finds 待处理), as are its synonyms. Every word must match; when no
// record has them all, records with some of them are returned and `relaxed` says so.
//
// Updates: a changed record gets a slot of its own and the old slot is marked dead. Every statistic the
// ranking reads (document frequencies, the number of records, the average length) counts live records only,
// so a ranking after any sequence of writes is the ranking a fresh build of the same records gives
// (test/search/embedded.churn.test.ts). For that, each slot keeps the ids of its terms: killing a slot lowers
// the document frequency of exactly those terms. Dead slots still sit in posting lists (queries skip them)
// until compaction removes them, in the background, in slices of a few milliseconds: once dead slots pass a
// share of the live ones, a pass takes them, strips them from the posting lists that hold them, drops terms
// no live record has any more, and hands the slots back for reuse. The arrays therefore stay the size of
// the live records plus a bounded backlog, however many edits the process sees (`npm run bench -- churn`).
// (Only exact ties, the same score and the same creation time, may come out in another order: they keep the
// order of their slots.)
// rebuild() builds a fresh index beside the live one, yielding to the event loop as it goes, and swaps it in.
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

/** Compaction starts once dead slots reach this share of the live ones (and at least MIN_DEAD of them). */
const DEAD_SHARE = 0.1;
const MIN_DEAD = 64;
/** Writers wait for compaction when dead slots reach this share of the live ones (and BACKPRESSURE_MIN). */
const BACKPRESSURE_SHARE = 0.25;
const BACKPRESSURE_MIN = 4096;
/** Work done per compaction slice before yielding to the event loop: the budget; one unit of work (a posting list stripped, a character's word list) may run past it, so it is well under the 20 ms promised (npm run bench -- churn). */
const SLICE_MS = 4;
/** answers kept for questions asked again while the index does not change (a few MB at most) */
const MAX_ANSWERS = 2_000;
/** query words whose alternatives are kept (Core.group) */
const MAX_GROUPS = 20_000;
/** Slots per block of the slot → term ids store (a block is repacked on its own, in microseconds). */
const BLOCK_BITS = 8;
const BLOCK = 1 << BLOCK_BITS;
/** Past this, the stamp counter starts again from 1 (the stamps are cleared): it never overflows. */
const STAMP_LIMIT = 0x7fff_fff0;

interface Posting {
  /** the term's id, as the slots' term lists hold it */
  id: number;
  term: string;
  docs: Uint32Array;
  tfs: Float32Array;
  /** entries, dead slots included until compaction removes them */
  n: number;
  /** live records holding the term: the document frequency of BM25 */
  df: number;
}

/** The term ids of the slots of one block, each slot's ids contiguous. */
interface TermBlock {
  data: Uint32Array;
  used: number;
  /** ids of released slots still taking room (reclaimed at the next repack) */
  garbage: number;
}

/** A compaction pass: the dead slots it takes, and how far it has got. */
interface Pass {
  phase: 'collect' | 'postings' | 'kinds' | 'release' | 'terms' | 'chars';
  batch: number[];
  i: number;
  /** ids of the terms the batch's slots hold */
  terms: number[];
  seen: Uint8Array;
  /** postings left without entries, dropped unless a write brought the term back */
  doomed: Posting[];
  /** dropped terms, and the characters whose word lists still name them */
  dropped: Set<string>;
  chars: string[];
}

/**
 * Terms of short strings (keywords, organisation names), kept for a while: they recur across records and
 * across the versions of one record, and each cut is a call into jieba.
 */
const shortTerms = new Map<string, string[]>();
function fieldTerms(text: string): string[] {
  if (text.length > 32) return documentTerms(text);
  let terms = shortTerms.get(text);
  if (!terms) {
    if (shortTerms.size >= 4096) shortTerms.clear();
    shortTerms.set(text, (terms = documentTerms(text)));
  }
  return terms;
}

/** The capacity a posting list filled from empty has for n entries (4, doubled when full). */
const fit = (n: number) => (n <= 4 ? 4 : 2 ** Math.ceil(Math.log2(n)));

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

/** One index: the live one, or the one a rebuild is filling. */
class Core {
  capacity = 0;
  /** slots ever handed out (free ones below it are reused first) */
  size = 0;
  alive = 0;
  totalLength = 0;
  keys: string[] = [];
  live = new Uint8Array(0);
  versions = new Float64Array(0);
  lengths = new Float32Array(0);
  createdAt = new Float64Array(0);
  displays: (Record<string, unknown> | undefined)[] = [];
  snippets: string[] = [];
  readonly slotOf = new Map<string, number>();
  /** every term some slot (live, or dead and not yet compacted) holds; df 0 means no live record has it */
  readonly postings = new Map<string, Posting>();
  private readonly byId: (Posting | undefined)[] = [];
  private readonly freeIds: number[] = [];
  /** single-valued: code + 1 (0 = none); multi-valued: a bit mask of codes */
  readonly attributes = new Map<Attribute, Int32Array>();
  readonly numbers = new Map<NumberAttribute, Float64Array>();
  readonly codes = new Map<Attribute, Map<string, number>>();
  readonly values = new Map<Attribute, string[]>();
  /** every indexed word, listed under each of its characters: finds the words that contain a word */
  private readonly wordsByChar = new Map<string, string[]>();
  /** bumped by every change, so cached answers of an older index are never used */
  generation = 0;
  /** answers given at generation `answersOf` (search), at most MAX_ANSWERS */
  private readonly answers = new Map<string, SearchResult>();
  private answersOf = 0;
  /** slots of each kind (dead ones are skipped when read, and dropped by compaction) */
  private readonly kindSlots = new Map<string, { slots: Uint32Array; n: number }>();
  // Each slot's term ids (where its range starts in its block, and how many), so that killing a slot can
  // lower the document frequency of exactly its terms, and compaction knows which posting lists hold it.
  private termStart = new Uint32Array(0);
  private termCount = new Uint32Array(0);
  private readonly blocks: (TermBlock | undefined)[] = [];
  /** dead slots not yet taken by a compaction pass */
  private deadList: number[] = [];
  /** slots a pass has stripped from every posting list, ready for reuse */
  private readonly freeSlots: number[] = [];
  private purging = new Uint8Array(0);
  private pass: Pass | undefined;
  /** compaction figures, for the benchmark and tests */
  readonly compaction = { passes: 0, slots: 0, terms: 0 };
  // Scratch space for scoring, one slot per record, reused by every query (searches do not interleave:
  // search() never awaits). A stamp marks what the current group has touched, so nothing needs clearing.
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
    const resize = <T extends Float64Array | Float32Array | Uint8Array | Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.live = resize(this.live, (n) => new Uint8Array(n));
    this.purging = resize(this.purging, (n) => new Uint8Array(n));
    this.versions = resize(this.versions, (n) => new Float64Array(n));
    this.lengths = resize(this.lengths, (n) => new Float32Array(n));
    this.createdAt = resize(this.createdAt, (n) => new Float64Array(n));
    this.termStart = resize(this.termStart, (n) => new Uint32Array(n));
    this.termCount = resize(this.termCount, (n) => new Uint32Array(n));
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
      const id = this.freeIds.pop() ?? this.byId.length;
      p = { id, term, docs: new Uint32Array(4), tfs: new Float32Array(4), n: 0, df: 0 };
      this.byId[id] = p;
      this.postings.set(term, p);
      for (const ch of new Set(term)) {
        const words = this.wordsByChar.get(ch);
        if (words) words.push(term);
        else this.wordsByChar.set(ch, [term]);
      }
    }
    return p;
  }

  /** A term some live record holds (a term only dead slots hold is not in the index any more). */
  private livePosting(term: string): Posting | undefined {
    const p = this.postings.get(term);
    return p && p.df > 0 ? p : undefined;
  }

  /** Records a slot's term ids in its block, repacking the block (dropping released ranges) when full. */
  private storeTerms(slot: number, ids: number[]): void {
    const b = slot >>> BLOCK_BITS;
    let block = this.blocks[b];
    if (!block) this.blocks[b] = block = { data: new Uint32Array(Math.max(64, fit(ids.length))), used: 0, garbage: 0 };
    if (block.used + ids.length > block.data.length) {
      // Same growth as a block filled from empty, computed on what is still held: a block of a churned
      // index is no bigger than the block of a fresh one holding the same records.
      const data = new Uint32Array(Math.max(64, fit(block.used - block.garbage + ids.length)));
      let at = 0;
      const first = b << BLOCK_BITS;
      for (let s = first; s < first + BLOCK && s < this.size; s++) {
        const count = this.termCount[s]!;
        if (!count || s === slot) continue;
        const start = this.termStart[s]!;
        data.set(block.data.subarray(start, start + count), at);
        this.termStart[s] = at;
        at += count;
      }
      block.data = data;
      block.used = at;
      block.garbage = 0;
    }
    block.data.set(ids, block.used);
    this.termStart[slot] = block.used;
    this.termCount[slot] = ids.length;
    block.used += ids.length;
  }


  add(doc: SearchDoc): void {
    const key = keyOf(doc);
    const existing = this.slotOf.get(key);
    if (existing !== undefined) {
      // The same version again changes nothing (and takes no new slot); an older one never replaces a newer.
      if (this.versions[existing]! >= doc.version) return;
      this.kill(existing);
    }
    this.generation++;
    const slot = this.freeSlots.pop() ?? this.size++;
    this.grow(this.size);
    const weights = new Map<string, number>();
    const count = (terms: string[], w: number) => {
      for (const t of terms) weights.set(t, (weights.get(t) ?? 0) + w);
    };
    count(documentTerms(doc.title), WEIGHTS.title);
    for (const k of doc.keywords) {
      const whole = normalize(k).trim();
      if (whole) count([whole], WEIGHTS.keywords);
      count(fieldTerms(k).filter((t) => t !== whole), WEIGHTS.keywords / 2);
    }
    count(fieldTerms(doc.extra), WEIGHTS.extra);
    count(documentTerms(doc.text), WEIGHTS.text);
    let length = 0;
    const ids: number[] = [];
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
      p.df++;
      ids.push(p.id);
    }
    this.storeTerms(slot, ids);
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
    this.displays[slot] = undefined;
    this.snippets[slot] = '';
    const data = this.blocks[slot >>> BLOCK_BITS]!.data;
    for (let i = this.termStart[slot]!, end = i + this.termCount[slot]!; i < end; i++) this.byId[data[i]!]!.df--;
    this.deadList.push(slot);
  }

  removeKey(key: string): void {
    const slot = this.slotOf.get(key);
    if (slot !== undefined) this.kill(slot);
  }

  /** Dead slots not yet handed back for reuse. */
  get dead(): number {
    return this.deadList.length + (this.pass?.batch.length ?? 0);
  }

  /** Enough dead slots to be worth a compaction pass. */
  get needsCompaction(): boolean {
    return this.pass !== undefined || this.deadList.length >= Math.max(MIN_DEAD, this.alive * DEAD_SHARE);
  }

  /** So many dead slots that writers should wait for compaction. */
  get overloaded(): boolean {
    return this.dead >= Math.max(BACKPRESSURE_MIN, this.alive * BACKPRESSURE_SHARE);
  }

  /**
   * Compaction work for about `budget` ms. Each unit of work (one posting list, one kind's slot list, a few
   * hundred dropped terms) takes well under a millisecond, so a slice ends soon after its budget. With `all`,
   * passes go on until no dead slot is left; otherwise until dead slots are below the starting threshold.
   * Returns true when there is nothing more to do.
   */
  compact(budget: number, all = false): boolean {
    const deadline = performance.now() + budget;
    const timeUp = () => performance.now() >= deadline;
    for (;;) {
      if (!this.pass) {
        if (!this.deadList.length || (!all && !this.needsCompaction)) return true;
        const batch = this.deadList;
        this.deadList = [];
        this.pass = { phase: 'collect', batch, i: 0, terms: [], seen: new Uint8Array(this.byId.length), doomed: [], dropped: new Set(), chars: [] };
      }
      const pass = this.pass;
      switch (pass.phase) {
        case 'collect':
          // Mark the batch and list the terms its slots hold: only those posting lists need stripping.
          while (pass.i < pass.batch.length) {
            const slot = pass.batch[pass.i++]!;
            this.purging[slot] = 1;
            const data = this.blocks[slot >>> BLOCK_BITS]!.data;
            for (let i = this.termStart[slot]!, end = i + this.termCount[slot]!; i < end; i++) {
              const id = data[i]!;
              if (!pass.seen[id]) {
                pass.seen[id] = 1;
                pass.terms.push(id);
              }
            }
            if ((pass.i & 63) === 0 && timeUp()) return false;
          }
          pass.phase = 'postings';
          pass.i = 0;
          break;
        case 'postings':
          while (pass.i < pass.terms.length) {
            const p = this.byId[pass.terms[pass.i++]!]!;
            this.strip(p);
            if (p.n === 0) pass.doomed.push(p);
            if (timeUp()) return false;
          }
          pass.phase = 'kinds';
          pass.i = 0;
          break;
        case 'kinds':
          for (const part of this.kindSlots.values()) {
            let w = 0;
            for (let r = 0; r < part.n; r++) {
              const s = part.slots[r]!;
              if (!this.purging[s]) part.slots[w++] = s;
            }
            part.n = w;
          }
          pass.phase = 'release';
          break;
        case 'release':
          // Stripped from every posting list and slot list: the slots can take new records.
          for (const slot of pass.batch) {
            this.blocks[slot >>> BLOCK_BITS]!.garbage += this.termCount[slot]!;
            this.termCount[slot] = 0;
            this.purging[slot] = 0;
            this.keys[slot] = '';
            this.freeSlots.push(slot);
          }
          pass.phase = 'terms';
          pass.i = 0;
          if (timeUp()) return false;
          break;
        case 'terms': {
          const chars = new Set<string>();
          for (const p of pass.doomed) {
            // A write may have brought the term back since its list emptied.
            if (p.n !== 0 || p.df !== 0 || this.postings.get(p.term) !== p) continue;
            this.postings.delete(p.term);
            this.byId[p.id] = undefined;
            this.freeIds.push(p.id);
            this.parts.delete(p.term);
            pass.dropped.add(p.term);
            for (const ch of p.term) chars.add(ch);
          }
          this.compaction.terms += pass.dropped.size;
          pass.chars = [...chars];
          pass.phase = 'chars';
          pass.i = 0;
          if (timeUp()) return false;
          break;
        }
        case 'chars':
          // One character's word list per unit (the longest, under a digit, holds a few tens of thousands).
          while (pass.i < pass.chars.length) {
            this.unlist(pass.chars[pass.i++]!, pass.dropped);
            if (timeUp()) return false;
          }
          this.compaction.passes++;
          this.compaction.slots += pass.batch.length;
          this.pass = undefined;
          if (timeUp()) return !this.deadList.length || (!all && !this.needsCompaction);
          break;
      }
    }
  }

  /** Removes the entries of slots being compacted from a posting list, and gives back the room. */
  private strip(p: Posting): void {
    const { docs, tfs, n } = p;
    const purging = this.purging;
    let w = 0;
    for (let r = 0; r < n; r++) {
      const s = docs[r]!;
      if (purging[s]) continue;
      docs[w] = s;
      tfs[w] = tfs[r]!;
      w++;
    }
    p.n = w;
    const capacity = fit(w);
    if (docs.length > capacity) {
      p.docs = docs.slice(0, capacity);
      p.tfs = tfs.slice(0, capacity);
    }
  }

  /**
   * Takes dropped terms off a character's word list. Between slices a dropped term may have come back (and
   * been listed again): one listing of it stays. wordsContaining() skips words without live records and
   * counts a word once, so a list with stale or repeated words gives the same answers meanwhile.
   */
  private unlist(ch: string, dropped: Set<string>): void {
    const words = this.wordsByChar.get(ch);
    if (!words) return;
    const kept = new Set<string>();
    let w = 0;
    for (let r = 0; r < words.length; r++) {
      const word = words[r]!;
      if (dropped.has(word)) {
        if (!this.postings.has(word) || kept.has(word)) continue;
        kept.add(word);
      }
      words[w++] = word;
    }
    words.length = w;
    if (!w) this.wordsByChar.delete(ch);
  }

  private readonly parts = new Map<string, string[]>();
  private partsIncluding(word: string, term: string): boolean {
    let p = this.parts.get(word);
    if (!p) this.parts.set(word, (p = partsOf(word)));
    return p.includes(term);
  }

  /** Indexed words that contain `term` (longer than it), the most frequent first. */
  private wordsContaining(term: string): string[] {
    // Only the words listed under the term's rarest character need looking at (every word containing the
    // term is listed under each of its characters, so the answer does not depend on which one is read).
    let shortest: string[] | undefined;
    for (const ch of new Set(term)) {
      const words = this.wordsByChar.get(ch);
      if (!words) return [];
      if (!shortest || words.length < shortest.length) shortest = words;
    }
    // A word whose search-mode parts include the term adds nothing: its records were indexed under the
    // term too (磷石膏 → 石膏). Only words hiding the term (印制电路板 hides 印制电路) are worth adding.
    const found: [string, number][] = [];
    const listed = new Set<string>();
    for (const w of shortest ?? []) {
      if (w.length <= term.length || !w.includes(term) || listed.has(w)) continue;
      listed.add(w);
      const p = this.livePosting(w);
      if (p && !this.partsIncluding(w, term)) found.push([w, p.df]);
    }
    // Ties in frequency go by the word itself, not by when it was first indexed: the same records give the
    // same choice whatever their history.
    found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return found.slice(0, CONTAINING_LIMIT).map(([w]) => w);
  }

  /**
   * group() per term until anything in the index changes: a need's matches and the popular searches ask for the
   * same words again and again, and finding the longer words that hide a term reads a character's word list.
   * Compaction needs no reset: it only drops terms no live record has, which no group lists.
   */
  private readonly groupOf = new Map<string, Group>();
  private groupsAt = -1;

  private group(term: string): Group {
    if (this.groupsAt !== this.generation) {
      this.groupOf.clear();
      this.groupsAt = this.generation;
    }
    let g = this.groupOf.get(term);
    if (!g) {
      if (this.groupOf.size >= MAX_GROUPS) this.groupOf.clear();
      this.groupOf.set(term, (g = this.newGroup(term)));
    }
    return g;
  }

  private newGroup(term: string): Group {
    const alts = new Map<string, number>();
    const add = (t: string, w: number) => {
      if (this.livePosting(t) && (alts.get(t) ?? 0) < w) alts.set(t, w);
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

  search(query: SearchQuery, keep = true): SearchResult {
    // The same questions come again and again (list pages, popular searches, a need's matches): an answer is
    // kept until anything in the index changes.
    if (!keep) return this.evaluate(query);
    if (this.answersOf !== this.generation) {
      this.answers.clear();
      this.answersOf = this.generation;
    }
    const key = JSON.stringify(query);
    const kept = this.answers.get(key);
    if (kept) {
      this.answers.delete(key); // most recently used last, so the oldest go first
      this.answers.set(key, kept);
      return kept;
    }
    // Frozen, so that a caller changing a kept answer (which every later asker would get) fails at once.
    const result = this.evaluate(query);
    for (const counts of Object.values(result.facets)) Object.freeze(counts);
    Object.freeze(result.facets);
    Object.freeze(result.terms);
    result.items.forEach((hit) => Object.freeze(hit));
    Object.freeze(result.items);
    Object.freeze(result);
    if (this.answers.size >= MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, result);
    return result;
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
        if (this.stampNow >= STAMP_LIMIT) {
          // Start the stamps again rather than let the counter overflow (2³¹ query words in one process).
          stamp.fill(0);
          this.stampNow = 0;
        }
        const mark = ++this.stampNow;
        let nIn = 0;
        for (const [p, weight] of g.alts) {
          // Document frequency and record count over live records only: dead slots never sway a ranking.
          const idf = weight * Math.log(1 + (this.alive - p.df + 0.5) / (p.df + 0.5));
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

    // No list pages past MAX_WINDOW: `total` stops there (and `capped` says so), so a pager built on it
    // never offers a page that would come back empty.
    const capped = total > MAX_WINDOW;
    if (capped) total = MAX_WINDOW;
    const offset = (query.page - 1) * query.limit;
    const picked = top.drain().slice(offset, offset + query.limit);
    const byRelevance = !byNumber && !!q;
    const items: SearchHit[] = picked.map(([slot, key]) => {
      const [kind, id] = this.keys[slot]!.split(':') as [DocKind, string];
      const score = byRelevance ? key - this.createdAt[slot]! * 1e-18 : 0;
      return { kind, id, score, snippet: query.snippets === false ? '' : snippet(this.snippets[slot]!, terms), display: this.displays[slot] ?? {} };
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
    return { items, total, capped, page: query.page, limit: query.limit, facets: facetOut, terms, relaxed };
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

export interface EmbeddedStats {
  documents: number;
  /** slots handed out so far (live, dead, and free ones waiting for reuse) */
  slots: number;
  /** dead slots not yet compacted */
  dead: number;
  /** terms held by some slot */
  terms: number;
  /**
   * slices: how many, the longest and how many took over 20 ms in wall-clock time (a GC pause, or a busy
   * machine giving the CPU to others, counts too; `npm run bench -- churn` separates the two)
   */
  compaction: { passes: number; slots: number; terms: number; slices: number; longestSliceMs: number; slicesOver20ms: number };
}

export class EmbeddedSearch implements SearchIndex {
  readonly engine = 'embedded' as const;
  /**
   * keepAnswers: false answers every search afresh — for the benchmarks that time the engine's own work (the
   * app keeps answers until the index changes).
   */
  constructor(private readonly opts: { keepAnswers?: boolean } = {}) {}
  private get keepAnswers(): boolean {
    return this.opts.keepAnswers ?? true;
  }
  private core = new Core();
  private changes = 0;
  /** changes made while a rebuild runs, replayed onto the new index before it is swapped in */
  private pending: ((core: Core) => void)[] | undefined;
  /** the compaction running in the background, if any: resolves when it stops */
  private compacting: Promise<void> | undefined;
  private closed = false;
  private readonly slices = { count: 0, longestMs: 0, over20ms: 0 };
  /** when set (by the benchmark), runs each compaction slice, so that it can time the slice its own way */
  sliceProbe: ((slice: () => boolean) => boolean) | undefined;

  async health(): Promise<SearchHealth> {
    return { ok: true, engine: 'embedded', documents: this.core.alive };
  }

  get generation(): number {
    return this.changes;
  }

  async upsert(docs: SearchDoc[]): Promise<void> {
    const before = this.core.generation;
    for (const d of docs) this.core.add(d);
    if (this.core.generation !== before) this.changes++;
    this.pending?.push((core) => docs.forEach((d) => core.add(d)));
    await this.afterWrite();
  }

  async remove(refs: { kind: DocKind; id: string }[]): Promise<void> {
    const before = this.core.generation;
    const keys = refs.map(keyOf);
    for (const k of keys) this.core.removeKey(k);
    if (this.core.generation !== before) this.changes++;
    this.pending?.push((core) => keys.forEach((k) => core.removeKey(k)));
    await this.afterWrite();
  }

  /**
   * Starts compaction when enough slots are dead. A writer faster than compaction (it never yields to the
   * event loop between writes) waits for it once the backlog is large, so memory stays bounded whatever the
   * write rate; the write itself is already applied and visible.
   */
  private async afterWrite(): Promise<void> {
    if (this.core.needsCompaction) void this.startCompaction(false);
    if (this.core.overloaded) await this.compacting;
  }

  private startCompaction(all: boolean): Promise<void> {
    if (this.compacting) return this.compacting;
    const core = this.core;
    this.compacting = new Promise<void>((resolve) => {
      const step = () => {
        // A rebuild swapped in a new index, or the engine closed: this one is garbage, stop.
        if (this.closed || core !== this.core) return finish();
        const started = performance.now();
        const slice = () => core.compact(SLICE_MS, all);
        const done = this.sliceProbe ? this.sliceProbe(slice) : slice();
        const took = performance.now() - started;
        this.slices.count++;
        if (took > this.slices.longestMs) this.slices.longestMs = took;
        if (took > 20) this.slices.over20ms++;
        if (done) finish();
        else setImmediate(step);
      };
      const finish = () => {
        this.compacting = undefined;
        resolve();
      };
      setImmediate(step);
    });
    return this.compacting;
  }

  /**
   * Waits until every dead slot is compacted (for tests and the benchmark; the engine compacts on its own
   * once dead slots pass a share of the live ones). Still runs in slices between other work.
   */
  async compact(): Promise<void> {
    while (this.core.dead > 0 && !this.closed) {
      await this.compacting;
      await this.startCompaction(true);
    }
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    return this.core.search(query, this.keepAnswers);
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
      if (next.needsCompaction) void this.startCompaction(false);
      return { documents: next.alive };
    } finally {
      this.pending = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.compacting;
  }

  /** Shape and compaction figures, for the benchmark and tests. */
  stats(): EmbeddedStats {
    const core = this.core;
    return {
      documents: core.alive,
      slots: core.size,
      dead: core.dead,
      terms: core.postings.size,
      compaction: { ...core.compaction, slices: this.slices.count, longestSliceMs: this.slices.longestMs, slicesOver20ms: this.slices.over20ms },
    };
  }
}
