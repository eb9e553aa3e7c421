// Page handlers of the accounts module: parse the form, call one service function, render or redirect.
import type { Request, RequestHandler, Response } from 'express';
import { TooMany, Invalid } from '../platform/errors.ts';
import { parse } from '../platform/http/validate.ts';
import { echoValues, renderInvalid } from '../platform/http/forms.ts';
import { idParam, safeReturnPath } from '../platform/http/params.ts';
import { endSession, startSession } from '../platform/auth/passport.ts';
import { optionsOf } from '../vocabulary/index.ts';
import * as audit from '../audit/service.ts';
import * as accounts from './service.ts';
import { MIN_LENGTH } from './passwords.ts';
import { changePasswordSchema, loginSchema, registerSchema, SELF_SERVICE_ROLES, tokenSchema, totpCodeSchema } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { preferencesOf } from '../mail/service.ts';
import { isoDate } from '../platform/time.ts';
import { secondFactorRequired, webTokenLifetimeMs } from './policy.ts';
import { ENROL_PATH } from './second-factor.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from '../platform/http/kept-body.ts';

export const DEVICE_COOKIE = 'dongbao.device';
const DEVICE_MAX_AGE = 180 * 24 * 3600 * 1000;
const TOTP_PENDING_MS = 5 * 60 * 1000;

const roleOptions = optionsOf('role').filter((o) => (SELF_SERVICE_ROLES as readonly string[]).includes(o.value));
const ip = (req: Request) => req.ip ?? 'unknown';

function rememberDevice(res: Response, userId: string, secure: boolean): void {
  res.cookie(DEVICE_COOKIE, userId, { signed: true, httpOnly: true, sameSite: 'lax', secure, maxAge: DEVICE_MAX_AGE });
}

// ---- registration -------------------------------------------------------------------------------------------

// A visitor who registers from a call to action (发布技术需求 on /demands or the home page) comes back to the page
// they started from: `next`, a same-site path (safeReturnPath), kept through the form.
export const registerForm: RequestHandler = (req, res) => {
  if (req.user) return res.redirect(303, safeReturnPath(req.query.next));
  res.render('accounts/register', { title: '注册', values: { role: req.query.role }, roleOptions, minLength: MIN_LENGTH, next: safeReturnPath(req.query.next, '') });
};

export const register: RequestHandler = async (req, res) => {
  const next = safeReturnPath(req.body?.next, '');
  const locals = { title: '注册', values: echoValues(req.body), roleOptions, minLength: MIN_LENGTH, next };
  try {
    const input = parse(registerSchema, req.body);
    const actor = await accounts.register(input, ip(req));
    await startSession(req, actor, 0);
    rememberDevice(res, actor.id, req.secure);
    req.flash(
      'success',
      actor.status === 'pending' ? '注册成功。您的账户需经区科技局审核后才能发布内容，审核结果会显示在“我的账户”中。' : '注册成功，欢迎使用东宝科技对接平台。',
    );
    res.redirect(303, next || '/account');
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/register', err, locals);
    throw err;
  }
};

// ---- login / logout ---------------------------------------------------------------------------------------

export const loginForm: RequestHandler = (req, res) => {
  if (req.user) return res.redirect(303, safeReturnPath(req.query.next));
  res.render('accounts/login', {
    title: '登录',
    next: safeReturnPath(req.query.next, ''),
    expired: req.query.expired === '1',
    values: {},
  });
};

export const login: RequestHandler = async (req, res) => {
  const next = safeReturnPath(req.body?.next, '/account');
  const locals = { title: '登录', next, values: echoValues(req.body) };
  const parsed = loginSchema.safeParse(req.body);
  if (!parsed.success) return renderInvalid(res, 'accounts/login', new Invalid({ _: '请填写邮箱和密码。' }), locals);
  try {
    const outcome = await accounts.authenticate({
      ...parsed.data,
      ip: ip(req),
      deviceUserId: typeof req.signedCookies?.[DEVICE_COOKIE] === 'string' ? req.signedCookies[DEVICE_COOKIE] : undefined,
    });
    if (!outcome.ok) {
      const message = outcome.reason === 'disabled' ? '该账户已被停用，如有疑问请联系区科技局。' : '邮箱或密码不正确。';
      return renderInvalid(res, 'accounts/login', new Invalid({ _: message }), locals, outcome.reason === 'disabled' ? 403 : 401);
    }
    if (outcome.needsTotp) {
      // Password verified; the second factor decides. A fresh id for this half-logged-in state, too.
      await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
      req.session.pendingTotp = { userId: outcome.actor.id, at: clock.ms(), returnTo: next };
      // Stored before the redirect: express-session sends the headers before its own save ends, and a browser
      // that follows the 303 at once would otherwise ask for the code step before the session exists.
      await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
      return res.redirect(303, '/login/totp');
    }
    await startSession(req, outcome.actor, outcome.epoch, { secondFactor: false });
    await accounts.loginSucceeded(outcome.actor, ip(req));
    rememberDevice(res, outcome.actor.id, req.secure);
    if (outcome.mustEnrol) {
      // An organizer without a second factor: this session can do nothing but enrol (second-factor.ts).
      req.session.enrolReturnTo = next;
      req.flash('info', '区科技局账户必须使用两步验证。请先用手机验证器绑定，完成后即可继续使用。');
      return res.redirect(303, ENROL_PATH);
    }
    res.redirect(303, next);
  } catch (err) {
    if (err instanceof TooMany) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return renderInvalid(res, 'accounts/login', new Invalid({ _: err.detail }), locals, 429);
    }
    throw err;
  }
};

export const totpForm: RequestHandler = (req, res) => {
  if (!req.session.pendingTotp) return res.redirect(303, '/login');
  res.render('accounts/login-totp', { title: '两步验证' });
};

export const totpLogin: RequestHandler = async (req, res) => {
  const pending = req.session.pendingTotp;
  if (!pending || clock.ms() - pending.at > TOTP_PENDING_MS) {
    delete req.session.pendingTotp;
    req.flash('error', '验证已超时，请重新登录。');
    return res.redirect(303, '/login');
  }
  const locals = { title: '两步验证' };
  try {
    const { code } = parse(totpCodeSchema, req.body);
    const result = await accounts.completeTotpLogin(pending.userId, code, ip(req));
    if (!result) return renderInvalid(res, 'accounts/login-totp', new Invalid({ code: '验证码不正确或已使用。' }), locals, 401);
    await startSession(req, result.actor, result.epoch, { secondFactor: true });
    await accounts.loginSucceeded(result.actor, ip(req));
    rememberDevice(res, result.actor.id, req.secure);
    res.redirect(303, safeReturnPath(pending.returnTo));
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/login-totp', err, locals);
    if (err instanceof TooMany) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return renderInvalid(res, 'accounts/login-totp', new Invalid({ code: err.detail }), locals, 429);
    }
    throw err;
  }
};

export const logout: RequestHandler = async (req, res) => {
  if (req.user) await audit.record({ actor: req.user, action: 'logout', target: { kind: 'user', id: req.user.id, label: req.user.email }, ip: ip(req) });
  await endSession(req);
  res.redirect(303, '/');
};

// ---- account page -----------------------------------------------------------------------------------------

async function accountLocals(req: Request, extra: Record<string, unknown> = {}) {
  const user = req.user!;
  return {
    title: '我的账户',
    user,
    tokens: await accounts.listTokens(user),
    mailPreferences: await preferencesOf(user),
    tokenDays: webTokenLifetimeMs(user) / 86_400_000,
    minLength: MIN_LENGTH,
    canUseTotp: user.role === 'organizer' && user.status === 'active',
    ...extra,
  };
}

/**
 * The account page's body is kept per user and minute (a token's expiry shows against the clock) until the user,
 * their tokens or their mail settings change; each view fills in its session's token for the forms.
 */
const keptAccounts = keptBodies(['accounts', 'tokens', 'preferences'], 1_000);

export const account: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  await sendWithKeptBody(req, res, {
    bodies: keptAccounts,
    key: `${viewerKey(req.user!)}|${Math.floor(clock.ms() / 60_000)}|${req.originalUrl}`,
    view: 'accounts/account',
    locals: () => accountLocals(req),
  });
};

export const changePassword: RequestHandler = async (req, res) => {
  try {
    const input = parse(changePasswordSchema, req.body);
    const epoch = await accounts.changePassword(req.user!, input, ip(req));
    // Every session ended, this one included; continue in a new one (which keeps this one's second factor).
    await startSession(req, req.user!, epoch, { secondFactor: !!req.session.secondFactor });
    req.flash('success', '密码已修改，其他设备上的登录已全部退出。');
    res.redirect(303, '/account');
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/account', err, await accountLocals(req, { openPassword: true }));
    throw err;
  }
};

export const createToken: RequestHandler = async (req, res) => {
  try {
    const { name } = parse(tokenSchema, req.body);
    const { token, view } = await accounts.createWebToken(req.user!, name, { secondFactor: !!req.session.secondFactor });
    res.set('Cache-Control', 'no-store');
    // Shown once, in this response only: it is not stored anywhere we could show it from again.
    res.status(201).render('accounts/account', await accountLocals(req, { newToken: { token, name: view.name, expiresAt: view.expiresAt } }));
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/account', err, await accountLocals(req, { tokenValues: echoValues(req.body) }));
    throw err;
  }
};

export const renewToken: RequestHandler = async (req, res) => {
  const view = await accounts.renewToken(req.user!, idParam(req), { secondFactor: !!req.session.secondFactor });
  req.flash('success', `令牌“${view.name}”已续期，有效期至 ${isoDate(view.expiresAt)}。`);
  res.redirect(303, '/account#tokens');
};

export const revokeToken: RequestHandler = async (req, res) => {
  await accounts.revokeToken(req.user!, idParam(req));
  req.flash('success', '令牌已撤销，使用它的程序将无法再访问。');
  res.redirect(303, '/account#tokens');
};

// ---- TOTP enrolment (organizers) ---------------------------------------------------------------------------

export const totpSetup: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  if (req.user!.totpEnabled) return res.render('accounts/totp', { title: '两步验证', enabled: true, canDisable: !secondFactorRequired(req.user!) });
  req.session.totpEnrolment ??= (await accounts.beginTotp(req.user!)).secret;
  const { qr, uri } = await accounts.enrolmentFor(req.user!, req.session.totpEnrolment);
  res.render('accounts/totp', { title: '两步验证', qr, secret: req.session.totpEnrolment, uri, required: !req.session.secondFactor });
};

export const totpConfirm: RequestHandler = async (req, res) => {
  const secret = req.session.totpEnrolment;
  if (!secret) return res.redirect(303, '/account/totp');
  try {
    const { code } = parse(totpCodeSchema, req.body);
    const epoch = await accounts.confirmTotp(req.user!, secret, code);
    const returnTo = safeReturnPath(req.session.enrolReturnTo, '/account');
    // Enrolled with a code just now: continue in a fresh session that counts as having passed the second factor.
    await startSession(req, { ...req.user!, totpEnabled: true }, epoch, { secondFactor: true });
    req.flash('success', '两步验证已启用，以后登录时需要输入手机上的验证码。');
    res.redirect(303, returnTo);
  } catch (err) {
    if (err instanceof Invalid) {
      const { qr, uri } = await accounts.enrolmentFor(req.user!, secret);
      return renderInvalid(res, 'accounts/totp', err, { title: '两步验证', qr, secret, uri, required: !req.session.secondFactor });
    }
    throw err;
  }
};

export const totpDisable: RequestHandler = async (req, res) => {
  try {
    const { code } = parse(totpCodeSchema, req.body);
    await accounts.disableTotp(req.user!, code);
    req.flash('success', '两步验证已关闭。');
    res.redirect(303, '/account');
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/totp', err, { title: '两步验证', enabled: true, canDisable: true });
    throw err;
  }
};
