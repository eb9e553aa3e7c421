// Accounts: registration, login (with throttling and TOTP), the account page with tokens, and the
// organizer's user management — pages and /api/v1 side by side.
import { Router } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { organizerOnly, requireUser } from '../platform/auth/guards.ts';
import { DatabaseRateLimitStore } from '../platform/http/rate-limit-store.ts';
import { tooMany } from '../platform/http/rate-limit.ts';
import * as pages from './pages.ts';
import * as admin from './admin-pages.ts';
import * as api from './api.ts';
import * as resets from './reset-pages.ts';
import { perAddress } from '../platform/http/rate-limit.ts';

/** docs/security.md 3: ten failed logins a minute from one address; the eleventh attempt gets 429. */
const loginLimiter = rateLimit({
  windowMs: 60_000,
  limit: 10,
  skipSuccessfulRequests: true,
  store: new DatabaseRateLimitStore('login:ip:'),
  keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
  standardHeaders: 'draft-7',
  legacyHeaders: false,
  handler: tooMany('登录尝试过于频繁，请一分钟后再试。'),
});

const registerLimiter = rateLimit({
  windowMs: 3_600_000,
  limit: 20,
  store: new DatabaseRateLimitStore('register:ip:'),
  keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
  standardHeaders: 'draft-7',
  legacyHeaders: false,
  handler: tooMany('注册过于频繁，请稍后再试。'),
});

/** Forgotten passwords (password-reset.ts): asking as often as logging in; following links as invitation links. */
const forgotLimiter = perAddress({ prefix: 'reset:ip:', windowMs: 60_000, limit: 10, message: '申请过于频繁，请一分钟后再试。' });
const resetLinkLimiter = perAddress({ prefix: 'reset-link:ip:', windowMs: 10 * 60_000, limit: 30, message: '尝试过于频繁，请十分钟后再试。' });

export default function accountRoutes(): Router {
  const r = Router();
  r.get('/register', pages.registerForm);
  r.post('/register', registerLimiter, pages.register);
  r.get('/login', pages.loginForm);
  r.post('/login', loginLimiter, pages.login);
  r.get('/login/totp', pages.totpForm);
  r.post('/login/totp', loginLimiter, pages.totpLogin);
  r.post('/logout', pages.logout);
  r.get('/password/forgot', resets.forgotForm);
  r.post('/password/forgot', forgotLimiter, resets.forgot);
  r.get('/password/reset/:token', resetLinkLimiter, resets.resetForm);
  r.post('/password/reset/:token', resetLinkLimiter, resets.reset);

  r.get('/account', requireUser, pages.account);
  r.post('/account/password', requireUser, pages.changePassword);
  r.post('/account/tokens', requireUser, pages.createToken);
  r.post('/account/tokens/:id/revoke', requireUser, pages.revokeToken);
  r.post('/account/tokens/:id/renew', requireUser, pages.renewToken);
  r.get('/account/totp', organizerOnly, pages.totpSetup);
  r.post('/account/totp', organizerOnly, pages.totpConfirm);
  r.post('/account/totp/disable', requireUser, pages.totpDisable);

  r.get('/admin/users', organizerOnly, admin.list);
  r.get('/admin/users/:id', organizerOnly, admin.show);
  r.post('/admin/users/:id/approve', organizerOnly, admin.approve);
  r.get('/admin/users/:id/disable', organizerOnly, admin.confirmDisable);
  r.post('/admin/users/:id/disable', organizerOnly, admin.disable);
  r.post('/admin/users/:id/enable', organizerOnly, admin.enable);
  r.post('/admin/users/:id/role', organizerOnly, admin.changeRole);

  r.get('/api/v1/me', requireUser, api.me);
  r.get('/api/v1/users', organizerOnly, api.listUsers);
  r.post('/api/v1/users', organizerOnly, api.createUser);
  r.get('/api/v1/users/:id', organizerOnly, api.getUser);
  r.post('/api/v1/users/:id/approve', organizerOnly, api.approve);
  r.post('/api/v1/users/:id/disable', organizerOnly, api.disable);
  r.post('/api/v1/users/:id/enable', organizerOnly, api.enable);
  r.put('/api/v1/users/:id/role', organizerOnly, api.changeRole);
  return r;
}
