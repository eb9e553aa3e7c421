// Targets (the annual breakdown table, 年度目标分解表), manual progress entries with evidence, and the
// evidence files themselves.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';
import { auditFields } from '../platform/db/schema-parts.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

/** the scope of a target and of a progress entry */
const scopeSchema = new Schema({ kind: { type: String, enum: ['district', 'town', 'unit'], required: true }, code: { type: String, required: true } }, { _id: false });

const targetSchema = new Schema(
  {
    indicator: { type: String, required: true },
    /** a year (startYear = endYear) or a span such as 2021–2025 */
    startYear: { type: Number, required: true },
    endYear: { type: Number, required: true },
    /** district, a town code, or a responsible unit's name */
    scope: { type: scopeSchema, required: true },
    value: { type: Number, required: true },
    lead: { type: String },
    responsible: { type: [String], default: [] },
    note: { type: String },
    ...auditFields({ imported: true, softDelete: true }),
  },
  { timestamps, collection: 'targets' },
);
targetSchema.index({ indicator: 1, startYear: 1 });

export type TargetDoc = InferSchemaType<typeof targetSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; deletedAt?: Date | null };
targetSchema.plugin(announceChanges(['targets'])); // the table is kept in process (service.ts allTargets)
export const Target = mongoose.model('Target', targetSchema);

const entrySchema = new Schema(
  {
    indicator: { type: String, required: true },
    year: { type: Number, required: true },
    /** the date the value holds at (levels) or the period end (flows) */
    date: { type: Date, required: true },
    scope: { type: scopeSchema, required: true },
    value: { type: Number, required: true },
    note: { type: String },
    evidence: { type: String }, // an Attachment id
    evidenceName: { type: String },
    enteredBy: { type: String, required: true },
    enteredByName: { type: String, required: true },
    deletedAt: { type: Date },
  },
  { timestamps, collection: 'progress_entries' },
);
entrySchema.index({ indicator: 1, year: 1 });

export type EntryDoc = InferSchemaType<typeof entrySchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; deletedAt?: Date | null };
entrySchema.plugin(announceChanges(['targets'])); // kept in process (service.ts liveEntries)
export const ProgressEntry = mongoose.model('ProgressEntry', entrySchema);

const attachmentSchema = new Schema(
  {
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    uploadedBy: { type: String, required: true },
  },
  { timestamps, collection: 'attachments' },
);
export type AttachmentDoc = InferSchemaType<typeof attachmentSchema> & { _id: mongoose.Types.ObjectId };
export const Attachment = mongoose.model('Attachment', attachmentSchema);
