// Records that appear in search carry a dirty mark and a version, set in the same write that changes them
// (DESIGN.md "How data flows" 3). The sync worker indexes dirty records and clears the mark only if the
// version is still the one it indexed, so a change made during indexing is never lost. Deletes are soft
// (deletedAt) so the worker can remove the record from the index.
import type { Schema, UpdateQuery } from 'mongoose';

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
}

/** Filter for records that are not soft-deleted. */
export const notDeleted = { deletedAt: null } as const;

/** For writes that bypass middleware (bulkWrite, insertMany of updates): the same mark the hooks set. */
export function withSearchMark<U extends { $set?: Record<string, unknown>; $inc?: Record<string, number> }>(update: U): U {
  return { ...update, $set: { ...update.$set, ...MARK }, $inc: { ...update.$inc, ...BUMP } };
}
