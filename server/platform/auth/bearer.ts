// API authentication by personal access token (`Authorization: Bearer tbd_…`). The API never looks at
// session cookies, which is why it needs no CSRF token.
import type { RequestHandler } from 'express';
import { Unauthorized } from '../errors.ts';
import type { Actor } from './actor.ts';
import './types.ts';

export function bearerAuth(verify: (token: string) => Promise<Actor | null>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return next(new Unauthorized('Authorization 头格式应为：Bearer <令牌>。'));
    const actor = await verify(m[1]!);
    if (!actor) return next(new Unauthorized('访问令牌无效、已撤销或账户已停用。'));
    req.user = actor;
    req.authVia = 'token';
    next();
  };
}
