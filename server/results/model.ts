// Research results (科技成果) published by universities and institutes. The institution's name and place
// are copied onto the result (kept current by organizations/dependents.ts).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { cooperationMode, industry, maturity } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, type SearchableDoc } from '../platform/db/schema-parts.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

const patentSchema = new Schema({ number: { type: String, required: true }, title: { type: String } }, { _id: false });

const resultSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    abstract: { type: String, required: true, trim: true },
    industry: { type: String, required: true, enum: industry.keys },
    keywords: { type: [String], default: [] },
    maturity: { type: String, required: true, enum: maturity.keys },
    institution: { type: String, required: true },
    institutionName: { type: String, required: true },
    province: { type: String },
    city: { type: String },
    leadExpert: { type: String },
    leadExpertName: { type: String },
    transferModes: { type: [String], default: [], enum: cooperationMode.keys },
    askingPrice: { type: Number }, // 元; absent = 面议
    patents: { type: [patentSchema], default: [] },
    campaigns: { type: [String], default: [] },
    status: { type: String, enum: ['published', 'draft'], default: 'published' },
    /** when it was first published (set once; results from before this field count from createdAt, search.ts) */
    publishedAt: { type: Date },
    ...auditFields({ imported: true }),
  },
  { timestamps, collection: 'results' },
);
searchable(resultSchema);
resultSchema.index({ institution: 1 });
resultSchema.index({ leadExpert: 1 });
resultSchema.index({ createdAt: -1, _id: -1 });
resultSchema.index({ importBatch: 1 });

export type ResultDoc = InferSchemaType<typeof resultSchema> & SearchableDoc;
// An expert's page lists the results they lead from an in-process cache (server/experts/pages.ts); any write
// here drops it in every instance.
resultSchema.plugin(announceChanges(['results']));
export const Result = mongoose.model('Result', resultSchema);
