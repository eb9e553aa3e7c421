// The web's second-factor gate (policy.ts): a signed-in account that must use two-step login and whose session
// has not passed it can do nothing but enrol (GET/POST /account/totp) or sign out. A session that began before
// the account turned two-step login on (here or in another browser) ends: sign in again, with the code.
// API requests are not sessions; their tokens are governed by policy.ts when they are made.
import type { RequestHandler } from 'express';
import { endSession } from '../platform/auth/passport.ts';
import { Forbidden, Unauthorized } from '../platform/errors.ts';
import { sessionNeedsSecondFactor } from './policy.ts';

export const ENROL_PATH = '/account/totp';
const allowed = (method: string, path: string) => path === ENROL_PATH || (method === 'POST' && path === '/logout');

export const secondFactorGate: RequestHandler = async (req, res, next) => {
  const user = req.user;
  if (req.authVia !== 'session' || !user || !sessionNeedsSecondFactor(user) || req.session.secondFactor) return next();
  if (user.totpEnabled) {
    await endSession(req);
    if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return next(new Unauthorized('请重新登录并输入两步验证码。'));
  }
  if (allowed(req.method, req.path)) return next();
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, ENROL_PATH);
  next(new Forbidden('区科技局账户须先绑定两步验证，才能使用其他功能。'));
};
