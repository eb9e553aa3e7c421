// API authentication by personal access token (`Authorization: Bearer tbd_…`). The API never looks at
// session cookies, which is why it needs no CSRF token.
//
// Failed authentications are throttled per address, like failed logins (accounts/routes.ts): after
// TOKEN_FAILURES_PER_MINUTE failures within a minute, every request from that address that carries a token
// gets 429 with Retry-After until the minute is over — the token is not even looked at. The counters live in
// the database (http/rate-limit-store.ts), so the limit holds across instances; a successful request never
// counts, so a busy client with a good token is not slowed.
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { TooMany, Unauthorized } from '../errors.ts';
import { hit, peek } from '../http/rate-limit-store.ts';
import { clock } from '../clock.ts';
import type { Actor } from './actor.ts';
import './types.ts';

export const TOKEN_FAILURES_PER_MINUTE = 20;
const WINDOW_MS = 60_000;

const failureKey = (ip: string | undefined) => `token:ip:${ipKeyGenerator(ip ?? 'unknown')}`;

export function bearerAuth(verify: (token: string) => Promise<Actor | null>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const key = failureKey(req.ip);
    const failures = await peek(key);
    if (failures && failures.hits >= TOKEN_FAILURES_PER_MINUTE) {
      const seconds = Math.max(1, Math.ceil((failures.resetAt.getTime() - clock.ms()) / 1000));
      return next(new TooMany(seconds, `访问令牌验证失败次数过多，请 ${seconds} 秒后再试。`));
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m ? await verify(m[1]!) : null;
    if (!actor) {
      await hit(key, WINDOW_MS);
      return next(new Unauthorized(m ? '访问令牌无效、已撤销或账户已停用。' : 'Authorization 头格式应为：Bearer <令牌>。'));
    }
    req.user = actor;
    req.authVia = 'token';
    next();
  };
}
