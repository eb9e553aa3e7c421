// In-process caches that every instance keeps honest (docs/design.md "Per-request work").
//
// A cache belongs to one or more topics (TOPICS below). A write that changes what a topic's caches hold
// announces the topic: this process drops those caches at once, and the write stamps the topic with a fresh
// random value in one document (`cache_versions`, `_id: 'stamps'`), then drops them once more. Every instance
// reads that document by `_id` once a second; a stamp that differs from the one it saw, and is not the one this
// process last wrote, drops its caches of that topic. A cache is used only
// while the last successful read of the stamps began less than TRUST_MS ago, so a process that cannot read them
// (the database is slow or down) reads the database instead of serving what may have changed: a change made
// anywhere reaches every instance within TRUST_MS + one read, well inside 5 seconds.
//
// Stamps are random rather than counted: FerretDB applies an update as read-then-write (write-lock.ts), so two
// processes' increments could both write n + 1; two random stamps cannot make a poller see a value it has seen.
//
// Models announce their own writes through the `announceChanges` plugin, so a write anywhere (a service, the
// command line, a test that updates a user directly) invalidates; only writes through the driver's collection
// object bypass it, and the code makes none on these models.
import { randomBytes } from 'node:crypto';
import mongoose, { type Schema } from 'mongoose';
import { isQuiet, whenQuietEnds } from './observed.ts';

export type Topic = 'accounts' | 'sessions' | 'tokens' | 'preferences' | 'notices' | 'queues' | 'notifications' | 'results' | 'ledger' | 'workbench' | 'events' | 'targets' | 'demands' | 'enterprises';
const TOPICS: readonly Topic[] = ['accounts', 'sessions', 'tokens', 'preferences', 'notices', 'queues', 'notifications', 'results', 'ledger', 'workbench', 'events', 'targets', 'demands', 'enterprises'];

export const STAMPS_COLLECTION = 'cache_versions';
const STAMPS_ID = 'stamps';
/** how often every instance reads the stamps */
export const POLL_MS = 1_000;
/** caches are used only while the last successful read of the stamps began this recently */
export const TRUST_MS = 3_000;

interface Droppable {
  readonly topics: readonly Topic[];
  drop(): void;
}

const caches = new Set<Droppable>();
let seen: Record<string, unknown> | undefined;
let trustedSince = -Infinity;
let polling: Promise<void> | undefined;
let timer: NodeJS.Timeout | undefined;

type StampsDoc = { _id: string } & Partial<Record<Topic, string>>;

function stamps() {
  const db = mongoose.connection.readyState === 1 ? mongoose.connection.db : undefined;
  return db?.collection<StampsDoc>(STAMPS_COLLECTION);
}

const drops = new Map<Topic, number>();

function dropTopic(topic: Topic): void {
  drops.set(topic, (drops.get(topic) ?? 0) + 1);
  for (const c of caches) if (c.topics.includes(topic)) c.drop();
}

/**
 * How many times this process has dropped the topic's caches, or undefined while caches are not trusted: a page
 * made from those caches names it in its version, so it is not kept past a change they missed.
 */
export function topicVersion(topic: Topic): number | undefined {
  ensurePolling();
  return cachesTrusted() ? (drops.get(topic) ?? 0) : undefined;
}

/** Reads the stamps once; drops the caches of every topic whose stamp moved. */
export function pollNow(): Promise<void> {
  polling ??= (async () => {
    const collection = stamps();
    if (!collection) return;
    const started = performance.now();
    try {
      const doc = (await collection.findOne({ _id: STAMPS_ID })) ?? { _id: STAMPS_ID };
      for (const topic of TOPICS) {
        if (seen && seen[topic] === doc[topic]) continue;
        if (doc[topic] !== undefined && written.get(topic) === doc[topic]) continue; // our own, see announce()
        dropTopic(topic);
      }
      seen = { ...doc };
      trustedSince = started;
    } catch {
      // Not trusted any more once TRUST_MS passes: caches step aside until a read succeeds.
    }
  })().finally(() => (polling = undefined));
  return polling;
}

function ensurePolling(): void {
  if (timer) return;
  timer = setInterval(() => void pollNow(), POLL_MS);
  timer.unref();
  void pollNow();
}

/** Whether caches may answer now (the stamps were read recently). */
export function cachesTrusted(): boolean {
  return performance.now() - trustedSince < TRUST_MS;
}

/**
 * Something the topic's caches hold changed (already written): this process forgets it now, every other one
 * at its next read of the stamps.
 */
export async function announce(...topics: Topic[]): Promise<void> {
  for (const topic of topics) dropTopic(topic);
  // A bulk load (the seeds) stamps each topic once at its end, not once per record it writes.
  if (isQuiet()) {
    for (const topic of topics) deferred.add(topic);
    return;
  }
  const collection = stamps();
  if (!collection) return;
  const $set: Partial<Record<Topic, string>> = {};
  for (const topic of topics) $set[topic] = randomBytes(8).toString('hex');
  await collection.updateOne({ _id: STAMPS_ID }, { $set }, { upsert: true });
  // Dropped again once the stamp is written: a change another instance stamped before ours is then covered too,
  // so reading our own stamp back later needs no drop (which would empty this process's caches after each of its
  // writes a second time, up to a second later).
  for (const topic of topics) {
    written.set(topic, $set[topic]!);
    dropTopic(topic);
  }
}

/** the stamp this process last wrote for each topic */
const written = new Map<Topic, string>();

const deferred = new Set<Topic>();
whenQuietEnds(async () => {
  if (!deferred.size) return;
  const topics = [...deferred];
  deferred.clear();
  await announce(...topics);
});

/** A map of values loaded from the database, dropped whenever its topic (any of its topics) is announced. */
export class SharedCache<V> implements Droppable {
  private entries = new Map<string, V>();
  /** moves on every drop, so a load that began before it does not store what it read */
  private generation = 0;
  /** loads under way, by key, with the generation they began in */
  private loading = new Map<string, { generation: number; value: Promise<V | null | undefined> }>();
  readonly topics: readonly Topic[];

  constructor(
    topic: Topic | readonly Topic[],
    private readonly max = 10_000,
  ) {
    this.topics = typeof topic === 'string' ? [topic] : topic;
    caches.add(this);
  }

  drop(): void {
    this.entries.clear();
    this.generation++;
  }

  /**
   * The cached value for key, or load()'s (kept unless it is null or something changed while loading). `usable`
   * can turn a cached value down (it is older than what the caller knows exists): load() answers instead.
   */
  async get(key: string, load: () => Promise<V | null | undefined>, usable?: (value: V) => boolean): Promise<V | null | undefined> {
    ensurePolling();
    if (!cachesTrusted()) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined && (!usable || usable(hit))) return hit;
    const generation = this.generation;
    // Views arriving together after a drop share one load instead of each reading the same (a workbench's first
    // view reads for seconds at scale). Not when the caller can turn values down: it may know of a newer one.
    const inFlight = usable ? undefined : this.loading.get(key);
    if (inFlight?.generation === generation) return inFlight.value;
    const value = Promise.resolve(load()); // a mongoose query runs again on each `then`: one promise of it
    if (!usable) {
      const entry = { generation, value };
      this.loading.set(key, entry);
      const settled = () => this.loading.get(key) === entry && this.loading.delete(key);
      void value.then(settled, settled);
    }
    const loaded = await value;
    if (loaded != null && generation === this.generation) this.put(key, loaded);
    return loaded;
  }

  /** Keeps a value this process has just written to the database (while caches are trusted). */
  put(key: string, value: V): void {
    if (!cachesTrusted()) return;
    this.entries.delete(key); // re-inserted at the end: the oldest entry goes first when the cache is full
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  /** Forgets one key in this process only. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Changes a cached value in place (a field this process just wrote and no other instance relies on). */
  patch(key: string, change: (value: V) => void): void {
    const value = this.entries.get(key);
    if (value !== undefined) change(value);
  }
}

const QUERY_WRITES = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
] as const;

/** The paths an update names ($set: {a: 1}, $unset: {b: 1} → a, b; a replacement's own keys). */
function updatedPaths(update: unknown): string[] {
  if (!update || typeof update !== 'object' || Array.isArray(update)) return [];
  const paths: string[] = [];
  for (const [key, value] of Object.entries(update as Record<string, unknown>)) {
    if (key.startsWith('$') && value && typeof value === 'object') paths.push(...Object.keys(value));
    else paths.push(key);
  }
  return paths;
}

/**
 * Mongoose plugin: every write through the model announces the topics, except an update that sets only
 * `ignore`d paths (a last-used time, which no cache relies on). Timestamps are always ignorable.
 */
export function announceChanges(topics: Topic[], opts: { ignore?: string[] } = {}) {
  const ignore = new Set(['updatedAt', 'createdAt', ...(opts.ignore ?? [])]);
  return (schema: Schema): void => {
    const tell = () => announce(...topics);
    for (const op of QUERY_WRITES) {
      schema.post(op, async function (this: mongoose.Query<unknown, unknown>) {
        const update = op.startsWith('delete') || op === 'findOneAndDelete' ? undefined : this.getUpdate();
        const paths = updatedPaths(update);
        if (update && paths.length && paths.every((p) => ignore.has(p))) return;
        await tell();
      });
    }
    schema.post('save', tell);
    schema.post('deleteOne', { document: true, query: false }, tell);
    schema.post('insertMany', tell);
    schema.post('bulkWrite', tell);
  };
}
