// Notifying users, counting their unread notices, and listing them.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { User } from '../accounts/model.ts';
import { NoticeCount, NoticeList, Notification, type NotificationDoc } from './model.ts';
import { announce, SharedCache } from '../platform/db/shared-cache.ts';
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
    if (!(key && (await Notification.exists({ _id })))) {
      await storedUnread(user); // the count exists before the notice does, so it is never started from a count that includes it
      const doc = await Notification.create({ _id, user, ...fields, key }).catch((err: { code?: number }) => {
        if (err?.code === 11000) return undefined; // sent meanwhile
        throw err;
      });
      if (doc) {
        await NoticeCount.updateOne({ _id: user }, { $inc: { unread: 1 } });
        await NoticeList.updateOne({ _id: user }, { $push: { entries: { at: doc.createdAt.getTime(), id: String(_id) } } }, { upsert: true });
        // A page kept between the notice's write and its entry's would miss it: dropped again now.
        await announce('notifications');
      }
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

type Entry = { at: number; id: string };
type Listed = { _id: unknown; user: string; createdAt: Date };

/** Adds a user's notices from before lists were kept to their list ($addToSet: none is there twice) and marks it so. */
async function mergeEntries(userId: string, entries: Entry[]): Promise<void> {
  await NoticeList.updateOne({ _id: userId }, { $addToSet: { entries: { $each: entries } }, $set: { listed: true } }, { upsert: true });
}

/** notices' list entries, by user */
function entriesByUser(notices: Listed[]): Map<string, Entry[]> {
  const byUser = new Map<string, Entry[]>();
  for (const n of notices) {
    const entry = { at: n.createdAt.getTime(), id: String(n._id) };
    const entries = byUser.get(n.user);
    if (entries) entries.push(entry);
    else byUser.set(n.user, [entry]);
  }
  return byUser;
}

/**
 * The user's notices, newest first. The first time (notices from before lists were kept), the user's notices are
 * read once by `user` and merged into what was added meanwhile ($addToSet: the same entry is never there twice).
 */
async function entriesOf(userId: string): Promise<Entry[]> {
  let doc = await NoticeList.findById(userId).lean<{ listed?: boolean; entries?: Entry[] }>();
  if (!doc?.listed && !(await listsComplete())) {
    const found = await Notification.find({ user: userId }).select('_id createdAt').lean<{ _id: unknown; createdAt: Date }[]>();
    const entries = found.map((n) => ({ at: n.createdAt.getTime(), id: String(n._id) }));
    await mergeEntries(userId, entries);
    doc = await NoticeList.findById(userId).lean<{ listed?: boolean; entries?: Entry[] }>();
  }
  const byId = new Map((doc?.entries ?? []).map((e) => [e.id, e]));
  return [...byId.values()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** the document of notice_lists that says every user's notices from before lists were kept are in their lists */
const ALL_LISTED = '*';
let allListed = false;

async function listsComplete(): Promise<boolean> {
  allListed ||= !!(await NoticeList.exists({ _id: ALL_LISTED }));
  return allListed;
}

/**
 * Maintenance, until it has run once: merges every user's notices from before lists were kept into their lists
 * (one read of all notices instead of one per user at their first view; instances running it together add nothing
 * twice), then marks the lists complete.
 */
export async function completeNoticeLists(): Promise<void> {
  if (await listsComplete()) return;
  const found = await Notification.find({}).select('_id user createdAt').lean<Listed[]>();
  for (const [user, entries] of entriesByUser(found)) await mergeEntries(user, entries);
  await NoticeList.updateOne({ _id: ALL_LISTED }, { $set: { listed: true } }, { upsert: true });
  allListed = true;
}

/** Takes entries whose notice is gone out of the user's list (FerretDB's $pull matches whole entries only). */
async function dropEntries(userId: string, gone: Entry[]): Promise<void> {
  for (const e of gone) await NoticeList.updateOne({ _id: userId }, { $pull: { entries: { at: e.at, id: e.id } } });
}

/**
 * A page of a user's notices, by user, page and size: the user's list, then the page's notices by `_id`. Kept until
 * any notice is written anywhere (model.ts announces 'notifications').
 */
const noticePages = new SharedCache<{ items: NotificationDoc[]; total: number }>('notifications', 2_000);

export async function list(actor: Actor, page: number, limit: number): Promise<{ items: NotificationDoc[]; total: number; page: number; limit: number }> {
  const found = await noticePages.get(`${actor.id}|${page}|${limit}`, async () => {
    const entries = await entriesOf(actor.id);
    const shown = entries.slice((page - 1) * limit, page * limit);
    const docs = await Promise.all(shown.map((e) => Notification.findById(e.id).lean<NotificationDoc>()));
    const gone = shown.filter((_, i) => !docs[i] || docs[i]!.user !== actor.id);
    if (gone.length) await dropEntries(actor.id, gone);
    return { items: docs.filter((d): d is NotificationDoc => !!d && d.user === actor.id), total: entries.length - gone.length };
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

/** Housekeeping: read notices older than half a year go, and out of their users' lists. */
export async function purgeOld(): Promise<void> {
  const before = trusted({ $lt: new Date(clock.ms() - 183 * 86_400_000) });
  const old = await Notification.find({ readAt: before }).select('_id user createdAt').lean<Listed[]>();
  await Notification.deleteMany({ readAt: before });
  for (const [user, gone] of entriesByUser(old)) await dropEntries(user, gone);
}
