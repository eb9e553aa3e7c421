// Notifying users, counting their unread notices, and listing them.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { User } from '../accounts/model.ts';
import { NoticeCount, Notification, type NotificationDoc } from './model.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { clock } from '../platform/clock.ts';
import { enqueueMail } from '../mail/service.ts';
import { isOptional, type MailContent } from '../mail/messages.ts';

export interface Notice {
  kind: string;
  title: string;
  body?: string | undefined;
  link?: string | undefined;
  /** a button on the notice that posts to `href` (a same-site path) */
  action?: { href: string; label: string } | undefined;
  /** when set, a notice with the same key is not sent twice */
  key?: string | undefined;
  /** also by e-mail (mail/messages.ts builds it), to each user whose preferences allow that kind */
  mail?: MailContent | undefined;
}

/**
 * A keyed notice's `_id`, made from its key and user: finding whether it was sent is one read by `_id`, and of two
 * racing sends the database refuses the second. A filter on `key` read the whole collection on FerretDB (2.9 s at
 * 50,000 notices, timed directly), once per recipient.
 */
const keyedId = (key: string) => new mongoose.Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));

export async function notifyUsers(userIds: (string | null | undefined)[], notice: Notice): Promise<void> {
  const ids = [...new Set(userIds.filter((u): u is string => !!u && mongoose.isValidObjectId(u)))];
  for (const user of ids) {
    const { mail, ...fields } = notice;
    const key = notice.key ? `${notice.key}|${user}` : undefined;
    const _id = key ? keyedId(key) : new mongoose.Types.ObjectId();
    let created = !(key && (await Notification.exists({ _id })));
    if (created) {
      await storedUnread(user); // the count exists before the notice does, so it is never started from a count that includes it
      created = await Notification.create({ _id, user, ...fields, key }).then(
        () => true,
        (err: { code?: number }) => {
          if (err?.code === 11000) return false; // sent meanwhile
          throw err;
        },
      );
      if (created) await NoticeCount.updateOne({ _id: user }, { $inc: { unread: 1 } });
    }
    const id = String(_id);
    // Keyed by the event when the notice has a key, else by the notification: a run that is repeated (or that
    // stopped between the two writes) never makes a second mail.
    if (mail) await mailUser(user, mail, key ? `notice:${key}` : `notification:${id}`);
  }
}

/** Queues the mail to the account's e-mail address; disabled accounts get only account mail (a rejection). */
async function mailUser(userId: string, mail: MailContent, key: string): Promise<void> {
  const user = await User.findById(userId).select('email name status').lean();
  if (!user || (user.status === 'disabled' && isOptional(mail.kind))) return;
  await enqueueMail({ ...mail, key, to: user.email, toName: user.name, userId });
}

/** The accounts that speak for a record (its owner, and any user linked to it as their profile). */
export async function usersOf(kind: 'enterprise' | 'institution' | 'expert' | 'broker', id: string | null | undefined): Promise<string[]> {
  if (!id) return [];
  const users = await User.find({ 'profile.kind': kind, 'profile.id': id, status: 'active' }).select('_id').lean();
  return users.map((u) => String(u._id));
}

export async function organizers(): Promise<string[]> {
  const users = await User.find({ role: 'organizer', status: 'active' }).select('_id').lean();
  return users.map((u) => String(u._id));
}

/** Unread counts by user, as the header shows them: dropped on any change to a count (model.ts). */
const unreadCounts = new SharedCache<number>('notices');

/**
 * The stored count; a user without one (notices from before counts were kept) is counted once and the count
 * kept. Never below 0 (a count two instances decremented for one notice heals at the next 全部标为已读).
 */
async function storedUnread(userId: string): Promise<number> {
  const doc = await NoticeCount.findById(userId).lean();
  if (doc) return Math.max(0, doc.unread);
  const unread = await Notification.countDocuments({ user: userId, readAt: null });
  await NoticeCount.updateOne({ _id: userId }, { $setOnInsert: { unread } }, { upsert: true });
  return unread;
}

export async function unreadCount(actor: Actor): Promise<number> {
  return (await unreadCounts.get(actor.id, () => storedUnread(actor.id))) ?? 0;
}

/**
 * A page of a user's notices, by user, page and size. Filtering on `user` reads the whole collection on FerretDB,
 * so the answer is kept until any notice is written anywhere (model.ts announces 'notifications').
 */
const noticePages = new SharedCache<{ items: NotificationDoc[]; total: number }>('notifications', 2_000);

export async function list(actor: Actor, page: number, limit: number): Promise<{ items: NotificationDoc[]; total: number; page: number; limit: number }> {
  const filter = { user: actor.id };
  const found = await noticePages.get(`${actor.id}|${page}|${limit}`, async () => {
    const [items, total] = await Promise.all([
      Notification.find(filter).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * limit).limit(limit).lean<NotificationDoc[]>(),
      Notification.countDocuments(filter),
    ]);
    return { items, total };
  });
  // A copy of each notice: callers may change what they get.
  return { items: found!.items.map((n) => ({ ...n })), total: found!.total, page, limit };
}

export async function markRead(actor: Actor, id?: string): Promise<void> {
  if (id) {
    if (!mongoose.isValidObjectId(id)) return;
    const n = await Notification.findById(id).lean<NotificationDoc>();
    if (!n || n.user !== actor.id || n.readAt) return;
    const res = await Notification.updateOne({ _id: id, readAt: null }, { $set: { readAt: clock.now() } });
    if (res.modifiedCount === 1) await NoticeCount.updateOne({ _id: actor.id }, { $inc: { unread: -1 } });
    return;
  }
  await Notification.updateMany({ user: actor.id, readAt: null }, { $set: { readAt: clock.now() } });
  // Counted again rather than set to 0: a notice that arrived meanwhile stays unread, and any drift heals here.
  const unread = await Notification.countDocuments({ user: actor.id, readAt: null });
  await NoticeCount.updateOne({ _id: actor.id }, { $set: { unread } }, { upsert: true });
}

/**
 * Following a notice's link: marks it read and answers where the link goes (null for someone else's notice or
 * one without a link, so the caller shows the list).
 */
export async function open(actor: Actor, id: string): Promise<string | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const n = await Notification.findById(id).lean<NotificationDoc>();
  if (!n || n.user !== actor.id) return null;
  if (!n.readAt) await markRead(actor, id);
  return n.link ?? null;
}

/** Housekeeping: read notices older than half a year go. */
export async function purgeOld(): Promise<void> {
  await Notification.deleteMany({ readAt: trusted({ $lt: new Date(clock.ms() - 183 * 86_400_000) }) });
}
