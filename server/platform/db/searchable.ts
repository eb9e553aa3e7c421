// Records that appear in search carry a dirty mark and a version, set in the same write that changes them
// (docs/design.md "How data flows" 3). The sync worker indexes dirty records and clears the mark only if the
// version is still the one it indexed, so a change made during indexing is never lost. Deletes are soft
// (deletedAt) so the worker can remove the record from the index; a hard delete (an import's rollback) is
// reported with the ids it is about to delete.
import { EventEmitter } from 'node:events';
import type { Schema, UpdateQuery } from 'mongoose';
import { currentRequestId } from '../request-id.ts';
import { isQuiet } from './observed.ts';

export interface SearchChange {
  model: string;
  ids?: string[];
  /** the request that wrote, if any (logged when indexing the write fails) */
  requestId?: string | undefined;
  /** written by a bulk load (observed.ts `unobserved`, the seeds): indexed, but no follow-ups */
  quiet?: boolean;
}

/**
 * Tells this process's search worker that records changed, so it need not wait for its next scan:
 * `{ model, ids }`, or `{ model }` alone when the ids are not known (an updateMany).
 */
export const searchChanges = new EventEmitter<{ change: [SearchChange] }>();
searchChanges.setMaxListeners(50);

function idOfFilter(filter: unknown): string | undefined {
  const id = (filter as { _id?: unknown } | null)?._id;
  return typeof id === 'string' || (id && typeof id === 'object' && 'toHexString' in id) ? String(id) : undefined;
}

export interface SearchMark {
  dirty: boolean;
  version: number;
}

const MARK = { 'search.dirty': true };
const BUMP = { 'search.version': 1 };

export function searchable(schema: Schema): void {
  schema.add({
    search: {
      dirty: { type: Boolean, default: true },
      version: { type: Number, default: 1 },
    },
    deletedAt: { type: Date },
  });
  schema.index({ 'search.dirty': 1 });

  schema.pre('save', function () {
    if (!this.isNew && this.isModified()) {
      this.set('search.dirty', true);
      this.set('search.version', ((this.get('search.version') as number | undefined) ?? 0) + 1);
    }
  });

  const markUpdate = function (this: { getUpdate(): UpdateQuery<unknown> | null; setUpdate(u: UpdateQuery<unknown>): void }) {
    const update = this.getUpdate();
    if (!update || Array.isArray(update)) return;
    update.$set = { ...(update.$set as object), ...MARK };
    update.$inc = { ...(update.$inc as object), ...BUMP };
    this.setUpdate(update);
  };
  schema.pre('updateOne', markUpdate);
  schema.pre('updateMany', markUpdate);
  schema.pre('findOneAndUpdate', markUpdate);

  const emit = (model: string, ids?: string[]) =>
    searchChanges.emit('change', { model, ...(ids ? { ids } : {}), requestId: currentRequestId(), ...(isQuiet() ? { quiet: true } : {}) });

  type QueryLike = { model: AnyModelLike; getFilter(): unknown };
  const notify = function (this: QueryLike) {
    const id = idOfFilter(this.getFilter());
    emit(this.model.modelName, id ? [id] : undefined);
  };
  schema.post('updateOne', notify);
  schema.post('findOneAndUpdate', notify);
  schema.post('updateMany', function (this: QueryLike) {
    emit(this.model.modelName);
  });
  schema.post('save', function (this: { _id: unknown; constructor: { modelName: string } }) {
    emit(this.constructor.modelName, [String(this._id)]);
  });
  schema.post('insertMany', function (this: { modelName: string }, docs: unknown) {
    const ids = Array.isArray(docs) ? docs.map((d: { _id: unknown }) => String(d._id)) : undefined;
    emit(this.modelName, ids);
  });

  // Hard deletes leave no mark: the ids are read before the delete and reported after it.
  const deleting = new WeakMap<object, string[]>();
  const collect = async function (this: QueryLike) {
    const id = idOfFilter(this.getFilter());
    const ids = id ? [id] : (await this.model.find(this.getFilter() as never).select('_id').lean<{ _id: unknown }[]>()).map((d) => String(d._id));
    deleting.set(this, ids);
  };
  const reportDeleted = function (this: QueryLike) {
    const ids = deleting.get(this);
    if (ids?.length) emit(this.model.modelName, ids);
  };
  schema.pre('deleteOne', { document: false, query: true }, collect);
  schema.pre('deleteMany', collect);
  schema.post('deleteOne', { document: false, query: true }, reportDeleted);
  schema.post('deleteMany', reportDeleted);

  // bulkWrite (imports) bypasses the update hooks; its callers mark the records (withSearchMark).
  const bulk = new WeakMap<object, { ids: string[]; unknown: boolean }>();
  schema.pre('bulkWrite', function (this: AnyModelLike, ops: unknown[]) {
    const seen = bulk.get(this) ?? { ids: [], unknown: false };
    for (const op of ops as Record<string, { filter?: unknown; document?: { _id?: unknown } }>[]) {
      const [kind, body] = Object.entries(op)[0] ?? [];
      const id = kind === 'insertOne' ? body?.document?._id : idOfFilter(body?.filter);
      if (id) seen.ids.push(String(id));
      else seen.unknown = true;
    }
    bulk.set(this, seen);
  });
  schema.post('bulkWrite', function (this: AnyModelLike) {
    const seen = bulk.get(this);
    bulk.delete(this);
    if (seen?.ids.length) emit(this.modelName, seen.ids);
    if (seen?.unknown) emit(this.modelName);
  });
}

interface AnyModelLike {
  modelName: string;
  find(filter: never): { select(s: string): { lean<T>(): Promise<T> } };
}

/** Filter for records that are not soft-deleted. */
export const notDeleted = { deletedAt: null } as const;

/** For writes that bypass middleware (bulkWrite, insertMany of updates): the same mark the hooks set. */
export function withSearchMark<U extends { $set?: Record<string, unknown>; $inc?: Record<string, number> }>(update: U): U {
  return { ...update, $set: { ...update.$set, ...MARK }, $inc: { ...update.$inc, ...BUMP } };
}
