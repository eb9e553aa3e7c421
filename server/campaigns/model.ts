// Campaigns (联百校转千果, 专家东宝行 …), their roadshows (项目路演) with slots, registrations and outcomes, and
// expert visit itineraries. Names of referenced records are copied in so pages need no joins; progress is
// never stored, it is computed from results, matches, contracts and visits (progress.ts).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { campaignKind } from '../vocabulary/index.ts';
import { timestamps } from '../platform/clock.ts';
import { auditFields } from '../platform/db/schema-parts.ts';
import { observed } from '../platform/db/observed.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

/** Numeric goals a campaign may set; which ones apply depends on its kind (see GOALS in schema.ts). */
export const GOAL_KEYS = ['universities', 'results', 'matches', 'contracts', 'experts', 'visits', 'enterprises', 'problems', 'followUps', 'roadshows', 'attendees', 'intentions'] as const;
export type GoalKey = (typeof GOAL_KEYS)[number];

const goalsSchema = new Schema(Object.fromEntries(GOAL_KEYS.map((k) => [k, { type: Number }])), { _id: false });

const participantSchema = new Schema(
  {
    institution: { type: String, required: true },
    name: { type: String, required: true },
    contactedOn: { type: Date },
  },
  { _id: false },
);

const campaignSchema = new Schema(
  {
    kind: { type: String, required: true, enum: campaignKind.keys },
    name: { type: String, required: true, trim: true },
    startsOn: { type: Date, required: true },
    endsOn: { type: Date, required: true },
    description: { type: String, trim: true },
    goals: { type: goalsSchema, default: () => ({}) },
    /** 联百校转千果: the universities and institutes taken on, with the day each was first contacted */
    institutions: { type: [participantSchema], default: [] },
    ...auditFields({ softDelete: true }),
  },
  { timestamps, collection: 'campaigns' },
);
campaignSchema.index({ startsOn: -1, _id: -1 });

export type CampaignDoc = InferSchemaType<typeof campaignSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const Campaign = mongoose.model('Campaign', campaignSchema);

// ---- roadshows ------------------------------------------------------------------------------------------------

export const SLOT_KINDS = ['result', 'demand', 'expert'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/** An expert's answer to a visit or a roadshow slot planned for them (我的行程); a change of the plan clears it. */
export const REPLY_STATUSES = ['confirmed', 'declined'] as const;
const replySchema = new Schema({ status: { type: String, required: true, enum: REPLY_STATUSES }, reason: String, at: { type: Date, required: true } }, { _id: false });

const slotSchema = new Schema({
  kind: { type: String, required: true, enum: SLOT_KINDS },
  ref: { type: String, required: true },
  title: { type: String, required: true },
  /** the record whose accounts present it: the result's institution, the need's enterprise, the expert */
  owner: { kind: { type: String, enum: ['institution', 'enterprise', 'expert'] }, id: String },
  presenter: { type: String }, // the name shown on the agenda
  presenterExpert: { type: String }, // an expert record when the presenter is one
  /** who is booked for the slot's time (expert:<id> or name:<normalised name>) */
  presenterKey: { type: String },
  startsAt: { type: Date, required: true },
  minutes: { type: Number, required: true },
  endsAt: { type: Date, required: true },
  reply: { type: replySchema },
});

export const REGISTRATION_STATUSES = ['confirmed', 'waitlisted', 'cancelled'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

const registrationSchema = new Schema({
  enterprise: { type: String, required: true },
  enterpriseName: { type: String, required: true },
  attendee: { type: String }, // who comes
  status: { type: String, required: true, enum: REGISTRATION_STATUSES },
  /** the check-in code shown to the registrant (6 characters, unambiguous alphabet) */
  code: { type: String, required: true },
  registeredAt: { type: Date, required: true },
  registeredBy: { type: String },
  promotedAt: { type: Date },
  cancelledAt: { type: Date },
  checkedInAt: { type: Date },
  checkedInBy: { type: String },
  /** a check-in an organizer made outside the check-in window, with why (also in the audit log) */
  checkInOverride: { reason: String, by: String, byName: String },
});

const outcomeSchema = new Schema({
  kind: { type: String, required: true, enum: ['intention', 'contract'] },
  enterprise: { id: String, name: String },
  demand: { id: String, title: String },
  candidate: { kind: { type: String, enum: ['result', 'expert'] }, id: String, title: String },
  match: { type: String }, // the pipeline record an intention became
  note: { type: String },
  at: { type: Date, required: true },
  by: { type: String },
  byName: { type: String },
});

const roadshowSchema = new Schema(
  {
    campaign: { type: String, required: true },
    campaignName: { type: String, required: true },
    title: { type: String, required: true, trim: true },
    venue: { type: String, required: true, trim: true },
    venueKey: { type: String, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    capacity: { type: Number, required: true },
    description: { type: String, trim: true },
    slots: { type: [slotSchema], default: [] },
    registrations: { type: [registrationSchema], default: [] },
    outcomes: { type: [outcomeSchema], default: [] },
    /** bumped by every write: registrations, check-ins and edits are compare-and-set on it */
    rev: { type: Number, required: true, default: 0 },
    ...auditFields({ name: true, softDelete: true }),
  },
  { timestamps, collection: 'roadshows' },
);
roadshowSchema.index({ startsAt: 1, _id: 1 });
roadshowSchema.index({ campaign: 1 });

export type RoadshowDoc = InferSchemaType<typeof roadshowSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export type SlotDoc = RoadshowDoc['slots'][number] & { _id: mongoose.Types.ObjectId };
export type RegistrationDoc = RoadshowDoc['registrations'][number] & { _id: mongoose.Types.ObjectId };
roadshowSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
roadshowSchema.plugin(announceChanges(['events'])); // calendars and itineraries keep every event (live-events.ts)
export const Roadshow = mongoose.model('Roadshow', roadshowSchema);

// ---- expert visits (专家东宝行) ------------------------------------------------------------------------------

const reportSchema = new Schema(
  {
    problems: { type: [String], default: [] },
    suggestions: { type: String },
    at: { type: Date },
    by: { type: String },
    byName: { type: String },
  },
  { _id: false },
);

const followUpSchema = new Schema(
  {
    demand: { type: String, required: true },
    title: { type: String, required: true },
    /** which of the report's problems it follows up (its index) */
    problem: { type: Number },
    at: { type: Date },
  },
  { _id: false },
);

const stopSchema = new Schema({
  enterprise: { type: String, required: true },
  enterpriseName: { type: String, required: true },
  startsAt: { type: Date, required: true },
  minutes: { type: Number, required: true },
  endsAt: { type: Date, required: true },
  report: { type: reportSchema },
  /** needs created from this stop's report */
  followUps: { type: [followUpSchema], default: [] },
});

const visitSchema = new Schema(
  {
    campaign: { type: String, required: true },
    campaignName: { type: String, required: true },
    expert: { type: String, required: true },
    expertName: { type: String, required: true },
    title: { type: String, trim: true },
    /** the least time between stops at different enterprises, in minutes */
    travelMinutes: { type: Number, required: true, default: 30 },
    stops: { type: [stopSchema], default: [] },
    /** the expert's answer (我的行程) */
    reply: { type: replySchema },
    /** the visiting expert's remark on the visit and its reports (visit-report.ts saveRemark) */
    remark: { type: new Schema({ text: { type: String, required: true }, at: { type: Date, required: true }, byName: { type: String } }, { _id: false }) },
    /** first stop's start and last stop's end, for range queries */
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    rev: { type: Number, required: true, default: 0 },
    ...auditFields({ softDelete: true }),
  },
  { timestamps, collection: 'visits' },
);
visitSchema.index({ startsAt: 1, _id: 1 });
visitSchema.index({ expert: 1 });
visitSchema.index({ campaign: 1 });

export type VisitDoc = InferSchemaType<typeof visitSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export type StopDoc = VisitDoc['stops'][number] & { _id: mongoose.Types.ObjectId };
visitSchema.plugin(observed); // the target figures' running totals follow every write (targets/tallies.ts)
visitSchema.plugin(announceChanges(['events'])); // calendars and itineraries keep every event (live-events.ts)
export const Visit = mongoose.model('Visit', visitSchema);

// ---- personal calendar feeds --------------------------------------------------------------------------------

/** A user's secret calendar address; like API tokens, only the hash is stored. */
const calendarFeedSchema = new Schema(
  {
    userId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    hint: { type: String, required: true },
    revokedAt: { type: Date },
  },
  { timestamps, collection: 'calendar_feeds' },
);
calendarFeedSchema.index({ tokenHash: 1 }, { unique: true });
calendarFeedSchema.index({ userId: 1 });
export type CalendarFeedDoc = InferSchemaType<typeof calendarFeedSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
calendarFeedSchema.plugin(announceChanges(['accounts'])); // each user's feed status is kept (calendar-service.ts)
export const CalendarFeed = mongoose.model('CalendarFeed', calendarFeedSchema);
