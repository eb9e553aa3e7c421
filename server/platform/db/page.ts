// One page of a list read from the database, and its total: what every `{ items, total, page, limit }` list
// (docs/design.md "API conventions") that is not served by the search index asks. `_id` always ends the sort,
// because FerretDB's sorts are not stable and a page could otherwise repeat or skip a record.
import type { Model, SortOrder } from 'mongoose';

/** Any model, whatever its virtuals (each schema infers its own, and Model<any> would insist on none). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
export type AnyModel = Model<any, {}, {}, any>;

export async function findPage<T>(
  model: AnyModel,
  filter: Record<string, unknown>,
  sort: Record<string, SortOrder>,
  q: { page: number; limit: number },
  select?: string,
): Promise<{ docs: T[]; total: number }> {
  const find = model.find(filter);
  if (select) find.select(select);
  const [docs, total] = await Promise.all([
    find
      .sort({ ...sort, _id: -1 })
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<T[]>(),
    model.countDocuments(filter),
  ]);
  return { docs, total };
}
