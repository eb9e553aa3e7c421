// In-app notifications: new good matches, status changes, contact requests, overdue items.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { timestamps } from '../platform/clock.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

const notificationSchema = new Schema(
  {
    user: { type: String, required: true },
    kind: { type: String, required: true }, // match.new, match.status, contact.request, contact.answer, match.overdue, demand.assigned
    title: { type: String, required: true },
    body: { type: String },
    link: { type: String },
    /** a one-click action on the notice: a button posting to `href` (the enterprise confirms a step, matching/service.ts) */
    action: { type: new Schema({ href: { type: String, required: true }, label: { type: String, required: true } }, { _id: false }) },
    readAt: { type: Date },
    /** de-duplicates repeated notices (an overdue item is told once a day); a keyed notice's _id is made from it (service.ts) */
    key: { type: String },
  },
  { timestamps, collection: 'notifications' },
);
notificationSchema.index({ user: 1, createdAt: -1, _id: -1 });
// Each user's notice list is cached in process (service.ts `list`); any write here drops it in every instance.
notificationSchema.plugin(announceChanges(['notifications']));

export type NotificationDoc = InferSchemaType<typeof notificationSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const Notification = mongoose.model('Notification', notificationSchema);

/**
 * Each user's unread count, kept on write (service.ts) so the header's badge is one read by `_id`, and cached in
 * process: any write here drops the cached counts in every instance (platform/db/shared-cache.ts).
 */
const noticeCountSchema = new Schema(
  {
    _id: { type: String, required: true }, // the user's id
    unread: { type: Number, required: true },
  },
  { versionKey: false, collection: 'notice_counts' },
);
noticeCountSchema.plugin(announceChanges(['notices']));
export const NoticeCount = mongoose.model('NoticeCount', noticeCountSchema);

/**
 * Each user's notices, as `{ at, id }` (created at, in ms), so that a user's list is one read by `_id` and its
 * page's notices are read by `_id`: a filter on `user` read the whole collection on FerretDB (4.6–5.1 s for one
 * user's first page at 50,000 notices, timed directly), and every notice written anywhere dropped every user's kept
 * list. Entries are added on create and removed when a notice is found gone or purged (service.ts); `listed` says
 * the user's notices from before the list was kept have been merged in.
 */
const noticeListSchema = new Schema(
  {
    _id: { type: String, required: true }, // the user's id
    listed: { type: Boolean },
    entries: { type: [new Schema({ at: { type: Number, required: true }, id: { type: String, required: true } }, { _id: false })], default: undefined },
  },
  { versionKey: false, collection: 'notice_lists' },
);
export const NoticeList = mongoose.model('NoticeList', noticeListSchema);
