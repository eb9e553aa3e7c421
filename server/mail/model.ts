// The outbox: every mail the platform sends is first a document here, written right after the event that causes
// it and keyed by that event (`key`, unique), so one event never makes two mails. The worker (worker.ts) sends
// it and records the SMTP answer. Beside it, each recipient's mail preferences (the kinds they turned off).
import { announceChanges } from '../platform/db/shared-cache.ts';
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';

export const MAIL_STATUSES = ['queued', 'sending', 'sent', 'failed', 'held', 'skipped'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export const mailStatusLabels: Record<MailStatus, string> = {
  queued: '待发送',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  held: '未发送（未配置 SMTP）',
  skipped: '未发送（收件人已退订）',
};

const outboxSchema = new Schema(
  {
    /** the event that causes the mail, e.g. `contact-request:<id>:created|<user>`; unique */
    key: { type: String, required: true },
    /** the message kind (messages.ts), which names its template and its preference category */
    kind: { type: String, required: true },
    to: { type: String, required: true },
    toName: { type: String },
    /** the account the mail goes to, when it goes to one (preferences, unsubscribe) */
    userId: { type: String },
    /** the values the template is rendered from (plain strings, numbers, booleans) */
    data: { type: Schema.Types.Mixed, required: true, default: {} },
    status: { type: String, required: true, enum: MAIL_STATUSES, default: 'queued' },
    /**
     * When the worker should look at it next: a queued mail's next attempt, or a sending mail's lease end
     * (after which another worker may take it over, e.g. when the sending process died).
     */
    dueAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    /** which worker holds the lease while sending */
    leaseOwner: { type: String },
    lastError: { type: String },
    /** the SMTP server's answer to the accepted message, and the Message-ID */
    response: { type: String },
    messageId: { type: String },
    sentAt: { type: Date },
    failedAt: { type: Date },
  },
  { timestamps, collection: 'mail_outbox', minimize: false },
);
outboxSchema.index({ key: 1 }, { unique: true });
// The worker's poll: due mails by status and time.
outboxSchema.index({ status: 1, dueAt: 1, _id: 1 });
// The organizers' list, newest first.
outboxSchema.index({ createdAt: -1, _id: -1 });

export type OutboxDoc = InferSchemaType<typeof outboxSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const Outbox = mongoose.model('MailOutbox', outboxSchema);

const preferenceSchema = new Schema(
  {
    /** `u:<user id>` for an account, `a:<hash of the address>` for a recipient without one — read by _id only */
    _id: { type: String, required: true },
    /** the categories (messages.ts) this recipient turned off */
    off: { type: [String], required: true, default: [] },
  },
  { timestamps, collection: 'mail_preferences' },
);
// The account page keeps each user's preferences in process (service.ts preferencesOf).
preferenceSchema.plugin(announceChanges(['preferences']));
export type PreferenceDoc = InferSchemaType<typeof preferenceSchema>;
export const MailPreference = mongoose.model('MailPreference', preferenceSchema);
