// Experts (专家): their field, expertise and availability for 专家东宝行 visits.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { industry } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { contactSchema } from '../contacts/model.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, type SearchableDoc } from '../platform/db/schema-parts.ts';

const expertSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    title: { type: String, required: true, trim: true }, // 职称
    institution: { type: String }, // an institution's id when it is on the platform
    institutionName: { type: String, trim: true },
    city: { type: String },
    industries: { type: [String], default: [], enum: industry.keys },
    keywords: { type: [String], default: [] },
    bio: { type: String, trim: true },
    availableForVisits: { type: Boolean, default: false },
    contact: { type: contactSchema },
    owner: { type: String },
    ...auditFields({ imported: true }),
  },
  { timestamps, collection: 'experts' },
);
searchable(expertSchema);
expertSchema.index({ owner: 1 });
expertSchema.index({ institution: 1 });
expertSchema.index({ createdAt: -1, _id: -1 });
expertSchema.index({ importBatch: 1 });

export type ExpertDoc = InferSchemaType<typeof expertSchema> & SearchableDoc;
export const Expert = mongoose.model('Expert', expertSchema);
