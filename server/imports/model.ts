// An import job: the uploaded file's validation report and, once writing, its progress; and, for a job that
// imported the good rows only, the rows it left out (ImportRejects), for the workbook of rejected rows.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';
import { auditFields } from '../platform/db/schema-parts.ts';

// A row's problems as a list of { field, column, message }: field paths such as "registration.date" hold dots,
// which a mongoose Map (and a MongoDB key) cannot; `column` is the header, as the file has it, of the column the
// problem is about ('' for the whole row).
const problemSchema = new Schema({ field: { type: String, required: true }, column: { type: String }, message: { type: String, required: true } }, { _id: false });

const outcomeSchema = new Schema({ line: Number, action: String, label: String, problems: { type: [problemSchema], default: undefined } }, { _id: false });

const importJobSchema = new Schema(
  {
    kind: { type: String, required: true },
    filename: { type: String, required: true },
    dryRun: { type: Boolean, default: false },
    /** all: any bad row → nothing written (the default) · valid: the good rows are written, the bad ones listed */
    mode: { type: String, enum: ['all', 'valid'], default: 'all' },
    /**
     * invalid: nothing written (bad rows in mode "all"; no good row, a missing column or no row at all) ·
     * checked: dry run · running · done (in mode "valid" with the bad rows left out) · failed (rolled back)
     */
    status: { type: String, required: true, enum: ['invalid', 'checked', 'running', 'done', 'failed'] },
    total: { type: Number, default: 0 },
    done: { type: Number, default: 0 },
    counts: { create: Number, update: Number, error: Number },
    missingColumns: { type: [String], default: [] },
    /** the uploaded file's headers, in order, when rejected rows were kept (mode "valid") */
    headers: { type: [String], default: undefined },
    /** how many rejected rows were kept, in ImportReject chunks "<job id>.<n>" of REJECT_CHUNK rows */
    rejected: { type: Number, default: 0 },
    outcomes: { type: [outcomeSchema], default: [] },
    batch: { type: String },
    error: { type: String },
    ...auditFields({ name: true }),
    finishedAt: { type: Date },
  },
  { timestamps, collection: 'import_jobs' },
);
importJobSchema.index({ createdAt: -1, _id: -1 });
importJobSchema.index({ status: 1 });

export type ImportJobDoc = InferSchemaType<typeof importJobSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const ImportJob = mongoose.model('ImportJob', importJobSchema);

/** Rejected rows per chunk: 20,000 rows of a dozen cells would not fit in one document. */
export const REJECT_CHUNK = 500;

// The cells of the rows a "valid"-mode import left out, as uploaded (in the order of the job's headers), so
// they can be downloaded, corrected and imported again. Found by _id only ("<job id>.<chunk>"), as FerretDB
// answers other filters by reading the collection (docs/design.md).
const rejectRowSchema = new Schema({ line: { type: Number, required: true }, cells: { type: [String], default: [] } }, { _id: false });
const importRejectSchema = new Schema({ _id: { type: String, required: true }, rows: { type: [rejectRowSchema], default: [] } }, { collection: 'import_rejects', versionKey: false });

export interface ImportRejectDoc {
  _id: string;
  rows: { line: number; cells: string[] }[];
}
export const ImportReject = mongoose.model('ImportReject', importRejectSchema);
