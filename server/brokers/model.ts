// Technology brokers (技术经纪人): who they are and what they specialise in. Their assigned needs are the
// needs whose `broker` is this record.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { brokerLevel, industry } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { contactSchema } from '../contacts/model.ts';

const brokerSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    level: { type: String, required: true, enum: brokerLevel.keys },
    organization: { type: String, required: true, trim: true },
    specialties: { type: [String], default: [], enum: industry.keys },
    bio: { type: String, trim: true },
    contact: { type: contactSchema },
    owner: { type: String },
    createdBy: { type: String },
    importBatch: { type: String },
  },
  { timestamps: true, collection: 'brokers' },
);
searchable(brokerSchema);
brokerSchema.index({ owner: 1 });
brokerSchema.index({ createdAt: -1, _id: -1 });
brokerSchema.index({ importBatch: 1 });

export type BrokerDoc = InferSchemaType<typeof brokerSchema> & {
  _id: mongoose.Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date | null;
  search?: { dirty: boolean; version: number };
};
export const Broker = mongoose.model('Broker', brokerSchema);
