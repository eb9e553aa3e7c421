// Accounts use cases: registration, authentication (password, throttling, TOTP), sessions, password change,
// the organizer's user management, and (from tokens.ts) API tokens. Takes plain values, returns plain values, throws typed errors.
import mongoose from 'mongoose';
import type { Actor, ProfileKind, Role } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { SESSIONS_COLLECTION } from '../platform/auth/session.ts';
import { endedSessions } from '../platform/auth/session-store.ts';
import { trusted } from '../platform/db/connection.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import * as audit from '../audit/service.ts';
import { Credential, User, type UserDoc } from './model.ts';
import { burnVerification, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { CreateUserInput, RegisterInput, UserListQuery } from './schema.ts';
import * as throttle from './throttle.ts';
import * as totp from './totp.ts';
import { secondFactorRequired, sessionNeedsSecondFactor } from './policy.ts';
import { clock } from '../platform/clock.ts';
import { labelOf } from '../vocabulary/index.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import * as mail from '../mail/messages.ts';
import { findPage } from '../platform/db/page.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';

/** Roles whose accounts wait for an organizer's approval before they can act. */
export const NEEDS_APPROVAL: ReadonlySet<Role> = new Set(['institution', 'broker']);

export function toActor(user: UserDoc): Actor {
  return {
    id: String(user._id),
    email: user.email,
    name: user.name,
    role: user.role as Role,
    status: user.status as Actor['status'],
    profile: user.profile?.kind && user.profile.id ? { kind: user.profile.kind, id: user.profile.id } : undefined,
    totpEnabled: user.totpEnabled,
  };
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

async function insertUser(
  fields: { name: string; email: string; role: Role; status: Actor['status'] },
  password: string,
): Promise<UserDoc> {
  const emailLower = normalizeEmail(fields.email);
  if (await User.exists({ emailLower })) throw new Invalid({ email: '该邮箱已注册，请直接登录或找回密码。' });
  const passwordHash = await hashPassword(password);
  let user: UserDoc;
  try {
    user = (await User.create({ ...fields, email: fields.email.trim(), emailLower })).toObject() as UserDoc;
  } catch (err) {
    // Two registrations raced past the check above; the unique index decides.
    if (isDuplicateKey(err)) throw new Invalid({ email: '该邮箱已注册，请直接登录或找回密码。' });
    throw err;
  }
  try {
    await Credential.create({ _id: user._id, passwordHash, passwordChangedAt: clock.now() });
  } catch (err) {
    await User.deleteOne({ _id: user._id }); // no account without a password
    throw err;
  }
  return user;
}

export async function register(input: RegisterInput, ip?: string): Promise<Actor> {
  const status = NEEDS_APPROVAL.has(input.role) ? 'pending' : 'active';
  const user = await insertUser({ name: input.name, email: input.email, role: input.role, status }, input.password);
  const actor = toActor(user);
  await audit.record({ actor, action: 'register', target: { kind: 'user', id: actor.id, label: actor.email }, ip });
  if (actor.status === 'pending') {
    const roleLabel = labelOf('role', actor.role);
    await notifyUsers(await organizers(), {
      kind: 'account.pending',
      title: `待审核的注册：${actor.name}（${roleLabel}）`,
      body: actor.email,
      link: `/admin/users/${actor.id}`,
      key: `user:${actor.id}:pending`,
      mail: mail.accountPending({ name: actor.name, email: actor.email, roleLabel, link: `/admin/users/${actor.id}` }),
    });
  }
  return actor;
}

/** Used by the CLI and by organizers: any role, active at once. */
export async function createUser(input: CreateUserInput, by?: Actor): Promise<Actor> {
  const user = await insertUser({ name: input.name, email: input.email, role: input.role, status: 'active' }, input.password);
  const actor = toActor(user);
  await audit.record({ actor: by, action: 'user.create', target: { kind: 'user', id: actor.id, label: actor.email }, detail: input.role });
  return actor;
}

export type LoginOutcome =
  /** needsTotp: the code step comes next; mustEnrol: an account that must use a second factor has none yet
   *  (policy.ts), so the session may do nothing but enrol */
  | { ok: true; actor: Actor; epoch: number; needsTotp: boolean; mustEnrol: boolean }
  | { ok: false; reason: 'invalid' | 'disabled' };

/**
 * Checks a password login. Throws TooMany (not processed) when throttled. The same generic failure is
 * returned for an unknown email and a wrong password, after the same amount of work.
 */
export async function authenticate(input: {
  email: string;
  password: string;
  ip: string;
  /** the user id in this browser's signed device cookie, if any */
  deviceUserId?: string | undefined;
}): Promise<LoginOutcome> {
  const emailLower = normalizeEmail(input.email);
  const user = await User.findOne({ emailLower }).lean<UserDoc>();
  const trustedDevice = !!user && input.deviceUserId === String(user._id);
  try {
    await throttle.checkAttempt(emailLower, input.ip, trustedDevice);
  } catch (err) {
    await audit.record({ action: 'login.throttled', target: { kind: 'user', id: user ? String(user._id) : '-', label: emailLower }, ip: input.ip });
    throw err;
  }
  const credential = user ? await Credential.findById(user._id).lean() : null;
  const valid = credential ? await verifyPassword(credential.passwordHash, input.password) : (await burnVerification(input.password), false);
  if (!user || !valid) {
    await throttle.recordFailure(emailLower, input.ip);
    await audit.record({
      action: 'login.failure',
      target: { kind: 'user', id: user ? String(user._id) : '-', label: emailLower },
      ip: input.ip,
    });
    return { ok: false, reason: 'invalid' };
  }
  await throttle.recordSuccess(emailLower, input.ip);
  if (user.status === 'disabled') return { ok: false, reason: 'disabled' };
  const actor = toActor(user);
  return { ok: true, actor, epoch: user.sessionEpoch, needsTotp: user.totpEnabled, mustEnrol: !user.totpEnabled && sessionNeedsSecondFactor(actor) };
}

/** Second step of a login with TOTP. */
export async function verifyLoginCode(userId: string, code: string): Promise<boolean> {
  const credential = await Credential.findById(userId).lean();
  if (!credential?.totpSecret) return false;
  const step = await totp.check(credential.totpSecret, code, credential.totpLastStep);
  if (step === undefined) return false;
  // Compare-and-set on the last step, so two requests with one code cannot both pass.
  const res = await Credential.updateOne(
    { _id: userId, $or: [{ totpLastStep: trusted({ $exists: false }) }, { totpLastStep: trusted({ $lt: step }) }] },
    { $set: { totpLastStep: step } },
  );
  return res.modifiedCount === 1;
}

/** Second step of a TOTP login; null (and a counted failure) for a wrong code. */
export async function completeTotpLogin(userId: string, code: string, ip: string): Promise<{ actor: Actor; epoch: number } | null> {
  const user = await User.findById(userId).lean<UserDoc>();
  if (!user || user.status === 'disabled') return null;
  await throttle.checkAttempt(user.emailLower, ip, false);
  if (!(await verifyLoginCode(userId, code))) {
    await throttle.recordFailure(user.emailLower, ip);
    await audit.record({ action: 'login.failure', target: { kind: 'user', id: userId, label: user.emailLower }, detail: 'totp', ip });
    return null;
  }
  return { actor: toActor(user), epoch: user.sessionEpoch };
}

export async function loginSucceeded(actor: Actor, ip: string): Promise<void> {
  await User.updateOne({ _id: actor.id }, { $set: { lastLoginAt: clock.now() } });
  await audit.record({ actor, action: 'login.success', target: { kind: 'user', id: actor.id, label: actor.email }, ip });
}

/**
 * Users as sessions and tokens see them, cached in process: every write to a user (model.ts, announceChanges)
 * drops the cache here at once and in other instances within seconds (platform/db/shared-cache.ts).
 */
const sessionUsers = new SharedCache<{ actor: Actor; epoch: number }>('accounts');

/** The account with its session epoch, from the cache (a copy: callers may change what they get). */
export async function cachedUser(id: string): Promise<{ actor: Actor; epoch: number } | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const found = await sessionUsers.get(id, async () => {
    const user = await User.findById(id).lean<UserDoc>();
    return user && { actor: toActor(user), epoch: user.sessionEpoch };
  });
  if (!found) return null;
  const { actor, epoch } = found;
  return { actor: { ...actor, profile: actor.profile && { ...actor.profile } }, epoch };
}

/** The user behind a session, or null when the session must end (disabled, password changed elsewhere). */
export async function loadSessionUser(id: string, epoch: number): Promise<Actor | null> {
  const user = await cachedUser(id);
  if (!user || user.actor.status === 'disabled' || user.epoch !== epoch) return null;
  return user.actor;
}

export async function getUser(id: string): Promise<Actor> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('用户不存在。');
  const user = await User.findById(id).lean<UserDoc>();
  if (!user) throw new NotFound('用户不存在。');
  return toActor(user);
}

export async function findByEmail(email: string): Promise<Actor | undefined> {
  const user = await User.findOne({ emailLower: normalizeEmail(email) }).lean<UserDoc>();
  return user ? toActor(user) : undefined;
}

/** Ends every session of the account: bumps the epoch and deletes the stored sessions. */
async function endSessions(userId: string): Promise<number> {
  const updated = await User.findOneAndUpdate({ _id: userId }, { $inc: { sessionEpoch: 1 } }, { returnDocument: 'after' }).lean<UserDoc>();
  await mongoose.connection.collection(SESSIONS_COLLECTION).deleteMany({ 'session.passport.user.id': userId });
  await endedSessions();
  return updated?.sessionEpoch ?? 0;
}

/**
 * Changes the password after checking the current one. Every session of the account ends; the caller
 * re-establishes its own session with the returned epoch.
 */
export async function changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }, ip?: string): Promise<number> {
  const credential = await Credential.findById(actor.id).lean();
  if (!credential || !(await verifyPassword(credential.passwordHash, input.currentPassword))) {
    throw new Invalid({ currentPassword: '当前密码不正确。' });
  }
  const problem = passwordProblem(input.newPassword, { email: actor.email });
  if (problem) throw new Invalid({ newPassword: problem });
  return setPassword(actor, input.newPassword, { ip, action: 'password.change' });
}

/**
 * Stores a new password (already checked against the policy) and ends every session of the account; returns the
 * new session epoch. The change also voids every reset link mailed before it (password-reset.ts).
 */
export async function setPassword(actor: Actor, password: string, opts: { ip?: string | undefined; action: 'password.change' | 'password.reset' }): Promise<number> {
  await Credential.updateOne({ _id: actor.id }, { $set: { passwordHash: await hashPassword(password), passwordChangedAt: clock.now() } });
  const epoch = await endSessions(actor.id);
  await audit.record({ actor, action: opts.action, target: { kind: 'user', id: actor.id, label: actor.email }, ip: opts.ip });
  return epoch;
}

// ---- API tokens: tokens.ts (re-exported here, so callers keep one accounts service) ----------------------

export * from './tokens.ts';

// ---- TOTP -------------------------------------------------------------------------------------------------

/** Two-step login is offered to the bureau's accounts only (policy.ts decides who must use it). */
function onlyOrganizersEnrol(actor: Actor): void {
  if (!isOrganizer(actor)) throw new Forbidden('两步验证目前仅向区科技局账户开放。');
}

export async function beginTotp(actor: Actor): Promise<{ secret: string; uri: string; qr: string }> {
  onlyOrganizersEnrol(actor);
  const secret = totp.newSecret();
  return { secret, ...(await totp.enrolment(secret, actor.email)) };
}

export async function enrolmentFor(actor: Actor, secret: string): Promise<{ uri: string; qr: string }> {
  return totp.enrolment(secret, actor.email);
}

/**
 * Turns the second factor on with the secret shown at enrolment, once a code from it checks. Returns the
 * account's session epoch, so the caller can continue in a fresh session that counts as having passed it.
 */
export async function confirmTotp(actor: Actor, secret: string, code: string): Promise<number> {
  onlyOrganizersEnrol(actor);
  const step = await totp.check(secret, code);
  if (step === undefined) throw new Invalid({ code: '验证码不正确，请核对手机上的 6 位数字后重试。' });
  // Only an account without a second factor enrols: one that has it replaces it only by an administrator's reset.
  const user = await User.findOneAndUpdate({ _id: actor.id, totpEnabled: false }, { $set: { totpEnabled: true } }, { returnDocument: 'after' }).lean<UserDoc>();
  if (!user) throw new Conflict('两步验证已经启用。');
  await Credential.updateOne({ _id: actor.id }, { $set: { totpSecret: secret, totpLastStep: step } });
  await audit.record({ actor, action: 'totp.enable', target: { kind: 'user', id: actor.id, label: actor.email } });
  return user.sessionEpoch;
}

export async function disableTotp(actor: Actor, code: string): Promise<void> {
  if (secondFactorRequired(actor)) {
    throw new Conflict('区科技局账户必须使用两步验证，不能关闭。更换手机时，请由系统管理员在服务器上执行 npm run cli -- totp:reset --email 您的邮箱，然后重新登录并绑定。');
  }
  if (!(await verifyLoginCode(actor.id, code))) throw new Invalid({ code: '验证码不正确。' });
  await Credential.updateOne({ _id: actor.id }, { $unset: { totpSecret: 1, totpLastStep: 1 } });
  await User.updateOne({ _id: actor.id }, { $set: { totpEnabled: false } });
  await audit.record({ actor, action: 'totp.disable', target: { kind: 'user', id: actor.id, label: actor.email } });
}

/**
 * The administrator's ways in (server/cli.ts, the demo seed): set a known secret without a code (the demo
 * organizer's, printed with the demo accounts), or clear it (a lost phone). Either ends the account's sessions;
 * after a reset an organizer enrols again at the next sign-in.
 */
export async function installTotpSecret(userId: string, secret: string, by?: Actor): Promise<void> {
  const user = await getUser(userId);
  await Credential.updateOne({ _id: userId }, { $set: { totpSecret: secret }, $unset: { totpLastStep: 1 } });
  await User.updateOne({ _id: userId }, { $set: { totpEnabled: true } });
  await endSessions(userId);
  await audit.record({ actor: by, action: 'totp.enable', target: { kind: 'user', id: userId, label: user.email }, detail: '管理员设置' });
}

export async function resetTotp(userId: string, by?: Actor): Promise<void> {
  const user = await getUser(userId);
  await Credential.updateOne({ _id: userId }, { $unset: { totpSecret: 1, totpLastStep: 1 } });
  await User.updateOne({ _id: userId }, { $set: { totpEnabled: false } });
  await endSessions(userId);
  await audit.record({ actor: by, action: 'totp.reset', target: { kind: 'user', id: userId, label: user.email } });
}

// ---- Organizer: user management ---------------------------------------------------------------------------

export interface UserRow extends Actor {
  createdAt: Date;
  lastLoginAt?: Date | null | undefined;
}

export async function listUsers(actor: Actor, q: UserListQuery): Promise<{ items: UserRow[]; total: number; page: number; limit: number }> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const filter: Record<string, unknown> = {};
  if (q.role) filter.role = q.role;
  if (q.status) filter.status = q.status;
  if (q.q) {
    const pattern = q.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    filter.$or = [{ emailLower: trusted({ $regex: pattern.toLowerCase() }) }, { name: trusted({ $regex: pattern, $options: 'i' }) }];
  }
  const { docs, total } = await findPage<UserDoc>(User, filter, { createdAt: -1 }, q);
  return { items: docs.map((d) => ({ ...toActor(d), createdAt: d.createdAt, lastLoginAt: d.lastLoginAt })), total, page: q.page, limit: q.limit };
}

async function changeStatus(actor: Actor, userId: string, status: Actor['status'], action: string): Promise<Actor> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const target = await getUser(userId);
  if (target.id === actor.id && status !== 'active') throw new Conflict('不能停用自己的账户。');
  const set: Record<string, unknown> = { status };
  if (action === 'user.approve') Object.assign(set, { approvedAt: clock.now(), approvedBy: actor.id });
  await User.updateOne({ _id: userId }, { $set: set });
  if (status === 'disabled') await endSessions(userId);
  await audit.record({ actor, action, target: { kind: 'user', id: userId, label: target.email } });
  // A registration waiting for approval was decided: the applicant is told (disabling it is the rejection).
  if (target.status === 'pending' && status !== 'pending') {
    const approved = status === 'active';
    await notifyUsers([userId], {
      kind: approved ? 'account.approved' : 'account.rejected',
      title: approved ? '您的账户已通过审核' : '您的注册申请未通过审核',
      link: approved ? '/account' : '/',
      key: `user:${userId}:${approved ? 'approved' : 'rejected'}`,
      mail: mail.accountReviewed(approved, { name: target.name }),
    });
  }
  return { ...target, status };
}

export const approveUser = (actor: Actor, userId: string) => changeStatus(actor, userId, 'active', 'user.approve');
export const disableUser = (actor: Actor, userId: string) => changeStatus(actor, userId, 'disabled', 'user.disable');
export const enableUser = (actor: Actor, userId: string) => changeStatus(actor, userId, 'active', 'user.enable');

export async function changeRole(actor: Actor, userId: string, role: Role): Promise<Actor> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const target = await getUser(userId);
  if (target.id === actor.id) throw new Conflict('不能修改自己的角色，请让另一位管理员操作。');
  if (target.role === role) return target;
  // A new role speaks for a different kind of record: the old link no longer applies.
  await User.updateOne({ _id: userId }, { $set: { role }, $unset: { profile: 1 } });
  await endSessions(userId);
  await audit.record({ actor, action: 'user.role', target: { kind: 'user', id: userId, label: target.email }, detail: `${target.role} → ${role}` });
  return { ...target, role, profile: undefined };
}

/** Links the account to the record it speaks for (its enterprise, institution, expert or broker profile). */
export async function linkProfile(userId: string, profile: { kind: ProfileKind; id: string }): Promise<void> {
  await User.updateOne({ _id: userId }, { $set: { profile } });
}

/**
 * An account made for an existing record through an organizer's invitation (memberships/invitations.ts):
 * active at once and bound to the record. Throws Invalid when the address has an account meanwhile.
 */
export async function createLinkedUser(
  fields: { name: string; email: string; role: Role },
  password: string,
  profile: { kind: ProfileKind; id: string },
): Promise<Actor> {
  const user = await insertUser({ ...fields, status: 'active' }, password);
  await User.updateOne({ _id: user._id }, { $set: { profile, approvedAt: clock.now() } });
  const actor = { ...toActor(user), profile };
  await audit.record({ actor, action: 'register', target: { kind: 'user', id: actor.id, label: actor.email }, detail: `受邀：${profile.kind} ${profile.id}` });
  return actor;
}

/**
 * Binds an account that speaks for no record yet to one (an approved claim, memberships/claims.ts); a pending
 * account is approved with it, since the organizer who approves the claim has reviewed the person. False when
 * the account meanwhile got a record, changed role or was disabled.
 */
export async function bindProfile(userId: string, role: Role, profile: { kind: ProfileKind; id: string }, by: Actor): Promise<boolean> {
  const now = clock.now();
  const res = await User.updateOne(
    { _id: userId, role, status: trusted({ $in: ['active', 'pending'] as ('active' | 'pending')[] }), 'profile.id': null },
    { $set: { profile, status: 'active', approvedAt: now, approvedBy: by.id } },
  );
  return res.modifiedCount === 1;
}

export async function countUsers(filter: { role?: Role; status?: Actor['status'] } = {}): Promise<number> {
  return User.countDocuments(filter);
}
