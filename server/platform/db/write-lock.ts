// FerretDB 1.x on SQLite applies an update as "query the document, then write the modified copy" with no
// transaction around the two (FerretDB issue #3040). Two concurrent updates of one document can both read
// the old version: a compare-and-set passes twice, an $inc is lost, or one field change overwrites another.
// MongoDB applies each single-document update atomically, and the code relies on that.
//
// On FerretDB this process therefore sends its write commands one at a time, at the driver: every module,
// the session store and the search worker alike. SQLite takes one writer at a time anyway, so little is lost.
// Reads stay concurrent. Another process writing to the same embedded database (the CLI while the app runs)
// is not covered by this lock; its writes are imports and seeds of other documents.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Collection } from 'mongodb';

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

let installed = false;

export function serializeWrites(): void {
  if (installed) return;
  installed = true;
  const proto = Collection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of WRITE_METHODS) {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      return exclusive(() => original.apply(this, args));
    };
  }
}

export const writesSerialized = () => installed;
