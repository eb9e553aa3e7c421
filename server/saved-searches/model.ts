// Saved searches: a user's query and search-page filters, mailed as a digest of what is new (digest.ts). At most
// MAX_SAVED per user, held by a unique slot (`<user>:<n>`), so two saves at the same moment cannot pass the limit.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';

export const MAX_SAVED = 20;
export const FREQUENCIES = ['daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const frequencyLabels: Record<Frequency, string> = { daily: '每天', weekly: '每周' };

const filtersSchema = new Schema(
  {
    kind: { type: String },
    industry: { type: String },
    town: { type: String },
    maturity: { type: String },
    status: { type: String },
    /** 万元, as the search page takes them */
    budgetMin: { type: Number },
    budgetMax: { type: Number },
    priceMax: { type: Number },
  },
  { _id: false },
);

const savedSearchSchema = new Schema(
  {
    user: { type: String, required: true },
    /** `<user>:<n>`, n from 1 to MAX_SAVED; unique */
    slot: { type: String, required: true },
    q: { type: String, default: '' },
    filters: { type: filtersSchema, default: () => ({}) },
    frequency: { type: String, required: true, enum: FREQUENCIES },
    /**
     * The watermark: records that became findable before it have been considered for a digest (or predate the
     * saved search). Moved forward only after the period's mail is in the outbox.
     */
    digestedUntil: { type: Date, required: true },
    /** a digest in progress holds the search until then (digest.ts); the epoch when free */
    leaseUntil: { type: Date, required: true },
    leaseOwner: { type: String },
    /** when the last digest mail was written to the outbox, and how many records it named */
    lastDigestAt: { type: Date },
    lastDigestCount: { type: Number },
  },
  { timestamps, collection: 'saved_searches', minimize: false },
);
savedSearchSchema.index({ slot: 1 }, { unique: true });
savedSearchSchema.index({ user: 1, createdAt: -1 });

export type SavedSearchDoc = InferSchemaType<typeof savedSearchSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const SavedSearch = mongoose.model('SavedSearch', savedSearchSchema);
