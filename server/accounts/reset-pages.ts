// Pages of forgotten passwords (password-reset.ts): the address form linked from /login, and the mailed link's
// page that sets a new password. Both answer without signing in.
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { Invalid } from '../platform/errors.ts';
import { emailAddress } from '../platform/http/fields.ts';
import { echoValues, renderInvalid } from '../platform/http/forms.ts';
import { orGone, privatePage } from '../platform/http/link-pages.ts';
import { parse } from '../platform/http/validate.ts';
import type { Logger } from '../platform/logger.ts';
import { MIN_LENGTH } from './passwords.ts';
import { newPassword } from './schema.ts';
import { completeReset, readReset, requestReset, RESET_MINUTES } from './password-reset.ts';

const forgotInput = z.object({ email: emailAddress });
const resetInput = z
  .object({ password: newPassword, passwordConfirm: z.string().optional() })
  .superRefine((v, ctx) => {
    if (v.passwordConfirm !== undefined && v.passwordConfirm !== v.password) ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: '两次输入的密码不一致。' });
  }, { when: () => true });

const token = (req: Request) => String(req.params.token ?? '');
const forgotLocals = { title: '忘记密码', minutes: RESET_MINUTES };

export const forgotForm: RequestHandler = (_req, res) => {
  res.render('accounts/forgot', { ...forgotLocals, values: {} });
};

/**
 * Always the same answer for a well-formed address. The lookup and the mail run beside the answer rather than
 * before it, so neither the text nor the time of the answer says whether the address has an account.
 */
export const forgot: RequestHandler = async (req, res) => {
  let email: string;
  try {
    email = parse(forgotInput, req.body ?? {}).email;
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, 'accounts/forgot', err, { ...forgotLocals, values: echoValues(req.body) });
    throw err;
  }
  const work = requestReset(email, req.ip);
  res.set('Cache-Control', 'no-store');
  res.render('accounts/forgot', { ...forgotLocals, sent: true, email });
  try {
    await work;
  } catch (err) {
    (req.log as unknown as Logger).error({ err }, 'password reset request failed');
  }
};

export const resetForm: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, 'accounts/reset-gone', async () => {
    const link = await readReset(token(req));
    res.render('accounts/reset', { title: '设置新密码', link, token: token(req), minLength: MIN_LENGTH });
  });
};

export const reset: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, 'accounts/reset-gone', async () => {
    const link = await readReset(token(req));
    const locals = { title: '设置新密码', link, token: token(req), minLength: MIN_LENGTH };
    try {
      const input = parse(resetInput, req.body ?? {});
      await completeReset(token(req), input.password, req.ip);
    } catch (err) {
      if (err instanceof Invalid) return renderInvalid(res, 'accounts/reset', err, locals);
      throw err;
    }
    req.flash('success', '密码已重设，所有设备上的登录都已退出。请用新密码登录。');
    res.redirect(303, '/login');
  });
};
