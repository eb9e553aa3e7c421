// Technology contracts (技术合同), with the fields of the national registration form that matter here.
// Amounts are integer 元. A contract counts toward targets only once verified (organizers' entries are
// verified at once, brokers' wait for an organizer). signedYear/registeredYear are stored so that yearly
// figures need no date expressions (FerretDB has none).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { contractType, industry, town } from '../vocabulary/index.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields, verificationFields } from '../platform/db/schema-parts.ts';
import { observed } from '../platform/db/observed.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

export const BUYER_KINDS = ['enterprise', 'outside'] as const;
export const SELLER_KINDS = ['enterprise', 'institution', 'expert', 'outside'] as const;
export const DIRECTIONS = ['absorb', 'export', 'both'] as const;
export type BuyerKind = (typeof BUYER_KINDS)[number];
export type SellerKind = (typeof SELLER_KINDS)[number];
export type Direction = (typeof DIRECTIONS)[number];

const contractSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    type: { type: String, required: true, enum: contractType.keys },
    buyer: { type: String }, // the enterprise's id; absent for a buyer outside the platform
    buyerName: { type: String, required: true },
    /** a buyer outside the platform (buyerKind "outside") is known by name and, if given, its credit code */
    buyerKind: { type: String, enum: BUYER_KINDS, default: 'enterprise' },
    buyerCreditCode: { type: String },
    town: { type: String, enum: town.keys }, // the district enterprise's (the buyer's, else the seller's), for figures by town
    industry: { type: String, enum: industry.keys },
    seller: {
      type: new Schema(
        {
          kind: { type: String, enum: SELLER_KINDS, required: true },
          id: { type: String }, // absent for a seller outside the platform
          name: { type: String, required: true },
          creditCode: { type: String },
        },
        { _id: false },
      ),
      required: true,
    },
    /** what the contract is for the district (directionOf): 吸纳 (a district enterprise buys), 输出 (a district party sells), both */
    direction: { type: String, enum: DIRECTIONS },
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
    ...verificationFields(),
    note: { type: String },
    ...auditFields({ name: true, imported: true, softDelete: true }),
  },
  { timestamps, collection: 'contracts' },
);
contractSchema.index({ signedYear: 1 });
contractSchema.index({ registeredYear: 1 });
contractSchema.index({ buyer: 1 });
contractSchema.index({ 'seller.id': 1 });
contractSchema.index({ 'source.campaign': 1 });
contractSchema.index({ 'source.roadshow': 1 });

export type ContractDoc = InferSchemaType<typeof contractSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date; deletedAt?: Date | null };
contractSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
contractSchema.plugin(announceChanges(['ledger'])); // lists are cached in process (platform/db/shared-cache.ts)
export const Contract = mongoose.model('Contract', contractSchema);
