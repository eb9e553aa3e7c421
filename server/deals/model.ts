// Technology contracts (技术合同), with the fields of the national registration form that matter here.
// Amounts are integer 元. A contract counts toward targets only once verified (organizers' entries are
// verified at once, brokers' wait for an organizer). signedYear/registeredYear are stored so that yearly
// figures need no date expressions (FerretDB has none).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { contractType, industry, town } from '../vocabulary/index.ts';
import { timestamps } from '../platform/clock.ts';

const contractSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    type: { type: String, required: true, enum: contractType.keys },
    buyer: { type: String, required: true }, // enterprise id
    buyerName: { type: String, required: true },
    town: { type: String, enum: town.keys }, // the buyer's, for figures by town
    industry: { type: String, enum: industry.keys },
    seller: {
      type: new Schema({ kind: { type: String, enum: ['institution', 'expert'], required: true }, id: { type: String, required: true }, name: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    broker: { type: String },
    brokerName: { type: String },
    amount: { type: Number, required: true }, // 合同成交额, 元
    techIncome: { type: Number }, // 技术交易额 (技术性收入), 元
    signedAt: { type: Date, required: true },
    signedYear: { type: Number, required: true },
    registration: {
      number: { type: String }, // 技术合同认定登记号
      date: { type: Date },
    },
    registeredYear: { type: Number },
    source: {
      match: { type: String },
      demand: { type: String }, // the match's need, for the link back
      demandTitle: { type: String },
      roadshow: { type: String },
      campaign: { type: String },
    },
    verified: { type: Boolean, required: true, default: false },
    verifiedAt: { type: Date },
    verifiedBy: { type: String },
    verifiedByName: { type: String },
    note: { type: String },
    createdBy: { type: String },
    createdByName: { type: String },
    importBatch: { type: String },
    deletedAt: { type: Date },
  },
  { timestamps, collection: 'contracts' },
);
contractSchema.index({ signedYear: 1 });
contractSchema.index({ registeredYear: 1 });
contractSchema.index({ buyer: 1 });
contractSchema.index({ 'source.campaign': 1 });
contractSchema.index({ 'source.roadshow': 1 });

export type ContractDoc = InferSchemaType<typeof contractSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date; deletedAt?: Date | null };
export const Contract = mongoose.model('Contract', contractSchema);
