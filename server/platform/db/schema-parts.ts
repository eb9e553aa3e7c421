// The fields many records end with, defined once. A model spreads auditFields at the end of its schema
// definition (an import job adds finishedAt after it); they come in this order: who created the record (and their
// name as it was then), the import that brought it (an import's rollback deletes by it), the soft delete.
// Searchable records get deletedAt and the search mark from searchable.ts instead, and their document type from
// SearchableDoc.
import type { Types } from 'mongoose';
import type { SearchMark } from './searchable.ts';

type Text = { type: StringConstructor };
type Part<On, Fields> = On extends true ? Fields : Record<never, never>;
type AuditFields<N, I, D> = { createdBy: Text } & Part<N, { createdByName: Text }> & Part<I, { importBatch: Text }> & Part<D, { deletedAt: { type: DateConstructor } }>;

/**
 * createdBy (the creating account's id); with `name` createdByName (shown without a lookup), with `imported`
 * importBatch, with `softDelete` deletedAt (for records that are not searchable).
 */
export function auditFields<N extends boolean = false, I extends boolean = false, D extends boolean = false>(
  opts: { name?: N; imported?: I; softDelete?: D } = {},
): AuditFields<N, I, D> {
  return {
    createdBy: { type: String },
    ...(opts.name ? { createdByName: { type: String } } : {}),
    ...(opts.imported ? { importBatch: { type: String } } : {}),
    ...(opts.softDelete ? { deletedAt: { type: Date } } : {}),
  } as AuditFields<N, I, D>;
}

/** The organizers' check of a record that counts toward the targets (contracts, talents): whether, when, by whom. */
export const verificationFields = () => ({
  verified: { type: Boolean, required: true as const, default: false },
  verifiedAt: { type: Date },
  verifiedBy: { type: String },
  verifiedByName: { type: String },
});

/** What a searchable record's document has beside its schema's own fields (searchable.ts). */
export interface SearchableDoc {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
  search?: SearchMark;
}
