// Technical needs (技术需求) posted by enterprises. The enterprise's name and town are copied onto the need
// (kept current by organizations/dependents.ts) so lists, filters and search documents need no join.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { cooperationMode, demandKind, demandStatus, industry, maturity, town } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, type SearchableDoc } from '../platform/db/schema-parts.ts';
import { observed } from '../platform/db/observed.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

const historySchema = new Schema(
  {
    from: { type: String },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    by: { type: String },
    byName: { type: String },
    note: { type: String },
  },
  { _id: false },
);

const clarificationSchema = new Schema(
  {
    indicator: { type: String }, // 关键技术指标
    bottleneck: { type: String }, // 当前瓶颈
    targetMaturity: { type: String, enum: maturity.keys },
    budgetNote: { type: String }, // 预算说明
    deadlineNote: { type: String }, // 时间要求
    updatedAt: { type: Date },
    updatedBy: { type: String },
    updatedByName: { type: String },
  },
  { _id: false },
);

const demandSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    description: { type: String, required: true, trim: true },
    industry: { type: String, required: true, enum: industry.keys },
    keywords: { type: [String], default: [] },
    kind: { type: String, required: true, enum: demandKind.keys, default: 'tech-problem' },
    cooperationModes: { type: [String], default: [], enum: cooperationMode.keys },
    budgetMin: { type: Number },
    budgetMax: { type: Number },
    deadline: { type: Date },
    jiebang: { type: Boolean, default: false }, // 揭榜挂帅
    enterprise: { type: String, required: true },
    enterpriseName: { type: String, required: true },
    town: { type: String, enum: town.keys },
    broker: { type: String }, // the assigned broker's record id
    brokerName: { type: String },
    /** when the assignment was confirmed (an organizer's assignment is confirmed at once; a broker's own claim
     *  waits for the enterprise or an organizer — server/matching/service.ts); unset while it waits */
    brokerConfirmedAt: { type: Date },
    brokerConfirmedByName: { type: String },
    campaigns: { type: [String], default: [] },
    visibility: { type: String, enum: ['public', 'members'], default: 'public' },
    status: { type: String, required: true, enum: demandStatus.keys, default: 'draft' },
    statusHistory: { type: [historySchema], default: [] },
    publishedAt: { type: Date },
    clarification: { type: clarificationSchema, default: () => ({}) },
    ...auditFields({ imported: true }),
  },
  { timestamps, collection: 'demands' },
);
searchable(demandSchema);
demandSchema.index({ enterprise: 1 });
demandSchema.index({ broker: 1 });
demandSchema.index({ status: 1, createdAt: -1, _id: -1 });
demandSchema.index({ createdAt: -1, _id: -1 });
demandSchema.index({ importBatch: 1 });

export type DemandDoc = InferSchemaType<typeof demandSchema> & SearchableDoc;
demandSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
demandSchema.plugin(announceChanges(['workbench', 'demands'])); // the broker's workbench (matching/workbench.ts) and need pages (service.ts) keep what they read
export const Demand = mongoose.model('Demand', demandSchema);
