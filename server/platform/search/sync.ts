// Keeps the search index in step with the database (docs/design.md "How data flows" 3–5). The database is the
// truth; the index may lag, never lose:
//   - writes in this process are indexed at once (the searchable plugin reports them);
//   - a scan for dirty marks picks up writes from other processes (the CLI, other instances), on an
//     interval that grows with the scan's own cost (on FerretDB every query but an _id lookup scans);
//   - reconciliation compares the index with the database and removes what the database no longer has,
//     adds what is missing and refreshes what is stale;
//   - a mark is cleared only if the record still has the version that was indexed;
//   - when the engine fails, work waits and is retried with backoff; nothing in the database changes.
import type { Logger } from '../logger.ts';
import { exclusive, writesSerialized } from '../db/write-lock.ts';
import { searchChanges } from '../db/searchable.ts';
import { keyOf, type DocKind, type SearchDoc, type SearchIndex } from './port.ts';
import { pendingReindex, reindexDone, reindexStarted } from './control.ts';
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
}

const BATCH = 500;

export class SearchSync {
  private readonly byModel = new Map<string, SearchSource>();
  private readonly queued = new Map<string, Set<string>>(); // model → ids
  private readonly rescan = new Set<string>(); // models with unknown changed ids
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  private nextScanAt = 0;
  private nextReconcileAt = 0;
  private listener = (change: { model: string; ids?: string[] }) => this.enqueue(change);
  /** what the last pass left to do: records not yet in the index or not yet cleared */
  backlog = 0;
  lastError: string | undefined;
  private readonly scan: { min: number; max: number };
  private readonly reconcileEvery: { min: number; max: number };
  private readonly clearBudget: number;

  constructor(
    readonly index: SearchIndex,
    sources: SearchSource[],
    private readonly logger: Logger,
    opts: SyncOptions = {},
  ) {
    for (const s of sources) this.byModel.set(s.model.modelName, s);
    this.scan = opts.scanInterval ?? { min: 5_000, max: 600_000 };
    this.reconcileEvery = opts.reconcileInterval ?? { min: 60_000, max: 3_600_000 };
    this.clearBudget = opts.clearBudget ?? 500;
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------

  /** Builds the embedded index from the database (or checks a persistent one), then keeps it in step. */
  async start(): Promise<void> {
    this.stopped = false;
    searchChanges.on('change', this.listener);
    const started = performance.now();
    if (this.index.engine === 'embedded') {
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

  // ---- the loop ------------------------------------------------------------------------------------------

  private enqueue(change: { model: string; ids?: string[] }): void {
    if (!this.byModel.has(change.model)) return;
    if (change.ids) {
      const set = this.queued.get(change.model) ?? new Set();
      for (const id of change.ids) set.add(id);
      this.queued.set(change.model, set);
    } else this.rescan.add(change.model);
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
    try {
      await this.flushQueued();
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
        this.nextScanAt = performance.now() + clamp(ms * 20, this.scan.min, this.scan.max);
      }
      if (now >= this.nextReconcileAt) {
        const ms = await this.reconcile();
        this.nextReconcileAt = performance.now() + clamp(ms * 50, this.reconcileEvery.min, this.reconcileEvery.max);
      }
      this.failures = 0;
      this.lastError = undefined;
      // Scans keep their own (possibly long) schedule; a pass itself is cheap, so requests from other
      // processes (a reindex) are seen within seconds.
      delay = Math.min(5_000, Math.max(50, Math.min(this.nextScanAt, this.nextReconcileAt) - performance.now()));
      if (this.queued.size) delay = 0;
    } catch (err) {
      // The engine (or the database) is away: keep everything and try again later.
      this.failures++;
      this.lastError = (err as Error).message;
      delay = Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
      this.logger.warn({ err, retryInMs: delay }, 'search sync failed; will retry');
    }
    this.schedule(delay);
  }

  /** Indexes the records this process just wrote. */
  private async flushQueued(): Promise<void> {
    const done: [SearchSource, StoredDoc[]][] = [];
    for (const [modelName, ids] of [...this.queued]) {
      const source = this.byModel.get(modelName)!;
      const list = [...ids];
      for (let i = 0; i < list.length; i += BATCH) {
        const chunk = list.slice(i, i + BATCH);
        const docs = await Promise.all(chunk.map((id) => source.model.findById(id).lean<StoredDoc>()));
        const gone = chunk.filter((_, j) => !docs[j] || docs[j]!.deletedAt);
        const live = docs.filter((d): d is StoredDoc => !!d && !d.deletedAt);
        await this.apply(source, live, gone);
        for (const id of chunk) ids.delete(id);
        done.push([source, docs.filter((d): d is StoredDoc => !!d?.search?.dirty)]);
      }
      if (!ids.size) this.queued.delete(modelName);
    }
    if (!done.length) return;
    const versions = await this.index.versions();
    for (const [source, docs] of done) await this.clearMarks(source, docs, versions, Infinity);
  }

  /** Finds records marked dirty (by any process) and indexes those the index does not have yet. */
  private async dirtyScan(): Promise<number> {
    const started = performance.now();
    this.rescan.clear();
    let versions = await this.index.versions();
    let backlog = 0;
    for (const source of this.byModel.values()) {
      const dirty = await source.model.find({ 'search.dirty': true }).lean<StoredDoc[]>();
      const stale = dirty.filter((d) => d.deletedAt || versions.get(keyOf({ kind: source.kind, id: String(d._id) })) !== (d.search?.version ?? 0));
      for (let i = 0; i < stale.length; i += BATCH) {
        const chunk = stale.slice(i, i + BATCH);
        await this.apply(
          source,
          chunk.filter((d) => !d.deletedAt),
          chunk.filter((d) => d.deletedAt).map((d) => String(d._id)),
        );
      }
      if (stale.length) versions = await this.index.versions();
      const left = await this.clearMarks(source, dirty, versions, this.clearBudget);
      backlog += left;
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
        const docs = await Promise.all(missing.slice(i, i + BATCH).map((id) => source.model.findById(id).lean<StoredDoc>()));
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

  /**
   * Clears the marks of records whose indexed version is still their current one, at most `budget` of
   * them; returns how many marks are left. Writes go through the driver collection so that the searchable
   * plugin does not mark the record again.
   */
  private async clearMarks(source: SearchSource, docs: StoredDoc[], versions: Map<string, number>, budget: number): Promise<number> {
    let cleared = 0;
    let left = 0;
    for (const d of docs) {
      const key = keyOf({ kind: source.kind, id: String(d._id) });
      const version = d.search?.version ?? 0;
      const indexed = d.deletedAt ? !versions.has(key) : versions.get(key) === version;
      if (!indexed) {
        left++;
        continue;
      }
      if (cleared >= budget) {
        left++;
        continue;
      }
      await clearMark(source.model, d._id, version);
      cleared++;
    }
    return left;
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

/** Clears a dirty mark if the record is still at `version` (compare-and-set; see write-lock.ts on FerretDB). */
export async function clearMark(model: AnyModel, id: { toString(): string }, version: number): Promise<void> {
  const collection = model.collection;
  if (!writesSerialized()) {
    await collection.updateOne({ _id: id as never, 'search.version': version }, { $set: { 'search.dirty': false } });
    return;
  }
  // FerretDB: an _id-only read and write under the process's write lock (a compound filter would scan).
  await exclusive(async () => {
    const current = await collection.findOne({ _id: id as never }, { projection: { search: 1 } });
    if (current?.search?.version === version && current.search.dirty) {
      await collection.updateOne({ _id: id as never }, { $set: { 'search.dirty': false } });
    }
  });
}

function clamp(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, v));
}
