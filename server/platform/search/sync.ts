// Keeps the search index in step with the database (docs/design.md "How data flows" 3–5). The database is the
// truth; the index may lag, never lose:
//   - writes in this process are indexed at once (the searchable plugin reports them): the worker reads each
//     record, indexes it, appends its id to the change log (changes.ts), then clears its mark if the record is
//     still at the version it read (compare-and-clear: a newer write keeps its mark). No whole-index read;
//   - every instance on the embedded engine polls the change log (one `_id` lookup a second) and indexes what
//     the other instances wrote, within seconds;
//   - a process that writes without indexing (the command line) appends what it wrote to the change log too
//     (ChangeReporter), so the instances index it within seconds as well;
//   - a scan for dirty marks picks up writes nobody reported (an instance or a command that died before it got
//     to them, a write through the driver), on an interval that grows with the scan's own cost; what it indexes
//     goes to the change log as well. On FerretDB every query but an _id lookup scans: a scan of the 10,000-scale
//     database takes FerretDB about 1.3 cores for 3 s, which is why, with the embedded engine (every instance
//     follows the log), scans are a safety net at most every minute (1 % of the time);
//   - reconciliation compares the index with the database and removes what the database no longer has,
//     adds what is missing and refreshes what is stale (at once when this instance missed part of the log);
//   - when the engine fails, work waits and is retried with backoff, logged with the ids of the requests whose
//     writes wait; nothing in the database changes.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { searchChanges, type SearchChange } from '../db/searchable.ts';
import { keyOf, type DocKind, type SearchDoc, type SearchIndex } from './port.ts';
import { pendingReindex, reindexDone, reindexStarted } from './control.ts';
import * as changeLog from './changes.ts';
import type { AnyModel } from '../db/page.ts';

export interface SearchSource {
  kind: DocKind;
  model: AnyModel;
  toDoc(doc: never): SearchDoc;
}

interface StoredDoc {
  _id: { toString(): string };
  deletedAt?: Date | null;
  search?: { dirty?: boolean; version?: number };
}

export interface SyncOptions {
  /** shortest and longest pause between dirty scans */
  scanInterval?: { min: number; max: number };
  reconcileInterval?: { min: number; max: number };
  /** marks cleared per pass when they were left behind (FerretDB: one _id read and write each) */
  clearBudget?: number;
  /** pause between two reads of the change log (other instances' writes) */
  pollInterval?: number;
}

const BATCH = 500;
/** how long a number missing from the change log is waited for before reconciliation stands in for it */
const GAP_GRACE_MS = 15_000;

/** ids by model name, with the requests that wrote them (for the log when indexing them fails) */
class Pending {
  readonly ids = new Map<string, Set<string>>();
  readonly requests = new Map<string, string>(); // model:id → request id
  add(model: string, ids: Iterable<string>, requestId?: string): void {
    const set = this.ids.get(model) ?? new Set();
    for (const id of ids) {
      set.add(id);
      if (requestId) this.requests.set(`${model}:${id}`, requestId);
    }
    this.ids.set(model, set);
  }
  /** Takes up to `n` ids of a model out (a write arriving meanwhile adds its id again). */
  take(model: string, n: number): string[] {
    const set = this.ids.get(model);
    if (!set) return [];
    const out: string[] = [];
    for (const id of set) {
      if (out.length >= n) break;
      out.push(id);
    }
    for (const id of out) set.delete(id);
    if (!set.size) this.ids.delete(model);
    return out;
  }
  done(model: string, ids: string[]): void {
    for (const id of ids) if (!this.ids.get(model)?.has(id)) this.requests.delete(`${model}:${id}`);
  }
  requestIds(): string[] {
    return [...new Set(this.requests.values())].slice(0, 20);
  }
  get size(): number {
    let n = 0;
    for (const set of this.ids.values()) n += set.size;
    return n;
  }
}

export class SearchSync {
  private readonly byModel = new Map<string, SearchSource>();
  /** what this process wrote: indexed, published to the change log, marks cleared */
  private readonly queued = new Pending();
  /** what other instances wrote (from the change log): indexed only */
  private readonly remote = new Pending();
  private readonly rescan = new Set<string>(); // models with unknown changed ids
  /** records indexed (and published) at this version whose mark is still to be cleared (clear budget) */
  private readonly uncleared = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private nextScanAt = 0;
  private nextReconcileAt = 0;
  /** this worker's name in the change log */
  readonly origin = randomUUID();
  /** the last change-log entry read, and numbers missing below it (first seen at) */
  private lastSeq = 0;
  private readonly gaps = new Map<number, number>();
  private headBehindSince: number | undefined;
  private listener = (change: SearchChange) => this.enqueue(change);
  private readonly indexedListeners: ((kind: DocKind, ids: string[]) => void)[] = [];
  /** `model:id` of records last written by a bulk load: indexed, but not passed to the onIndexed listeners */
  private readonly quiet = new Set<string>();
  /** writes this process reported, and how many of the first of them are in the index (ownWritesIndexed) */
  private reported = 0;
  private indexedThrough = 0;
  private readonly waiters = new Set<{ upTo: number; resolve: () => void }>();
  /** what the last pass left to do: records not yet in the index or not yet cleared */
  backlog = 0;
  lastError: string | undefined;
  private readonly scan: { min: number; max: number };
  private readonly reconcileEvery: { min: number; max: number };
  /** the pause after a dirty scan or a reconciliation, as a multiple of the time it took */
  private readonly scanShare: number;
  private readonly reconcileShare: number;
  private readonly clearBudget: number;
  private readonly pollInterval: number;

  constructor(
    readonly index: SearchIndex,
    sources: SearchSource[],
    private readonly logger: Logger,
    opts: SyncOptions = {},
  ) {
    for (const s of sources) this.byModel.set(s.model.modelName, s);
    // Following the change log, the scans only catch what nobody reported (see the top of this file).
    const follows = index.engine === 'embedded';
    this.scan = opts.scanInterval ?? (follows ? { min: 60_000, max: 3_600_000 } : { min: 5_000, max: 600_000 });
    this.scanShare = follows ? 100 : 20;
    this.reconcileEvery = opts.reconcileInterval ?? { min: 60_000, max: 3_600_000 };
    this.reconcileShare = follows ? 200 : 50;
    this.clearBudget = opts.clearBudget ?? 500;
    this.pollInterval = opts.pollInterval ?? 1_000;
  }

  /**
   * Called with the ids of live records this process wrote, once they are in the index (not for what other
   * instances wrote, nor for rebuilds, nor for a bulk load's writes — the seeds run `unobserved`): the place for
   * follow-ups that read the index, such as announcing matches. A listener must not throw; it does its own work
   * in the background.
   */
  onIndexed(listener: (kind: DocKind, ids: string[]) => void): void {
    this.indexedListeners.push(listener);
  }

  /** An engine shared by all instances (Meilisearch) already holds what another instance indexed. */
  private get follows(): boolean {
    return this.index.engine === 'embedded';
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  /** Builds the embedded index from the database (or checks a persistent one), then keeps it in step. */
  async start(): Promise<void> {
    this.stopped = false;
    searchChanges.on('change', this.listener);
    const started = performance.now();
    if (this.index.engine === 'embedded') {
      // Entries written from now on may postdate what the build reads: they are applied after it.
      this.lastSeq = await changeLog.head();
      const { documents } = await this.index.rebuild(() => this.allDocs());
      this.logger.info({ documents, ms: performance.now() - started }, 'search index built');
      this.nextScanAt = performance.now() + this.scan.min;
      this.nextReconcileAt = performance.now() + this.reconcileEvery.min;
    } else {
      // A persistent engine already holds last run's index: reconcile it now rather than rebuild.
      this.nextScanAt = 0;
      this.nextReconcileAt = 0;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.waiters]) w.resolve();
    searchChanges.off('change', this.listener);
    clearTimeout(this.timer);
    clearTimeout(this.flushTimer);
    await this.running?.catch(() => {});
  }

  rebuilding = false;

  /** Rebuilds the whole index beside the live one and swaps it in (searches keep answering). */
  async reindex(): Promise<{ documents: number; ms: number }> {
    const started = performance.now();
    this.rebuilding = true;
    try {
      const { documents } = await this.index.rebuild(() => this.allDocs());
      this.logger.info({ documents }, 'search index rebuilt');
      return { documents, ms: performance.now() - started };
    } finally {
      this.rebuilding = false;
    }
  }

  /** Starts a rebuild in the background; false when one is already running. */
  startReindex(logger: Logger = this.logger): boolean {
    if (this.rebuilding) return false;
    this.reindex().catch((err: unknown) => logger.error({ err }, 'search index rebuild failed'));
    return true;
  }

  /** Runs a full pass now (dirty scan and reconciliation included) and waits for it. */
  async catchUp(): Promise<void> {
    await this.running?.catch(() => {});
    this.nextScanAt = 0;
    this.nextReconcileAt = 0;
    this.run();
    await this.running;
  }

  /**
   * Resolves once the index holds what this process wrote before the call — a page that lists from the index right
   * after its own user's write shows it — or after `ms`, when the engine is slow or away: the caller then answers
   * from the index as it stands. Immediate when nothing of this process's is waiting.
   */
  ownWritesIndexed(ms = 2_000): Promise<void> {
    const upTo = this.reported;
    if (this.indexedThrough >= upTo || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        upTo,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.resolve, ms);
      this.waiters.add(waiter);
    });
  }

  private markIndexed(upTo: number): void {
    if (upTo <= this.indexedThrough) return;
    this.indexedThrough = upTo;
    for (const w of [...this.waiters]) if (w.upTo <= upTo) w.resolve();
  }

  // ---- the loop ------------------------------------------------------------------------------------------

  private enqueue(change: SearchChange): void {
    if (!this.byModel.has(change.model)) return;
    this.reported++;
    if (change.ids) {
      this.queued.add(change.model, change.ids, change.requestId);
      for (const id of change.ids) {
        if (change.quiet) this.quiet.add(`${change.model}:${id}`);
        else this.quiet.delete(`${change.model}:${id}`);
      }
    }
    else this.rescan.add(change.model);
    if (!this.stopped && !this.flushTimer) {
      // Collect a burst of writes (an import) into one pass.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.schedule(0);
      }, 50);
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  /** Starts a pass unless one is running (then another follows it). */
  private run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      }
    });
  }

  private async pass(): Promise<void> {
    let delay: number;
    // writes reported before this pass are in the index after it (ids at its flush, the others at its scan)
    const upTo = this.reported;
    const unknownIds = this.rescan.size > 0;
    try {
      await this.flushQueued();
      if (!unknownIds) this.markIndexed(upTo);
      if (this.follows) await this.follow();
      if (!this.rebuilding && (await pendingReindex())) {
        // Another process (the CLI) asked for a rebuild of this process's index.
        await reindexStarted();
        const outcome = await this.reindex().then(
          (r) => ({ documents: r.documents }),
          (err: Error) => ({ error: err.message }),
        );
        await reindexDone(outcome);
      }
      const now = performance.now();
      if (now >= this.nextScanAt || this.rescan.size) {
        const ms = await this.dirtyScan();
        this.nextScanAt = performance.now() + clamp(ms * this.scanShare, this.scan.min, this.scan.max);
      }
      this.markIndexed(upTo);
      if (now >= this.nextReconcileAt) {
        const ms = await this.reconcile();
        this.nextReconcileAt = performance.now() + clamp(ms * this.reconcileShare, this.reconcileEvery.min, this.reconcileEvery.max);
      }
      this.failures = 0;
      this.lastError = undefined;
      // Scans keep their own (possibly long) schedule; a pass itself is cheap (the change log's head is one _id
      // read), so other instances' writes and requests from other processes (a reindex) are seen within seconds.
      delay = Math.min(this.pollInterval, Math.max(50, Math.min(this.nextScanAt, this.nextReconcileAt) - performance.now()));
      if (this.queued.size || this.remote.size) delay = 0;
    } catch (err) {
      // The engine (or the database) is away: keep everything and try again later.
      this.failures++;
      this.lastError = (err as Error).message;
      delay = Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
      const requestIds = [...this.queued.requestIds(), ...this.remote.requestIds()];
      this.logger.warn(
        { err, retryInMs: delay, waiting: this.queued.size + this.remote.size, ...(requestIds.length ? { requestIds } : {}) },
        'search sync failed; will retry',
      );
    }
    this.schedule(delay);
  }

  /** Indexes the records this process just wrote, tells the other instances, and clears their marks. */
  private async flushQueued(): Promise<void> {
    for (const modelName of [...this.queued.ids.keys()]) {
      const source = this.byModel.get(modelName)!;
      for (let chunk = this.queued.take(modelName, BATCH); chunk.length; chunk = this.queued.take(modelName, BATCH)) {
        try {
          const docs = await this.read(source, chunk);
          await this.put(source, chunk, docs);
          await changeLog.append(modelName, chunk, this.origin);
          for (const d of docs) if (d?.search?.dirty) await clearMark(source.model, d._id, d.search.version ?? 0);
          const bulk = new Set(chunk.filter((id) => this.quiet.delete(`${modelName}:${id}`)));
          const told = docs.filter((d): d is StoredDoc => !!d && !d.deletedAt).map((d) => String(d._id)).filter((id) => !bulk.has(id));
          if (told.length) for (const listener of this.indexedListeners) listener(source.kind, told);
        } catch (err) {
          this.queued.add(modelName, chunk);
          throw err;
        }
        this.queued.done(modelName, chunk);
      }
    }
  }

  /** Reads the change log past the last entry seen and indexes what other instances wrote. */
  private async follow(): Promise<void> {
    const head = await changeLog.head();
    if (head < this.lastSeq) {
      // Behind what was read: an $inc lost between two processes (the next draw moves it on), or the log was
      // started over. Still so after a while: start over too, and let reconciliation find what it said.
      this.headBehindSince ??= performance.now();
      if (performance.now() - this.headBehindSince < GAP_GRACE_MS) return;
      this.logger.warn({ head, last: this.lastSeq }, 'search change log started over; reconciling');
      this.lastSeq = head;
      this.gaps.clear();
      this.nextReconcileAt = 0;
    }
    this.headBehindSince = undefined;
    if (head - this.lastSeq > changeLog.KEEP) {
      this.logger.warn({ behind: head - this.lastSeq }, 'search change log: this instance fell behind; reconciling');
      this.lastSeq = head;
      this.gaps.clear();
      this.nextReconcileAt = 0;
    }
    if (head === this.lastSeq && !this.gaps.size) return;
    const now = performance.now();
    const found = await changeLog.read(this.lastSeq + 1, head);
    for (let seq = this.lastSeq + 1; seq <= head; seq++) if (!found.has(seq)) this.gaps.set(seq, now);
    this.lastSeq = head;
    // Numbers missing since an earlier pass: written since by a slower process?
    const waited = [...this.gaps].filter(([, since]) => since < now).map(([seq]) => seq);
    if (waited.length) for (const [seq, e] of await changeLog.readSome(waited)) found.set(seq, e);
    for (const [seq, since] of [...this.gaps]) {
      if (found.has(seq)) this.gaps.delete(seq);
      else if (now - since > GAP_GRACE_MS) {
        // Drawn and never written (a process died in between), or trimmed before this instance read it.
        this.gaps.delete(seq);
        this.nextReconcileAt = 0;
        this.logger.warn({ seq }, 'search change log: an entry never came; reconciling');
      }
    }
    for (const e of found.values()) {
      if (e.origin === this.origin || !this.byModel.has(e.model)) continue;
      if (e.ids.length) this.remote.add(e.model, e.ids);
      else this.rescan.add(e.model); // a write whose records the writer could not name (an updateMany)
    }
    for (const modelName of [...this.remote.ids.keys()]) {
      const source = this.byModel.get(modelName)!;
      for (let chunk = this.remote.take(modelName, BATCH); chunk.length; chunk = this.remote.take(modelName, BATCH)) {
        try {
          await this.put(source, chunk, await this.read(source, chunk));
        } catch (err) {
          this.remote.add(modelName, chunk);
          throw err;
        }
      }
    }
  }

  /** The records as stored now; null for one that is gone (or an id that cannot be one: nothing to index). */
  private read(source: SearchSource, ids: string[]): Promise<(StoredDoc | null)[]> {
    return Promise.all(
      ids.map((id) =>
        source.model
          .findById(id)
          .lean<StoredDoc>()
          .catch((err: Error) => {
            if (err.name === 'CastError') return null;
            throw err;
          }),
      ),
    );
  }

  /** Puts the records read for `ids` in the index, or takes them out (missing or soft-deleted). */
  private async put(source: SearchSource, ids: string[], docs: (StoredDoc | null)[]): Promise<void> {
    const gone = ids.filter((_, j) => !docs[j] || docs[j]!.deletedAt);
    const live = docs.filter((d): d is StoredDoc => !!d && !d.deletedAt);
    await this.apply(source, live, gone);
  }

  /**
   * Finds records marked dirty (by any process), indexes them, tells the other instances, and clears the marks
   * (at most the clear budget a pass; those left are not indexed again while their version stays).
   */
  private async dirtyScan(): Promise<number> {
    const started = performance.now();
    this.rescan.clear();
    let backlog = 0;
    for (const source of this.byModel.values()) {
      const dirty = await source.model.find({ 'search.dirty': true }).lean<StoredDoc[]>();
      const keyOfDoc = (d: StoredDoc) => keyOf({ kind: source.kind, id: String(d._id) });
      const keys = new Set(dirty.map(keyOfDoc));
      for (const key of [...this.uncleared.keys()]) if (key.startsWith(`${source.kind}:`) && !keys.has(key)) this.uncleared.delete(key);
      const fresh = dirty.filter((d) => this.uncleared.get(keyOfDoc(d)) !== (d.search?.version ?? 0));
      for (let i = 0; i < fresh.length; i += BATCH) {
        const chunk = fresh.slice(i, i + BATCH);
        const ids = chunk.map((d) => String(d._id));
        await this.put(source, ids, chunk);
        await changeLog.append(source.model.modelName, ids, this.origin);
      }
      let cleared = 0;
      for (const d of dirty) {
        const version = d.search?.version ?? 0;
        if (cleared >= this.clearBudget) {
          this.uncleared.set(keyOfDoc(d), version);
          backlog++;
          continue;
        }
        await clearMark(source.model, d._id, version);
        this.uncleared.delete(keyOfDoc(d));
        cleared++;
      }
    }
    this.backlog = backlog;
    return performance.now() - started;
  }

  /** The index holds exactly the live records, each at its current version. */
  private async reconcile(): Promise<number> {
    const started = performance.now();
    const versions = await this.index.versions();
    const seen = new Set<string>();
    for (const source of this.byModel.values()) {
      const stored = await source.model.find({}).select('_id deletedAt search').lean<StoredDoc[]>();
      const missing: string[] = [];
      const gone: string[] = [];
      for (const d of stored) {
        const key = keyOf({ kind: source.kind, id: String(d._id) });
        if (d.deletedAt) {
          if (versions.has(key)) gone.push(String(d._id));
          continue;
        }
        seen.add(key);
        if (versions.get(key) !== (d.search?.version ?? 0)) missing.push(String(d._id));
      }
      for (let i = 0; i < missing.length; i += BATCH) {
        const docs = await this.read(source, missing.slice(i, i + BATCH));
        await this.apply(source, docs.filter((d): d is StoredDoc => !!d && !d.deletedAt), []);
      }
      if (gone.length) await this.index.remove(gone.map((id) => ({ kind: source.kind, id })));
    }
    // Records deleted from the database behind the app's back.
    const orphans = [...versions.keys()].filter((k) => !seen.has(k) && this.ownsKey(k));
    if (orphans.length) {
      await this.index.remove(orphans.map((k) => ({ kind: k.split(':')[0] as DocKind, id: k.split(':')[1]! })));
      this.logger.info({ removed: orphans.length }, 'reconciliation removed records the database no longer has');
    }
    return performance.now() - started;
  }

  private ownsKey(key: string): boolean {
    const kind = key.split(':')[0];
    return [...this.byModel.values()].some((s) => s.kind === kind);
  }

  private async apply(source: SearchSource, live: StoredDoc[], goneIds: string[]): Promise<void> {
    if (live.length) await this.index.upsert(live.map((d) => source.toDoc(d as never)));
    if (goneIds.length) await this.index.remove(goneIds.map((id) => ({ kind: source.kind, id })));
  }

  private async *allDocs(): AsyncIterable<SearchDoc[]> {
    for (const source of this.byModel.values()) {
      const cursor = source.model.find({ deletedAt: null }).lean().cursor({ batchSize: 1000 });
      let batch: SearchDoc[] = [];
      for await (const doc of cursor) {
        batch.push(source.toDoc(doc as never));
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    }
  }
}

/**
 * Clears a dirty mark if the record is still at `version` (compare-and-set; on FerretDB it is read and written by
 * `_id` under the process's write lock, server/platform/db/write-lock.ts).
 */
export async function clearMark(model: AnyModel, id: { toString(): string }, version: number): Promise<void> {
  await model.collection.updateOne({ _id: id as never, 'search.version': version, 'search.dirty': true }, { $set: { 'search.dirty': false } });
}

function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}

/**
 * For a process that writes searchable records but keeps no index (the command line): appends every write it
 * reports to the change log, as an instance's worker does once it has indexed it, so the instances index the
 * records within seconds instead of at their next dirty scan. A write whose ids are not known (an updateMany)
 * goes in without ids: the instances scan that model for marks. Nothing here clears marks; the next scan does.
 */
export class ChangeReporter {
  readonly origin = `reporter-${randomUUID()}`;
  private tail: Promise<void> = Promise.resolve();
  private readonly listener = (change: SearchChange) => {
    this.tail = this.tail.then(() =>
      changeLog.append(change.model, change.ids ?? [], this.origin).then(
        () => undefined,
        // The marks are in the database: a dirty scan finds the records all the same, later.
        (err: unknown) => this.logger.warn({ err, model: change.model }, 'could not tell the instances of a write; their next scan will find it'),
      ),
    );
  };

  constructor(private readonly logger: Logger) {
    searchChanges.on('change', this.listener);
  }

  /** Stops listening once every write reported so far is in the log. */
  async close(): Promise<void> {
    searchChanges.off('change', this.listener);
    await this.tail;
  }
}
