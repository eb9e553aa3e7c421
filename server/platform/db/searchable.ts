// Records that appear in search carry a dirty mark and a version, set in the same write that changes them
// (docs/design.md "How data flows" 3). The sync worker indexes dirty records and clears the mark only if the
// version is still the one it indexed, so a change made during indexing is never lost. Deletes are soft
// (deletedAt) so the worker can remove the record from the index.
import { EventEmitter } from 'node:events';
import type { Schema, UpdateQuery } from 'mongoose';

/**
 * Tells this process's search worker that records changed, so it need not wait for its next scan:
 * `{ model, ids }`, or `{ model }` alone when the ids are not known (an updateMany).
 */
export const searchChanges = new EventEmitter<{ change: [{ model: string; ids?: string[] }] }>();
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

  type QueryLike = { model: { modelName: string }; getFilter(): unknown };
  const notify = function (this: QueryLike) {
    const id = idOfFilter(this.getFilter());
    searchChanges.emit('change', { model: this.model.modelName, ...(id ? { ids: [id] } : {}) });
  };
  schema.post('updateOne', notify);
  schema.post('findOneAndUpdate', notify);
  schema.post('updateMany', function (this: QueryLike) {
    searchChanges.emit('change', { model: this.model.modelName });
  });
  schema.post('save', function (this: { _id: unknown; constructor: { modelName: string } }) {
    searchChanges.emit('change', { model: this.constructor.modelName, ids: [String(this._id)] });
  });
  schema.post('insertMany', function (this: { modelName: string }, docs: unknown) {
    const ids = Array.isArray(docs) ? docs.map((d: { _id: unknown }) => String(d._id)) : undefined;
    searchChanges.emit('change', { model: this.modelName, ...(ids ? { ids } : {}) });
  });
}

/** Filter for records that are not soft-deleted. */
export const notDeleted = { deletedAt: null } as const;

/** For writes that bypass middleware (bulkWrite, insertMany of updates): the same mark the hooks set. */
export function withSearchMark<U extends { $set?: Record<string, unknown>; $inc?: Record<string, number> }>(update: U): U {
  return { ...update, $set: { ...update.$set, ...MARK }, $inc: { ...update.$inc, ...BUMP } };
}
