// Write observers: a model with the `observed` plugin tells the registered observers which of its records
// a write touched, after the write and before the write call returns (the observers are awaited), whatever
// the write method: save, updateOne/updateMany, findOneAndUpdate, deleteOne/deleteMany, insertMany,
// bulkWrite. An observer that needs the records reads them again by id, so it sees the stored state.
// Writes through `Model.collection` bypass mongoose and are not observed; whoever does that (the demo seed)
// rebuilds what the observers maintain.
//
// The platform knows nothing of the observers: modules register them (targets/tallies.ts keeps the target
// figures' running totals this way). An observer's failure never fails the write that already happened: the
// observer records it and repairs itself (see its own module).
import { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, { type Schema } from 'mongoose';

/** `inserted`: the documents of an insertMany, as written (an observer may count them without reading them back). */
export type Observer = (ids: string[], inserted?: object[]) => Promise<void>;

const observers = new Map<string, Observer[]>();

/** Calls `observer` with the ids of the records of `modelName` after each write that touched them. */
export function observe(modelName: string, observer: Observer): void {
  observers.set(modelName, [...(observers.get(modelName) ?? []), observer]);
}

const quiet = new AsyncLocalStorage<true>();

/**
 * Runs a bulk load without telling the observers (one notification per record would cost more than the load);
 * the caller then rebuilds what they maintain.
 */
export async function unobserved<T>(fn: () => PromiseLike<T>): Promise<T> {
  // Awaited inside the context: a mongoose query is a thenable that runs only when awaited.
  const result = await quiet.run(true, async () => await fn());
  for (const hook of quietHooks) await hook();
  return result;
}

/** Whether the caller runs inside `unobserved` (other per-write work may then wait for its end too). */
export const isQuiet = (): boolean => quiet.getStore() === true;

const quietHooks: (() => Promise<void>)[] = [];

/** Work deferred while a bulk load ran unobserved, done once when it ends (platform/db/shared-cache.ts). */
export function whenQuietEnds(hook: () => Promise<void>): void {
  quietHooks.push(hook);
}

async function notify(modelName: string, ids: string[], inserted?: object[]): Promise<void> {
  if (quiet.getStore()) return;
  const list = observers.get(modelName);
  if (!list || !ids.length) return;
  for (const observer of list) await observer([...new Set(ids)], inserted);
}

type AnyFilter = Record<string, unknown> | null | undefined;

function idOf(filter: AnyFilter): string | undefined {
  const id = filter?._id;
  return typeof id === 'string' || (id && typeof id === 'object' && 'toHexString' in id) ? String(id) : undefined;
}

interface ObservedQuery {
  model: { modelName: string; find(filter: object): { select(f: string): { lean(): Promise<{ _id: unknown }[]> } } };
  getFilter(): AnyFilter;
  _observedIds?: string[];
}

/** The ids a query's filter selects, read before the write (afterwards they may no longer match). */
async function idsBefore(this: ObservedQuery): Promise<void> {
  if (!observers.has(this.model.modelName) || quiet.getStore()) return;
  const filter = this.getFilter();
  const id = idOf(filter);
  this._observedIds = id ? [id] : (await this.model.find(filter ?? {}).select('_id').lean()).map((d) => String(d._id));
}

async function afterQuery(this: ObservedQuery): Promise<void> {
  await notify(this.model.modelName, this._observedIds ?? []);
}

interface BulkOp {
  insertOne?: { document: { _id?: unknown } };
  updateOne?: { filter: AnyFilter };
  updateMany?: { filter: AnyFilter };
  replaceOne?: { filter: AnyFilter };
  deleteOne?: { filter: AnyFilter };
  deleteMany?: { filter: AnyFilter };
}

export function observed(schema: Schema): void {
  const queries = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete', 'findOneAndReplace'] as const;
  for (const op of queries) {
    schema.pre(op, idsBefore);
    schema.post(op, afterQuery);
  }
  schema.post('save', async function (this: { _id: unknown; constructor: { modelName: string } }) {
    await notify(this.constructor.modelName, [String(this._id)]);
  });
  schema.post('insertMany', async function (this: { modelName: string }, docs: unknown) {
    if (!Array.isArray(docs)) return;
    const plain = docs.map((d: { toObject?: () => object }) => (typeof d.toObject === 'function' ? d.toObject() : d) as { _id: unknown });
    await notify(this.modelName, plain.map((d) => String(d._id)), plain);
  });
  // bulkWrite's post hook is not given the operations, so the model's bulkWrite is wrapped instead.
  schema.static('bulkWrite', async function (this: ObservedQuery['model'] & { modelName: string }, ops: BulkOp[], options?: object) {
    const ids = observers.has(this.modelName) && !quiet.getStore() ? await idsOfBulk(this, ops) : [];
    const res: unknown = await mongoose.Model.bulkWrite.call(this, ops as never, options as never);
    await notify(this.modelName, ids);
    return res;
  });
}

async function idsOfBulk(model: ObservedQuery['model'], ops: BulkOp[]): Promise<string[]> {
  const ids: string[] = [];
  for (const op of ops) {
    if (op.insertOne) {
      if (op.insertOne.document._id) ids.push(String(op.insertOne.document._id));
      continue;
    }
    const filter = (op.updateOne ?? op.updateMany ?? op.replaceOne ?? op.deleteOne ?? op.deleteMany)?.filter;
    const id = idOf(filter);
    if (id) ids.push(id);
    else ids.push(...(await model.find(filter ?? {}).select('_id').lean()).map((d) => String(d._id)));
  }
  return ids;
}
