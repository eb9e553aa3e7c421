// An import job: the uploaded file's validation report and, once writing, its progress.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';

// A row's problems as [field, message] pairs: field paths such as "registration.date" hold dots, which a
// mongoose Map (and a MongoDB key) cannot.
const problemSchema = new Schema({ field: { type: String, required: true }, message: { type: String, required: true } }, { _id: false });

const outcomeSchema = new Schema({ line: Number, action: String, label: String, problems: { type: [problemSchema], default: undefined } }, { _id: false });

const importJobSchema = new Schema(
  {
    kind: { type: String, required: true },
    filename: { type: String, required: true },
    dryRun: { type: Boolean, default: false },
    /** invalid: bad rows, nothing written · checked: dry run passed · running · done · failed (rolled back) */
    status: { type: String, required: true, enum: ['invalid', 'checked', 'running', 'done', 'failed'] },
    total: { type: Number, default: 0 },
    done: { type: Number, default: 0 },
    counts: { create: Number, update: Number, error: Number },
    missingColumns: { type: [String], default: [] },
    outcomes: { type: [outcomeSchema], default: [] },
    batch: { type: String },
    error: { type: String },
    createdBy: { type: String },
    createdByName: { type: String },
    finishedAt: { type: Date },
  },
  { timestamps, collection: 'import_jobs' },
);
importJobSchema.index({ createdAt: -1, _id: -1 });
importJobSchema.index({ status: 1 });

export type ImportJobDoc = InferSchemaType<typeof importJobSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const ImportJob = mongoose.model('ImportJob', importJobSchema);
