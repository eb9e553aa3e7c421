// Mail pages: the organizers' outbox (/admin/mail), the unsubscribe link's page (no sign-in), and the
// preferences form on /account.
import type { Express, Request, RequestHandler } from 'express';
import { NotFound } from '../platform/errors.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { MAIL_STATUSES, mailStatusLabels } from './model.ts';
import { outboxQuery, preferencesInput, unsubscribeTokenParam } from './schema.ts';
import * as mail from './service.ts';

// Kept beside the app rather than in app.locals, which every template sees (the settings hold a signing key).
const settingsByApp = new WeakMap<object, mail.MailSettings>();

/** Called once by app.ts with the settings from the configuration. */
export function provideMailSettings(app: Express, settings: mail.MailSettings): void {
  settingsByApp.set(app, settings);
}

export function settingsOf(req: Request): mail.MailSettings {
  const settings = settingsByApp.get(req.app);
  if (!settings) throw new Error('mail settings were not provided to this app (app.ts)');
  return settings;
}

const statusOptions = MAIL_STATUSES.map((value) => ({ value, label: mailStatusLabels[value] }));

export const outboxPage: RequestHandler = async (req, res) => {
  const q = parse(outboxQuery, req.query);
  const settings = settingsOf(req);
  const result = await mail.listOutbox(settings, q);
  res.set('Cache-Control', 'no-store');
  res.render('mail/outbox', {
    title: '邮件发件箱',
    section: 'admin',
    mails: result.items,
    pager: pager(result),
    filters: q,
    statusOptions,
    delivering: !!settings.smtpUrl,
  });
};

function tokenParam(req: Request): string {
  const parsed = unsubscribeTokenParam.safeParse(req.params.token);
  if (!parsed.success) throw new NotFound('退订链接无效或不完整，请复制邮件中的完整链接，或登录后在“我的账户”中设置。');
  return parsed.data;
}

/** GET: what the link turns off, with a button (a link opened by a mail scanner changes nothing). */
export const unsubscribePage: RequestHandler = async (req, res) => {
  const token = tokenParam(req);
  const view = await mail.describeUnsubscribe(settingsOf(req), token);
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
  res.render('mail/unsubscribe', { title: view.off ? '已退订' : '退订邮件', view, token });
};

/**
 * POST: turns the category off. Mounted before the session and CSRF stack (routes.ts): it uses no cookie, the
 * token in the link is the only credential, and mail clients post here directly (List-Unsubscribe-Post).
 */
export const unsubscribe: RequestHandler = async (req, res) => {
  const token = tokenParam(req);
  const view = await mail.unsubscribe(settingsOf(req), token);
  if ((req.body as Record<string, unknown> | undefined)?.['List-Unsubscribe'] === 'One-Click') {
    res.set('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(`已退订“${view.label}”类邮件。`);
    return;
  }
  res.redirect(303, `/mail/unsubscribe/${token}`);
};

export const savePreferences: RequestHandler = async (req, res) => {
  const { on } = parse(preferencesInput, req.body ?? {});
  await mail.savePreferences(req.user!, on);
  req.flash('success', '邮件通知设置已保存。');
  res.redirect(303, '/account#mail');
};
