// Talent introductions (人才引进). Personal details are for organizers only; the public board shows counts.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { degree, industry, talentCategory, talentMode, town } from '../vocabulary/index.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, verificationFields } from '../platform/db/schema-parts.ts';
import { observed } from '../platform/db/observed.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

const talentSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    degree: { type: String, required: true, enum: degree.keys },
    title: { type: String, trim: true }, // 职称, optional
    category: { type: String, required: true, enum: talentCategory.keys },
    mode: { type: String, required: true, enum: talentMode.keys },
    employer: { type: String, required: true }, // enterprise id
    employerName: { type: String, required: true },
    town: { type: String, enum: town.keys },
    industry: { type: String, required: true, enum: industry.keys },
    date: { type: Date, required: true }, // when introduced
    year: { type: Number, required: true },
    source: {
      campaign: { type: String },
      note: { type: String },
    },
    ...verificationFields(),
    ...auditFields({ name: true, imported: true, softDelete: true }),
  },
  { timestamps, collection: 'talents' },
);
talentSchema.index({ year: 1 });
talentSchema.index({ employer: 1 });

export type TalentDoc = InferSchemaType<typeof talentSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date; deletedAt?: Date | null };
talentSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
talentSchema.plugin(announceChanges(['ledger'])); // lists are cached in process (platform/db/shared-cache.ts)
export const Talent = mongoose.model('Talent', talentSchema);
