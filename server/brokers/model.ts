// Technology brokers (技术经纪人): who they are and what they specialise in. Their assigned needs are the
// needs whose `broker` is this record.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { brokerLevel, industry } from '../vocabulary/index.ts';
import { searchable } from '../platform/db/searchable.ts';
import { contactSchema } from '../contacts/model.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, type SearchableDoc } from '../platform/db/schema-parts.ts';

/** Unconfirmed claims a broker may hold unless an organizer set another limit for them. */
export const DEFAULT_CLAIM_LIMIT = 10;

const brokerSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    level: { type: String, required: true, enum: brokerLevel.keys },
    organization: { type: String, required: true, trim: true },
    specialties: { type: [String], default: [], enum: industry.keys },
    bio: { type: String, trim: true },
    contact: { type: contactSchema },
    owner: { type: String },
    /** how many claimed needs may wait for confirmation at once (server/matching/service.ts claim); organizers
     *  raise it per broker. Absent on older records: DEFAULT_CLAIM_LIMIT. */
    claimLimit: { type: Number, min: 0 },
    ...auditFields({ imported: true }),
  },
  { timestamps, collection: 'brokers' },
);
searchable(brokerSchema);
brokerSchema.index({ owner: 1 });
brokerSchema.index({ createdAt: -1, _id: -1 });
brokerSchema.index({ importBatch: 1 });

export type BrokerDoc = InferSchemaType<typeof brokerSchema> & SearchableDoc;
export const Broker = mongoose.model('Broker', brokerSchema);
