// Forgotten passwords (docs/accounts.md "Forgotten passwords", docs/security.md): a person types an address on
// /password/forgot and always gets the same answer; if an account that can sign in has that address, it is mailed a
// link `BASE_URL/password/reset/<token>`. The token is 32 random bytes; only its SHA-256 is stored (the `_id` of
// password_resets), as for invitations (memberships/invitations.ts) and answer links (matching/answers.ts). A link
// works once, for an hour, and not after the password changed in any way since it was mailed (the account page, an
// earlier link). Setting the password follows the password policy (passwords.ts) and ends every session of the
// account (service.ts, setPassword).
import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { Gone, Invalid, NotFound } from '../platform/errors.ts';
import { hit } from '../platform/http/rate-limit-store.ts';
import { ZONE } from '../platform/time.ts';
import { DateTime } from 'luxon';
import * as audit from '../audit/service.ts';
import { enqueueMail } from '../mail/service.ts';
import * as mail from '../mail/messages.ts';
import { Credential, User, type UserDoc } from './model.ts';
import { passwordProblem } from './passwords.ts';
import { setPassword, toActor } from './service.ts';
import type { Actor } from '../platform/auth/actor.ts';

/** How long a mailed link works. */
export const RESET_MINUTES = 60;
/** Reset mails one account gets at most in an hour, whoever asks (more requests are answered alike, unsent). */
export const RESET_MAILS_PER_HOUR = 3;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

const resetSchema = new Schema(
  {
    /** SHA-256 of the token in the mailed link (base64url): found by `_id`, the token itself is never stored */
    _id: { type: String, required: true },
    user: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
  },
  { versionKey: false, collection: 'password_resets' },
);
export type PasswordResetDoc = InferSchemaType<typeof resetSchema> & { _id: string };
export const PasswordReset = mongoose.model('PasswordReset', resetSchema);

/**
 * Mails a reset link when `email` belongs to an account that may sign in (active or pending); otherwise does
 * nothing. Says nothing either way: the page answers the same for every address.
 */
export async function requestReset(email: string, ip?: string): Promise<void> {
  const emailLower = email.trim().toLowerCase();
  const user = await User.findOne({ emailLower }).lean<UserDoc>();
  if (!user || user.status === 'disabled') {
    await audit.record({ action: 'password.reset.request', target: { kind: 'user', id: user ? String(user._id) : '-', label: emailLower }, detail: user ? '账户已停用，未发送' : '无此账户', ip });
    return;
  }
  const id = String(user._id);
  const { hits } = await hit(`reset:acct:${id}`, 3_600_000);
  if (hits > RESET_MAILS_PER_HOUR) {
    await audit.record({ action: 'password.reset.request', target: { kind: 'user', id, label: emailLower }, detail: '一小时内次数过多，未发送', ip });
    return;
  }
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + RESET_MINUTES * 60_000);
  const doc = await PasswordReset.create({ _id: hashOf(token), user: id, createdAt: now, expiresAt });
  const outcome = await enqueueMail({
    ...mail.passwordReset({ link: `/password/reset/${token}`, minutes: RESET_MINUTES, expiresAt: DateTime.fromJSDate(expiresAt, { zone: ZONE }).toFormat('M月d日 HH:mm') }),
    key: `password-reset:${doc._id}`,
    to: user.email,
    toName: user.name,
    userId: id,
  });
  if (outcome.status !== 'queued') await PasswordReset.deleteOne({ _id: doc._id });
  await audit.record({ action: 'password.reset.request', target: { kind: 'user', id, label: emailLower }, detail: outcome.status === 'queued' ? '已发送重设链接' : `未发送（${outcome.status}）`, ip });
}

const unknownLink = () => new NotFound('这个重设密码链接不存在。请复制邮件中的完整链接，或重新申请。');
const usedLink = () => new Gone('这个重设密码链接已经使用过，每个链接只能使用一次。如仍需重设，请重新申请。');
const expiredLink = () => new Gone(`这个重设密码链接已过期（有效期 ${RESET_MINUTES} 分钟）。请重新申请。`);
const supersededLink = () => new Gone('这个重设密码链接已失效：账户的密码在它发出后已经修改过。如仍需重设，请重新申请。');

async function liveReset(token: string): Promise<{ doc: PasswordResetDoc; user: UserDoc }> {
  if (!TOKEN.test(token)) throw unknownLink();
  const doc = await PasswordReset.findById(hashOf(token)).lean<PasswordResetDoc>();
  if (!doc) throw unknownLink();
  if (doc.usedAt) throw usedLink();
  if (doc.expiresAt.getTime() <= clock.ms()) throw expiredLink();
  const [user, credential] = await Promise.all([User.findById(doc.user).lean<UserDoc>(), Credential.findById(doc.user).lean()]);
  if (!user || user.status === 'disabled') throw unknownLink();
  if (credential && credential.passwordChangedAt.getTime() > doc.createdAt.getTime()) throw supersededLink();
  return { doc, user };
}

/** What the link's page shows (the account's address); reading it changes nothing. */
export async function readReset(token: string): Promise<{ email: string; expiresAt: Date }> {
  const { doc, user } = await liveReset(token);
  return { email: user.email, expiresAt: doc.expiresAt };
}

/**
 * Sets the new password through the link: checks the policy, takes the link by a conditional update (so it works
 * once), sets the password and ends every session of the account. Returns the account.
 */
export async function completeReset(token: string, password: string, ip?: string): Promise<Actor> {
  const { doc, user } = await liveReset(token);
  const problem = passwordProblem(password, { email: user.email });
  if (problem) throw new Invalid({ password: problem });
  const now = clock.now();
  const taken = await PasswordReset.updateOne({ _id: doc._id, usedAt: null, expiresAt: trusted({ $gt: now }) }, { $set: { usedAt: now } });
  if (taken.modifiedCount !== 1) throw usedLink();
  const actor = toActor(user);
  await setPassword(actor, password, { ip, action: 'password.reset' });
  return actor;
}
