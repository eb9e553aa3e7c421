// Who speaks for a record: invitations an organizer sends to a person for an existing enterprise, institution,
// expert or broker record; bulk invitations (a batch with its progress and report); and claims, where a person
// who registered asks to join an enterprise or institution that is already listed.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

export const RECORD_KINDS = ['enterprise', 'institution', 'expert', 'broker'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const invitationSchema = new Schema(
  {
    /** SHA-256 of the token in the mailed link (base64url): the link is found by `_id`, the token is never stored */
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: RECORD_KINDS },
    record: { type: String, required: true },
    recordName: { type: String, required: true },
    email: { type: String, required: true },
    emailLower: { type: String, required: true },
    invitedBy: { type: String, required: true },
    invitedByName: { type: String, required: true },
    /** the bulk invitation it belongs to, if any */
    batch: { type: String },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
    /** inviting the same person to the same record again revokes the earlier link */
    revokedAt: { type: Date },
    /** the account made through the link */
    user: { type: String },
  },
  { timestamps, collection: 'invitations' },
);
invitationSchema.index({ kind: 1, record: 1 });
invitationSchema.index({ createdAt: -1, _id: -1 });

export type InvitationDoc = InferSchemaType<typeof invitationSchema> & { _id: string; createdAt: Date };
export const Invitation = mongoose.model('Invitation', invitationSchema);

const batchItemSchema = new Schema(
  {
    record: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String },
    outcome: { type: String, enum: ['sent', 'skipped'] },
    reason: { type: String },
  },
  { _id: false },
);

const batchSchema = new Schema(
  {
    kind: { type: String, required: true, enum: RECORD_KINDS },
    by: { type: String, required: true },
    byName: { type: String, required: true },
    items: { type: [batchItemSchema], required: true },
    /** how many items are done; the next one to process */
    done: { type: Number, required: true, default: 0 },
    status: { type: String, required: true, enum: ['running', 'finished'], default: 'running' },
    /** refreshed while a process works on the batch; a stale one is taken over (bulk.ts) */
    heartbeatAt: { type: Date },
    finishedAt: { type: Date },
  },
  { timestamps, collection: 'invitation_batches' },
);

export type BatchDoc = InferSchemaType<typeof batchSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const InvitationBatch = mongoose.model('InvitationBatch', batchSchema);

export const CLAIM_KINDS = ['enterprise', 'institution'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export const CLAIM_STATUSES = ['pending', 'approved', 'rejected'] as const;

const claimSchema = new Schema(
  {
    user: { type: String, required: true },
    userName: { type: String, required: true },
    userEmail: { type: String, required: true },
    kind: { type: String, required: true, enum: CLAIM_KINDS },
    record: { type: String, required: true },
    recordName: { type: String, required: true },
    /** what the applicant entered to find the record (the credit code, or the institution's name) */
    entered: { type: String, required: true },
    message: { type: String },
    status: { type: String, required: true, enum: CLAIM_STATUSES, default: 'pending' },
    /** `<user>:<n>`, the applicant's n-th claim: two claims submitted at once cannot both pass (claims.ts) */
    slot: { type: String, required: true },
    decidedBy: { type: String },
    decidedByName: { type: String },
    decidedAt: { type: Date },
    reason: { type: String },
  },
  { timestamps, collection: 'claims' },
);
claimSchema.index({ slot: 1 }, { unique: true });
claimSchema.index({ user: 1, createdAt: -1 });
claimSchema.index({ status: 1, createdAt: -1 });

// The organizer's header counts the pending claims once per change, not per page view (home/service.ts).
claimSchema.plugin(announceChanges(['queues']));

export type ClaimDoc = InferSchemaType<typeof claimSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const Claim = mongoose.model('Claim', claimSchema);
