// The records an account can speak for, seen the same way whatever their kind: name, contact address, page,
// the role an account for it has, and how many accounts already speak for it.
import type mongoose from 'mongoose';
import type { Role } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { NotFound } from '../platform/errors.ts';
import { User } from '../accounts/model.ts';
import { Enterprise, Institution } from '../organizations/model.ts';
import { Expert } from '../experts/model.ts';
import { Broker } from '../brokers/model.ts';
import type { Contact } from '../contacts/model.ts';
import type { RecordKind } from './model.ts';

/** At most this many accounts (not disabled) speak for one record. */
export const MAX_ACCOUNTS = 20;

export const KIND_LABELS: Record<RecordKind, string> = { enterprise: '企业', institution: '高校院所', expert: '专家', broker: '技术经纪人' };
const PATHS: Record<RecordKind, string> = { enterprise: '/enterprises', institution: '/institutions', expert: '/experts', broker: '/brokers' };
const MODELS: Record<RecordKind, { findById(id: string): { lean(): PromiseLike<unknown> } }> = { enterprise: Enterprise, institution: Institution, expert: Expert, broker: Broker };

/** An account for a record has the role of the same name. */
export const roleFor = (kind: RecordKind): Role => kind;
export const recordPath = (kind: RecordKind, id: string) => `${PATHS[kind]}/${id}`;

export interface RecordRef {
  kind: RecordKind;
  id: string;
  name: string;
  contact?: Contact | null | undefined;
  path: string;
}

interface Listed {
  _id: mongoose.Types.ObjectId;
  name: string;
  contact?: Contact | null;
  deletedAt?: Date | null;
}

/** The live record, or undefined when it does not exist or was deleted. */
export async function findRecord(kind: RecordKind, id: string): Promise<RecordRef | undefined> {
  const doc = await findLive<Listed>(MODELS[kind], id);
  return doc ? { kind, id: String(doc._id), name: doc.name, contact: doc.contact, path: recordPath(kind, id) } : undefined;
}

export async function loadRecord(kind: RecordKind, id: string): Promise<RecordRef> {
  const found = await findRecord(kind, id);
  if (!found) throw new NotFound(`${KIND_LABELS[kind]}不存在或已被删除。`);
  return found;
}

export interface LinkedAccount {
  id: string;
  name: string;
  email: string;
  status: string;
}

/** The accounts linked to the record (disabled ones included, listed last). */
export async function accountsOf(kind: RecordKind, id: string): Promise<LinkedAccount[]> {
  const users = await User.find({ 'profile.kind': kind, 'profile.id': id }).sort({ createdAt: 1, _id: 1 }).limit(200).lean();
  const order = (s: string) => (s === 'disabled' ? 1 : 0);
  return users
    .map((u) => ({ id: String(u._id), name: u.name, email: u.email, status: u.status }))
    .sort((a, b) => order(a.status) - order(b.status));
}

/** How many accounts count against MAX_ACCOUNTS (every one not disabled). */
export async function seatsTaken(kind: RecordKind, id: string): Promise<number> {
  return User.countDocuments({ 'profile.kind': kind, 'profile.id': id, status: trusted({ $ne: 'disabled' as const }) });
}
