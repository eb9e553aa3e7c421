// FerretDB 1.x on SQLite applies an update as "query the document, then write the modified copy" with no
// transaction around the two (FerretDB issue #3040). Two concurrent updates of one document can both read
// the old version: a compare-and-set passes twice, an $inc is lost, or one field change overwrites another.
// MongoDB applies each single-document update atomically, and the code relies on that.
//
// On FerretDB this process therefore sends its write commands one at a time, at the driver: every module,
// the session store and the search worker alike. SQLite takes one writer at a time anyway, so little is lost.
// Reads stay concurrent. Another process writing to the same embedded database (the CLI while the app runs)
// is not covered by this lock; its writes are imports and seeds of other documents.
//
// FerretDB 1.24 also pushes only a filter on `_id` alone down to SQLite: a compare-and-set such as
// `updateOne({ _id, status: 'pending' }, …)` read and decoded the whole collection (2.2 s for a need at the 10,000
// scale, docs/decisions/ferretdb-write-lock-and-id-lookups.md), holding this lock, and so every other write of the
// process, meanwhile. Under the lock, `updateOne` with such a filter therefore reads the document by `_id`, tests
// the rest of the filter in process (sift, the query matcher mongoose itself uses) and writes by `_id` alone: the
// same outcome, since no other write of this process can come between the read and the write. Deletes keep their
// filter: a lease is freed by a conditional delete, and between processes the database's own check is the
// narrower window.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Collection, type Document, type Filter } from 'mongodb';
import siftModule from 'sift';

const WRITE_METHODS = [
  'insertMany',
  'bulkWrite',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
] as const;

const holding = new AsyncLocalStorage<true>();
let tail: Promise<void> = Promise.resolve();

/** Runs fn when no other write of this process is running; re-entrant (insertMany calls bulkWrite). */
export async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  if (holding.getStore()) return fn();
  const previous = tail;
  let release!: () => void;
  tail = new Promise<void>((resolve) => (release = resolve));
  await previous;
  try {
    return await holding.run(true, fn);
  } finally {
    release();
  }
}

/**
 * Runs fn's writes without waiting for this process's other writes. Only for a document no other write of this
 * process touches meanwhile: a lease's renewal, which must not wait behind the long work done under the lease.
 */
export function outsideWriteQueue<T>(fn: () => PromiseLike<T>): Promise<T> {
  return holding.run(true, async () => await fn()); // awaited inside: a mongoose query only runs when awaited
}

const sift = siftModule.default; // a CommonJS package: its function is `default` of what Node imports

/** options under which a write cannot be narrowed to `_id` (an upsert inserts the filter's fields) */
const WIDE_OPTIONS = ['upsert', 'arrayFilters', 'collation', 'hint', 'let'] as const;

/**
 * The `_id` of a filter that names one document by `_id` and adds conditions on other fields, with a test of those
 * conditions; undefined when the write must go as it is (no other condition, `_id` given by an operator, options
 * or an update that need the whole filter: an upsert, a positional `$`).
 */
export function narrowById(filter: unknown, update?: unknown, options?: Record<string, unknown>): { id: unknown; test: (doc: Document) => boolean } | undefined {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return undefined;
  const { _id: id, ...rest } = filter as Record<string, unknown>;
  if (id === undefined || id === null || !Object.keys(rest).length) return undefined;
  // a plain value: a string, a number or an ObjectId (a bson value has `_bsontype`), not { $in: … }
  if (typeof id === 'object' && !('_bsontype' in id)) return undefined;
  if (options && WIDE_OPTIONS.some((o) => options[o] !== undefined && options[o] !== false)) return undefined;
  if (update !== undefined && (Array.isArray(update) || updatedPaths(update).some(positional))) return undefined;
  try {
    return { id, test: sift(rest as Parameters<typeof sift>[0]) };
  } catch {
    return undefined; // an operator sift does not know: the database judges
  }
}

/** the paths an update sets, pushes, unsets… */
const updatedPaths = (update: unknown) => Object.values(update as Record<string, unknown>).flatMap((fields) => (fields && typeof fields === 'object' ? Object.keys(fields) : []));
/** `a.$.b`, `a.$`, `a.$[]`, `a.$[x]`: positions the filter finds */
const positional = (path: string) => /\.\$(\.|$)/.test(path) || path.includes('$[');

const NOT_MATCHED = { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null } as const;

let installed = false;

export function serializeWrites(): void {
  if (installed) return;
  installed = true;
  const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of WRITE_METHODS) {
    const original = proto[name]!;
    proto[name] = function (this: Collection, ...args: unknown[]) {
      return exclusive(async () => {
        const byId = name === 'updateOne' ? narrowById(args[0], args[1], args[2] as Record<string, unknown> | undefined) : undefined;
        if (!byId) return original.apply(this, args);
        const current = await this.findOne({ _id: byId.id } as Filter<Document>);
        if (!current || !byId.test(current)) return { ...NOT_MATCHED };
        return original.apply(this, [{ _id: byId.id }, ...args.slice(1)]);
      });
    };
  }
}

export const writesSerialized = () => installed;
