// Invitations: an organizer invites a person to speak for an existing record. The mail carries a link
// `BASE_URL/invitations/<token>`; the token is 32 random bytes, only its SHA-256 is stored (the `_id`), it works
// once and for 14 days. Following it, the person sets a name and a password (the registration rules) and gets an
// active account bound to the record. Inviting the same address to the same record again revokes the earlier link.
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { Conflict, Forbidden, Gone, Invalid, NotFound } from '../platform/errors.ts';
import { beijingDay } from '../platform/time.ts';
import * as audit from '../audit/service.ts';
import * as accounts from '../accounts/service.ts';
import { enqueueMail } from '../mail/service.ts';
import * as mail from '../mail/messages.ts';
import { Invitation, type InvitationDoc, type RecordKind } from './model.ts';
import { findRecord, KIND_LABELS, loadRecord, MAX_ACCOUNTS, roleFor, seatsTaken, type RecordRef } from './records.ts';

export const INVITATION_DAYS = 14;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface InvitationView {
  id: string;
  kind: RecordKind;
  record: { id: string; name: string };
  email: string;
  invitedByName: string;
  createdAt: Date;
  expiresAt: Date;
  state: 'open' | 'used' | 'expired' | 'revoked';
}

function stateOf(doc: InvitationDoc, now = clock.ms()): InvitationView['state'] {
  if (doc.usedAt) return 'used';
  if (doc.revokedAt) return 'revoked';
  return doc.expiresAt.getTime() <= now ? 'expired' : 'open';
}

export function invitationView(doc: InvitationDoc): InvitationView {
  return {
    // the first characters of the hash name the invitation in lists and the API; they do not open it
    id: doc._id.slice(0, 16),
    kind: doc.kind as RecordKind,
    record: { id: doc.record, name: doc.recordName },
    email: doc.email,
    invitedByName: doc.invitedByName,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    state: stateOf(doc),
  };
}

const tooFull = (record: RecordRef) => new Conflict(`${KIND_LABELS[record.kind]}“${record.name}”已有 ${MAX_ACCOUNTS} 个账户，已达上限；请先停用不再使用的账户。`);

/** Why this address cannot be invited to this record, or undefined. */
async function refusalFor(record: RecordRef, email: string): Promise<Error | undefined> {
  const existing = await accounts.findByEmail(email);
  if (existing) {
    if (existing.profile?.kind === record.kind && existing.profile.id === record.id) {
      return new Conflict(`${email} 已经是“${record.name}”的账户，无需邀请。`);
    }
    return new Invalid({ email: '该邮箱已注册平台账户，不能再用于邀请。企业或高校院所的员工可以登录后申请加入本单位。' });
  }
  if ((await seatsTaken(record.kind, record.id)) >= MAX_ACCOUNTS) return tooFull(record);
  return undefined;
}

/**
 * Invites `email` to speak for the record: revokes the address's earlier links to it, stores the new link's
 * hash and queues the mail (which carries the only copy of the token). `batch` ties it to a bulk invitation.
 */
export async function invite(actor: Actor, input: { kind: RecordKind; id: string; email: string }, opts: { batch?: string } = {}): Promise<InvitationView> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以邀请账户。');
  const record = await loadRecord(input.kind, input.id);
  const email = input.email.trim();
  const refusal = await refusalFor(record, email);
  if (refusal) throw refusal;
  const now = clock.now();
  const emailLower = email.toLowerCase();
  const earlier = await Invitation.find({ kind: record.kind, record: record.id }).lean<InvitationDoc[]>();
  for (const doc of earlier) {
    if (doc.emailLower === emailLower && !doc.usedAt && !doc.revokedAt) await Invitation.updateOne({ _id: doc._id, usedAt: null }, { $set: { revokedAt: now } });
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  const doc = (
    await Invitation.create({
      _id: hashOf(token),
      kind: record.kind,
      record: record.id,
      recordName: record.name,
      email,
      emailLower,
      invitedBy: actor.id,
      invitedByName: actor.name,
      batch: opts.batch,
      expiresAt,
    })
  ).toObject() as InvitationDoc;
  const content = mail.accountInvitation({
    recordName: record.name,
    kindLabel: KIND_LABELS[record.kind],
    invitedByName: actor.name,
    expiresOn: beijingDay(expiresAt),
    link: `/invitations/${token}`,
  });
  // Addressed by name when it is the record's own contact address.
  const toName = record.contact?.email?.trim().toLowerCase() === emailLower ? (record.contact?.name ?? undefined) : undefined;
  const outcome = await enqueueMail({ ...content, key: `invitation:${doc._id}`, to: email, toName });
  if (outcome.status === 'invalid-address') {
    await Invitation.deleteOne({ _id: doc._id });
    throw new Invalid({ email: '邮箱格式不正确。' });
  }
  await audit.record({ actor, action: 'invitation.create', target: { kind: record.kind, id: record.id, label: record.name }, detail: email });
  return invitationView(doc);
}

/** The record's invitations, newest first (organizers). */
export async function invitationsOf(actor: Actor, kind: RecordKind, id: string): Promise<InvitationView[]> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const docs = await Invitation.find({ kind, record: id }).sort({ createdAt: -1, _id: -1 }).limit(100).lean<InvitationDoc[]>();
  return docs.map(invitationView);
}

/** Revokes an open invitation by the id lists show (the first characters of its hash). */
export async function revoke(actor: Actor, kind: RecordKind, recordId: string, id: string): Promise<void> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const docs = await Invitation.find({ kind, record: recordId }).lean<InvitationDoc[]>();
  const doc = docs.find((d) => d._id.slice(0, 16) === id);
  if (!doc) throw new NotFound('邀请不存在。');
  if (stateOf(doc) !== 'open') throw new Conflict('这份邀请已经失效，无需撤销。');
  await Invitation.updateOne({ _id: doc._id, usedAt: null }, { $set: { revokedAt: clock.now() } });
  await audit.record({ actor, action: 'invitation.revoke', target: { kind, id: recordId, label: doc.recordName }, detail: doc.email });
}

// ---- following the link -----------------------------------------------------------------------------------------

const unknownLink = () => new NotFound('这个邀请链接不存在。请复制邮件中的完整链接；如有疑问，请联系东宝区科技局。');
const usedLink = () => new Gone('这个邀请链接已经使用过，账户已经开通。请直接登录；忘记密码请联系东宝区科技局。');
const revokedLink = () => new Gone('这个邀请链接已被一封更新的邀请取代或已撤销。请使用最新一封邀请邮件中的链接，或联系东宝区科技局。');
const expiredLink = () => new Gone(`这个邀请链接已过期（有效期 ${INVITATION_DAYS} 天）。请联系东宝区科技局重新邀请。`);
const goneRecord = () => new Gone('邀请您加入的记录已被删除，无法开通账户。如有疑问，请联系东宝区科技局。');

export interface OpenInvitation {
  email: string;
  kind: RecordKind;
  kindLabel: string;
  record: RecordRef;
  invitedByName: string;
  expiresAt: Date;
}

async function liveInvitation(token: string): Promise<{ doc: InvitationDoc; record: RecordRef }> {
  if (!TOKEN.test(token)) throw unknownLink();
  const doc = await Invitation.findById(hashOf(token)).lean<InvitationDoc>();
  if (!doc) throw unknownLink();
  if (doc.usedAt) throw usedLink();
  if (doc.revokedAt) throw revokedLink();
  if (doc.expiresAt.getTime() <= clock.ms()) throw expiredLink();
  const record = await findRecord(doc.kind as RecordKind, doc.record);
  if (!record) throw goneRecord();
  return { doc, record };
}

/** What the link shows; reading it changes nothing. */
export async function readInvitation(token: string): Promise<OpenInvitation> {
  const { doc, record } = await liveInvitation(token);
  return { email: doc.email, kind: record.kind, kindLabel: KIND_LABELS[record.kind], record, invitedByName: doc.invitedByName, expiresAt: doc.expiresAt };
}

/**
 * Opens the account: takes the link by a conditional update (so it works once), makes the active account bound
 * to the record, and gives the link back when the account cannot be made (the address registered meanwhile,
 * the record is full), so nothing is half done.
 */
export async function acceptInvitation(token: string, input: { name: string; password: string }, opts: { ip?: string | undefined } = {}): Promise<Actor> {
  const { doc, record } = await liveInvitation(token);
  const now = clock.now();
  const taken = await Invitation.updateOne({ _id: doc._id, usedAt: null, revokedAt: null, expiresAt: trusted({ $gt: now }) }, { $set: { usedAt: now } });
  if (taken.modifiedCount !== 1) throw usedLink();
  try {
    if ((await seatsTaken(record.kind, record.id)) >= MAX_ACCOUNTS) throw tooFull(record);
    const actor = await accounts.createLinkedUser({ name: input.name, email: doc.email, role: roleFor(record.kind) }, input.password, { kind: record.kind, id: record.id });
    await Invitation.updateOne({ _id: doc._id }, { $set: { user: actor.id } });
    await audit.record({ actor, action: 'invitation.accept', target: { kind: record.kind, id: record.id, label: record.name }, detail: doc.email, ip: opts.ip });
    return actor;
  } catch (err) {
    await Invitation.updateOne({ _id: doc._id }, { $unset: { usedAt: 1 } });
    throw err;
  }
}
