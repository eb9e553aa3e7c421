// Audit entries: who did what to which record, and who saw which private contact (docs/design.md "Vocabulary").
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { clock } from '../platform/clock.ts';

const auditSchema = new Schema(
  {
    at: { type: Date, required: true, default: () => clock.now() },
    actorId: { type: String },
    actorName: { type: String },
    actorRole: { type: String },
    action: { type: String, required: true },
    targetKind: { type: String },
    targetId: { type: String },
    targetLabel: { type: String },
    detail: { type: String },
    ip: { type: String },
  },
  { versionKey: false, collection: 'audit_entries' },
);
auditSchema.index({ at: -1, _id: -1 });
auditSchema.index({ action: 1, at: -1 });
auditSchema.index({ targetKind: 1, targetId: 1 });

export type AuditEntry = InferSchemaType<typeof auditSchema> & { _id: mongoose.Types.ObjectId };
export const Audit = mongoose.model('Audit', auditSchema);
