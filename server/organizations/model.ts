// Enterprises (企业) and institutions (高校院所): the organisations behind needs and results.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { industry, institutionKind, scale, town } from '../vocabulary/index.ts';
import { contactSchema } from '../contacts/model.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields } from '../platform/db/schema-parts.ts';

const enterpriseSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    creditCode: { type: String, required: true },
    industry: { type: String, required: true, enum: industry.keys },
    town: { type: String, required: true, enum: town.keys },
    scale: { type: String, enum: scale.keys },
    highTech: { type: Boolean, default: false },
    techSme: { type: Boolean, default: false },
    intro: { type: String, trim: true },
    contact: { type: contactSchema },
    /** the account that speaks for this enterprise */
    owner: { type: String },
    ...auditFields({ imported: true, softDelete: true }),
  },
  { timestamps, collection: 'enterprises' },
);
enterpriseSchema.index({ creditCode: 1 }, { unique: true });
enterpriseSchema.index({ name: 1 });
enterpriseSchema.index({ owner: 1 });
enterpriseSchema.index({ createdAt: -1, _id: -1 });

export type EnterpriseDoc = InferSchemaType<typeof enterpriseSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
enterpriseSchema.plugin(announceChanges(['enterprises'])); // need pages keep the enterprise they show (demands/service.ts)
export const Enterprise = mongoose.model('Enterprise', enterpriseSchema);

const institutionSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    kind: { type: String, required: true, enum: institutionKind.keys },
    province: { type: String, required: true, trim: true },
    city: { type: String, required: true, trim: true },
    intro: { type: String, trim: true },
    contact: { type: contactSchema },
    owner: { type: String },
    ...auditFields({ imported: true, softDelete: true }),
  },
  { timestamps, collection: 'institutions' },
);
institutionSchema.index({ name: 1 });
institutionSchema.index({ owner: 1 });
institutionSchema.index({ createdAt: -1, _id: -1 });

export type InstitutionDoc = InferSchemaType<typeof institutionSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const Institution = mongoose.model('Institution', institutionSchema);
