// The broker's pipeline: a Match is a candidate (a result or an expert) a broker took up for a need, moving
// suggested → shortlisted → contacted → meeting → intention → contracted | declined, with a deadline for the
// next step and its history. A ContactRequest is an enterprise asking for a result's or expert's contact.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';
import { observed } from '../platform/db/observed.ts';

export const MATCH_STATUSES = ['suggested', 'shortlisted', 'contacted', 'meeting', 'intention', 'contracted', 'declined'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export const DECLINE_REASONS = {
  'too-early': '技术尚不成熟',
  price: '价格不合适',
  maturity: '成熟度不满足',
  'not-relevant': '技术方向不相关',
  'no-reply': '对方未回复',
  capacity: '对方无力承接',
  other: '其他原因',
} as const;
export type DeclineReason = keyof typeof DECLINE_REASONS;

/**
 * Who a pending contact request waits on: the counterpart's account, the record's contact address (a mailed
 * link), the bureau (no address, or escalated), or an address an organizer forwarded it to.
 */
export const HOLDER_KINDS = ['counterpart', 'contact-mail', 'bureau', 'forwarded'] as const;
export type HolderKind = (typeof HOLDER_KINDS)[number];

const historySchema = new Schema(
  {
    from: String,
    to: { type: String, required: true },
    at: { type: Date, required: true },
    by: String,
    byName: String,
    note: String,
    /** 达成意向 and 已签约, recorded by the broker, confirmed by the enterprise (service.ts `confirmStep`) */
    confirmedAt: Date,
    confirmedBy: String,
    confirmedByName: String,
  },
  { _id: false },
);

const matchSchema = new Schema(
  {
    demand: { type: String, required: true },
    demandTitle: { type: String, required: true },
    enterprise: { type: String, required: true },
    candidateKind: { type: String, required: true, enum: ['result', 'expert'] },
    candidate: { type: String, required: true },
    candidateTitle: { type: String, required: true },
    /** the record whose owner answers for the candidate: an institution (results) or the expert */
    counterpart: { kind: { type: String, enum: ['institution', 'expert'] }, id: String },
    score: { type: Number, required: true },
    reasons: { type: [String], default: [] },
    status: { type: String, required: true, enum: MATCH_STATUSES },
    declineReason: { type: String, enum: Object.keys(DECLINE_REASONS) },
    /** the broker's own ordering, overriding the score, with why */
    override: { rank: Number, reason: String, by: String, byName: String, at: Date },
    broker: { type: String },
    dueAt: { type: Date },
    history: { type: [historySchema], default: [] },
    /** a key unique per need and candidate, so one candidate is taken up once */
    pair: { type: String, required: true },
  },
  { timestamps, collection: 'matches' },
);
matchSchema.index({ pair: 1 }, { unique: true });
matchSchema.index({ demand: 1 });
matchSchema.index({ broker: 1, status: 1 });

export type MatchDoc = InferSchemaType<typeof matchSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
matchSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
matchSchema.plugin(announceChanges(['workbench'])); // the broker's workbench keeps what it read (matching/workbench.ts)
export const Match = mongoose.model('Match', matchSchema);

const contactRequestSchema = new Schema(
  {
    /** who asks: an enterprise (through its account) */
    requester: { type: String, required: true }, // user id
    requesterName: { type: String, required: true },
    enterprise: { type: String, required: true },
    enterpriseName: { type: String, required: true },
    /** what they ask about */
    target: {
      type: new Schema({ kind: { type: String, enum: ['result', 'expert'], required: true }, id: { type: String, required: true }, title: String }, { _id: false }),
      required: true,
    },
    /** who answers: the institution owning the result, or the expert */
    counterpart: {
      type: new Schema({ kind: { type: String, enum: ['institution', 'expert'], required: true }, id: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    demand: { type: String },
    message: { type: String },
    status: { type: String, required: true, enum: ['pending', 'accepted', 'declined'], default: 'pending' },
    answer: { type: String },
    answeredBy: { type: String },
    /** `link`: answered without an account, through the mailed link (answers.ts); `response`: see below */
    answeredVia: { type: String, enum: ['account', 'link', 'response'] },
    /** `response`: the enterprise accepted this responder's response to its need (responses.ts) */
    response: { type: String },
    answeredAt: { type: Date },
    /** who the pending request waits on, and since when (contact-holder.ts) */
    holder: {
      type: new Schema(
        {
          kind: { type: String, enum: HOLDER_KINDS, required: true },
          since: { type: Date, required: true },
          /** bureau: why the bureau holds it */
          reason: { type: String, enum: ['no-address', 'escalated'] },
          /** forwarded: the address an organizer forwarded it to (never shown to the requester) */
          to: { type: String },
        },
        { _id: false },
      ),
    },
    /** when it was escalated to the organizers, unanswered after a week (contact-queue.ts) */
    escalatedAt: { type: Date },
    /** how many times an organizer forwarded it; each forward's mail is keyed by its number */
    forwards: { type: Number, default: 0 },
  },
  { timestamps, collection: 'contact_requests' },
);
contactRequestSchema.index({ 'counterpart.kind': 1, 'counterpart.id': 1, status: 1 });
contactRequestSchema.index({ enterprise: 1 });
contactRequestSchema.index({ status: 1, createdAt: -1 });

// The organizer's header counts the open contact requests once per change, not per page view (home/service.ts).
contactRequestSchema.plugin(announceChanges(['queues', 'workbench']));

export type ContactRequestDoc = InferSchemaType<typeof contactRequestSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const ContactRequest = mongoose.model('ContactRequest', contactRequestSchema);

/**
 * A single-use link that lets the contact address of a record without an account answer a contact request
 * (answers.ts). Only the SHA-256 of the token is stored, as `_id`, so a link is found by `_id` alone.
 */
const answerTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    request: { type: String, required: true },
    /** the address the link was mailed to */
    to: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
    /** an organizer forwarded the request elsewhere: earlier unused links stop working (contact-queue.ts) */
    revokedAt: { type: Date },
  },
  { timestamps, collection: 'answer_tokens' },
);
answerTokenSchema.index({ request: 1 });

export type AnswerTokenDoc = InferSchemaType<typeof answerTokenSchema>;
export const AnswerToken = mongoose.model('AnswerToken', answerTokenSchema);

/**
 * An institution's or expert's answer to a need (响应需求, or 揭榜 for a need marked 揭榜挂帅): a message and the
 * results it offers. One per responder and need (`pair`); a second response edits the first while it is open.
 * The enterprise accepts or declines it; accepting works like an accepted contact request (responses.ts).
 */
const responseSchema = new Schema(
  {
    demand: { type: String, required: true },
    demandTitle: { type: String, required: true },
    enterprise: { type: String, required: true },
    /** the record that responds, and the account that wrote it */
    responder: {
      type: new Schema({ kind: { type: String, enum: ['institution', 'expert'], required: true }, id: { type: String, required: true }, name: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    user: { type: String, required: true },
    userName: { type: String, required: true },
    results: { type: [new Schema({ id: { type: String, required: true }, title: { type: String, required: true } }, { _id: false })], default: [] },
    message: { type: String, required: true },
    /** the need was marked 揭榜挂帅 when the response was made */
    jiebang: { type: Boolean, default: false },
    status: { type: String, required: true, enum: ['open', 'accepted', 'declined'], default: 'open' },
    answer: { type: String },
    answeredBy: { type: String },
    answeredAt: { type: Date },
    /** `${demand}|${responder.kind}:${responder.id}` — one response per responder and need */
    pair: { type: String, required: true },
  },
  { timestamps, collection: 'demand_responses' },
);
responseSchema.index({ pair: 1 }, { unique: true });
responseSchema.index({ demand: 1 });

export type ResponseDoc = InferSchemaType<typeof responseSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const DemandResponse = mongoose.model('DemandResponse', responseSchema);

/**
 * A need and a candidate announced to the need's owner and broker: `_id` = `${demand}|${kind}:${id}`, inserted
 * once, so a pair is announced once however often either side is published or edited (alerts.ts).
 */
const matchAlertSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true }, /** the notice and digest were written */ done: { type: Boolean, default: false } },
  { collection: 'match_alerts' },
);
export const MatchAlert = mongoose.model('MatchAlert', matchAlertSchema);

/**
 * The day's announced matches per user, mailed once as a digest after the day ends (alerts.ts):
 * `_id` = `${user}|${YYYY-MM-DD}` (Beijing calendar date).
 */
const matchDigestSchema = new Schema(
  {
    _id: { type: String, required: true },
    user: { type: String, required: true },
    day: { type: String, required: true },
    items: {
      type: [new Schema({ demand: String, demandTitle: String, kind: String, id: String, title: String, score: Number }, { _id: false })],
      default: [],
    },
    mailedAt: { type: Date },
  },
  { collection: 'match_digests' },
);
matchDigestSchema.index({ mailedAt: 1, day: 1 });
export type MatchDigestDoc = InferSchemaType<typeof matchDigestSchema>;
export const MatchDigest = mongoose.model('MatchDigest', matchDigestSchema);
