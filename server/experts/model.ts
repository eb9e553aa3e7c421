// Experts (专家): their field, expertise and availability for 专家东宝行 visits.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { industry } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { contactSchema } from '../contacts/model.ts';
import { timestamps } from '../platform/clock.ts';

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
    createdBy: { type: String },
    importBatch: { type: String },
  },
  { timestamps, collection: 'experts' },
);
searchable(expertSchema);
expertSchema.index({ owner: 1 });
expertSchema.index({ institution: 1 });
expertSchema.index({ createdAt: -1, _id: -1 });
expertSchema.index({ importBatch: 1 });

export type ExpertDoc = InferSchemaType<typeof expertSchema> & {
  _id: mongoose.Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
  search?: { dirty: boolean; version: number };
};
export const Expert = mongoose.model('Expert', expertSchema);
