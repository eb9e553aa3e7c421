// API tokens: made on the account page (web tokens, which expire unless renewed) or by the server's command line
// (admin tokens), shown once and stored only as a hash; the bearer authentication of /api/v1 looks them up here,
// by `_id` (the hash is the `_id` of its api_token_keys entry) and through an in-process cache that every write to
// a token or a user drops, here at once and in other instances within seconds (platform/db/shared-cache.ts).
import { createHash, randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { Conflict, Forbidden, NotFound, Unauthorized } from '../platform/errors.ts';
import { isoDate } from '../platform/time.ts';
import * as audit from '../audit/service.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { ApiToken, ApiTokenKey, type ApiTokenDoc } from './model.ts';
import { mayManageWebTokens, webTokenLifetimeMs } from './policy.ts';
import { cachedUser } from './service.ts';

export const TOKEN_PREFIX = 'tbd_';
const hashToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

export interface TokenView {
  id: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt?: Date | null | undefined;
  revokedAt?: Date | null | undefined;
  /** absent: the token does not expire (made by the command line without --days) */
  expiresAt?: Date | undefined;
  expired: boolean;
  /** made on the web, neither revoked nor expired: the account page offers to renew it */
  renewable: boolean;
}

/** When the token stops working: its own expiry, or for tokens from before expiry existed, createdAt plus the
 *  web lifetime of the owner's role (policy.ts). */
function expiryOf(t: ApiTokenDoc, owner: Pick<Actor, 'role'>): Date | undefined {
  if (t.expiresAt) return t.expiresAt;
  if (t.origin) return undefined;
  return new Date(t.createdAt.getTime() + webTokenLifetimeMs(owner));
}

function tokenView(t: ApiTokenDoc, owner: Pick<Actor, 'role'>, now = clock.ms()): TokenView {
  const expiresAt = expiryOf(t, owner);
  const expired = !!expiresAt && expiresAt.getTime() <= now;
  return {
    id: String(t._id),
    name: t.name,
    hint: t.hint,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    expiresAt,
    expired,
    renewable: t.origin !== 'admin' && !t.revokedAt && !expired,
  };
}

async function insertToken(actor: Actor, name: string, fields: { origin: 'web' | 'admin'; expiresAt?: Date | undefined }) {
  const raw = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const _id = new mongoose.Types.ObjectId();
  // The key first: a token never exists without it (a key whose token write failed points at nothing).
  await ApiTokenKey.create({ _id: hashToken(raw), token: _id });
  const doc = await ApiToken.create({ _id, userId: actor.id, name, tokenHash: hashToken(raw), hint: raw.slice(-4), ...fields });
  await audit.record({
    actor,
    action: 'token.create',
    target: { kind: 'token', id: String(doc._id), label: name },
    detail: fields.origin === 'web' ? `网页创建，有效期至 ${isoDate(fields.expiresAt)}` : '命令行创建',
  });
  return { token: raw, view: tokenView(doc.toObject() as ApiTokenDoc, actor) };
}

/**
 * The administrator's token (the server's command line, server/cli.ts, and other callers inside the server):
 * no second factor, no expiry unless `expiresAt` is given. The raw value is returned once; only its hash is stored.
 */
export async function createToken(actor: Actor, name: string, opts: { expiresAt?: Date } = {}): Promise<{ token: string; view: TokenView }> {
  return insertToken(actor, name, { origin: 'admin', expiresAt: opts.expiresAt });
}

const webTokenRefusal = '区科技局账户只能在通过两步验证登录后创建或续期 API 令牌，请退出后重新登录并输入验证码。';

/**
 * A token made on the account page: it expires after the account's web lifetime (policy.ts) unless renewed,
 * and an account that must use a second factor makes one only from a session that passed it.
 */
export async function createWebToken(actor: Actor, name: string, session: { secondFactor: boolean }): Promise<{ token: string; view: TokenView }> {
  if (!mayManageWebTokens(actor, session)) throw new Forbidden(webTokenRefusal);
  return insertToken(actor, name, { origin: 'web', expiresAt: new Date(clock.ms() + webTokenLifetimeMs(actor)) });
}

/** Renews the owner's own live web token for another full lifetime (from now). An expired token stays expired. */
export async function renewToken(actor: Actor, tokenId: string, session: { secondFactor: boolean }): Promise<TokenView> {
  if (!mayManageWebTokens(actor, session)) throw new Forbidden(webTokenRefusal);
  if (!mongoose.isValidObjectId(tokenId)) throw new NotFound('令牌不存在。');
  const doc = await ApiToken.findById(tokenId).lean<ApiTokenDoc>();
  if (!doc || doc.userId !== actor.id) throw new NotFound('令牌不存在。');
  const view = tokenView(doc, actor);
  if (doc.revokedAt) throw new Conflict('令牌已撤销，不能续期。');
  if (view.expired) throw new Conflict('令牌已过期，不能续期，请新建一个令牌。');
  if (doc.origin === 'admin') throw new Conflict('命令行创建的令牌请在服务器上重新创建。');
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + webTokenLifetimeMs(actor));
  // Only while still unrevoked, so a revoke in between is not undone.
  const res = await ApiToken.updateOne(
    { _id: tokenId, revokedAt: null },
    { $set: { expiresAt, renewedAt: now, origin: 'web' } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('令牌刚刚被撤销，不能续期。');
  await audit.record({ actor, action: 'token.renew', target: { kind: 'token', id: tokenId, label: doc.name }, detail: `有效期至 ${isoDate(expiresAt)}` });
  return { ...view, expiresAt, renewable: true };
}

/** Each user's tokens for the account page (a filter on `userId`: a scan on FerretDB), dropped by any token write. */
const tokenLists = new SharedCache<ApiTokenDoc[]>('tokens', 2_000);

export async function listTokens(actor: Actor): Promise<TokenView[]> {
  const docs = (await tokenLists.get(actor.id, () => ApiToken.find({ userId: actor.id }).sort({ createdAt: -1, _id: -1 }).lean<ApiTokenDoc[]>())) ?? [];
  const now = clock.ms();
  return docs.map((d) => tokenView(d, actor, now));
}

export async function revokeToken(actor: Actor, tokenId: string): Promise<void> {
  if (!mongoose.isValidObjectId(tokenId)) throw new NotFound('令牌不存在。');
  const doc = await ApiToken.findById(tokenId).lean<ApiTokenDoc>();
  // Someone else's token looks exactly like a missing one.
  if (!doc || (doc.userId !== actor.id && !isOrganizer(actor))) throw new NotFound('令牌不存在。');
  if (doc.revokedAt) return;
  await ApiToken.updateOne({ _id: tokenId }, { $set: { revokedAt: clock.now() } });
  await audit.record({ actor, action: 'token.revoke', target: { kind: 'token', id: tokenId, label: doc.name } });
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Tokens by hash, revoked ones included (they answer null without a database read). */
const tokensByHash = new SharedCache<ApiTokenDoc>('accounts');

async function tokenByHash(hash: string): Promise<ApiTokenDoc | null | undefined> {
  return tokensByHash.get(hash, async () => {
    const key = await ApiTokenKey.findById(hash).lean();
    if (!key) return null;
    const token = await ApiToken.findById(key.token).lean<ApiTokenDoc>();
    return token && token.tokenHash === hash ? token : null;
  });
}

/**
 * The user a bearer token speaks for, or null for an unknown, revoked or disabled one. An expired token throws
 * Unauthorized saying so (the API answers 401 problem+json), so its owner knows to make a new one.
 */
export async function authenticateToken(raw: string): Promise<Actor | null> {
  if (!raw.startsWith(TOKEN_PREFIX) || raw.length > 200) return null;
  const hash = hashToken(raw);
  const token = await tokenByHash(hash);
  if (!token || token.revokedAt) return null;
  const user = await cachedUser(token.userId);
  if (!user || user.actor.status === 'disabled') return null;
  const actor = user.actor;
  const now = clock.ms();
  const expiresAt = expiryOf(token, actor);
  if (expiresAt && expiresAt.getTime() <= now) {
    throw new Unauthorized(`访问令牌“${token.name}”已于 ${isoDate(expiresAt)} 过期，请在“我的账户”页面新建令牌（到期前可续期）。`);
  }
  if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // lastUsedAt alone announces nothing (model.ts); the cached copy here learns it directly.
    await ApiToken.updateOne({ _id: token._id }, { $set: { lastUsedAt: new Date(now) } });
    tokensByHash.patch(hash, (t) => (t.lastUsedAt = new Date(now)));
  }
  return actor;
}

/**
 * Startup (server/main.ts): gives every token made before api_token_keys existed its key, so that bearer
 * authentication needs no lookup by any other field. Returns how many were added.
 */
export async function addMissingTokenKeys(): Promise<number> {
  const [tokens, keys] = await Promise.all([
    ApiToken.find({}).select('_id tokenHash').lean<Pick<ApiTokenDoc, '_id' | 'tokenHash'>[]>(),
    ApiTokenKey.find({}).select('_id').lean<{ _id: string }[]>(),
  ]);
  const have = new Set(keys.map((k) => k._id));
  const missing = tokens.filter((t) => !have.has(t.tokenHash)).map((t) => ({ _id: t.tokenHash, token: t._id }));
  if (!missing.length) return 0;
  try {
    await ApiTokenKey.insertMany(missing, { ordered: false });
  } catch (err) {
    // Another instance starting at the same time added some of them: those are there, which is all we want.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  return missing.length;
}
