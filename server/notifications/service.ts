// Notifying users, counting their unread notices, and listing them.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { User } from '../accounts/model.ts';
import { Notification, type NotificationDoc } from './model.ts';

export interface Notice {
  kind: string;
  title: string;
  body?: string | undefined;
  link?: string | undefined;
  /** when set, a notice with the same key is not sent twice */
  key?: string | undefined;
}

export async function notifyUsers(userIds: (string | null | undefined)[], notice: Notice): Promise<void> {
  const ids = [...new Set(userIds.filter((u): u is string => !!u && mongoose.isValidObjectId(u)))];
  for (const user of ids) {
    const key = notice.key ? `${notice.key}|${user}` : undefined;
    if (key && (await Notification.exists({ key }))) continue;
    await Notification.create({ user, ...notice, key });
  }
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

export async function unreadCount(actor: Actor): Promise<number> {
  return Notification.countDocuments({ user: actor.id, readAt: null });
}

export async function list(actor: Actor, page: number, limit: number): Promise<{ items: NotificationDoc[]; total: number; page: number; limit: number }> {
  const filter = { user: actor.id };
  const [items, total] = await Promise.all([
    Notification.find(filter).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * limit).limit(limit).lean<NotificationDoc[]>(),
    Notification.countDocuments(filter),
  ]);
  return { items, total, page, limit };
}

export async function markRead(actor: Actor, id?: string): Promise<void> {
  if (id) {
    if (!mongoose.isValidObjectId(id)) return;
    const n = await Notification.findById(id).lean<NotificationDoc>();
    if (n && n.user === actor.id && !n.readAt) await Notification.updateOne({ _id: id }, { $set: { readAt: new Date() } });
    return;
  }
  await Notification.updateMany({ user: actor.id, readAt: null }, { $set: { readAt: new Date() } });
}

/** Housekeeping: read notices older than half a year go. */
export async function purgeOld(): Promise<void> {
  await Notification.deleteMany({ readAt: trusted({ $lt: new Date(Date.now() - 183 * 86_400_000) }) });
}
