// A record by id that is not soft-deleted. On FerretDB only a pure `_id` filter is pushed down to SQLite;
// `{ _id, deletedAt: null }` would scan the whole collection, so the deleted check happens here instead.
import mongoose from 'mongoose';

interface ById {
  findById(id: string): { lean(): PromiseLike<unknown> };
}

export async function findLive<T extends { deletedAt?: Date | null }>(model: ById, id: string | null | undefined): Promise<T | null> {
  if (!id || !mongoose.isValidObjectId(id)) return null;
  const doc = (await model.findById(id).lean()) as T | null;
  return doc && !doc.deletedAt ? doc : null;
}
