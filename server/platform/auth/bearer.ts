// API authentication by personal access token (`Authorization: Bearer tbd_…`). The API never looks at
// session cookies, which is why it needs no CSRF token.
//
// Failed authentications are throttled per address, like failed logins (accounts/routes.ts): after
// TOKEN_FAILURES_PER_MINUTE failures within a minute, every request from that address that carries a token
// gets 429 with Retry-After until the minute is over — the token is not even looked at. The counters live in
// the database (http/rate-limit-store.ts), so the limit holds across instances; a successful request never
// counts, so a busy client with a good token is not slowed. An address's count is read from the database at most
// once a second (PEEK_MS) per instance, and this instance's own failures update it at once, so a busy client costs
// no database round trip per request; failures counted by another instance are seen within that second.
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { TooMany, Unauthorized } from '../errors.ts';
import { hit, peek } from '../http/rate-limit-store.ts';
import { clock } from '../clock.ts';
import type { Actor } from './actor.ts';
import './types.ts';

export const TOKEN_FAILURES_PER_MINUTE = 20;
const WINDOW_MS = 60_000;

const PEEK_MS = 1_000;
const MAX_REMEMBERED = 10_000;

/** an address's key (an IPv6 address by its /56, as the login limits count it), remembered per address seen */
const failureKeys = new Map<string, string>();
const failureKey = (ip: string | undefined) => {
  const address = ip ?? 'unknown';
  let key = failureKeys.get(address);
  if (key === undefined) {
    if (failureKeys.size >= MAX_REMEMBERED) failureKeys.clear();
    key = `token:ip:${ipKeyGenerator(address)}`;
    failureKeys.set(address, key);
  }
  return key;
};

type Failures = { hits: number; resetAt: Date } | undefined;

export function bearerAuth(verify: (token: string) => Promise<Actor | null>): RequestHandler {
  /** the failure count per key as last read or written here, and when (performance.now()) */
  const known = new Map<string, { failures: Failures; at: number }>();
  const remember = (key: string, failures: Failures) => {
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(key, { failures, at: performance.now() });
  };
  const failuresOf = async (key: string): Promise<Failures> => {
    const seen = known.get(key);
    if (seen && performance.now() - seen.at < PEEK_MS) return seen.failures && seen.failures.resetAt > clock.now() ? seen.failures : undefined;
    const failures = await peek(key);
    remember(key, failures);
    return failures;
  };
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const key = failureKey(req.ip);
    const failures = await failuresOf(key);
    if (failures && failures.hits >= TOKEN_FAILURES_PER_MINUTE) {
      const seconds = Math.max(1, Math.ceil((failures.resetAt.getTime() - clock.ms()) / 1000));
      return next(new TooMany(seconds, `访问令牌验证失败次数过多，请 ${seconds} 秒后再试。`));
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m ? await verify(m[1]!) : null;
    if (!actor) {
      remember(key, await hit(key, WINDOW_MS));
      return next(new Unauthorized(m ? '访问令牌无效、已撤销或账户已停用。' : 'Authorization 头格式应为：Bearer <令牌>。'));
    }
    req.user = actor;
    req.authVia = 'token';
    next();
  };
}
