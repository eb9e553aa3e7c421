// Mail use cases: putting a mail in the outbox (enqueueMail), recipients' preferences and unsubscribe links, and
// the organizers' view of the outbox. Sending is the worker's (worker.ts). Takes plain values, throws typed errors.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Config } from '../platform/config.ts';
import { clock } from '../platform/clock.ts';
import { NotFound } from '../platform/errors.ts';
import { MailPreference, Outbox, mailStatusLabels, type MailStatus, type OutboxDoc } from './model.ts';
import { MAIL_CATEGORIES, MAIL_KINDS, categoryOf, isMailKind, type MailCategory, type MailContent, type MailKind } from './messages.ts';
import { cleanHeader, renderMail, type RenderedMail } from './render.ts';
import { findPage } from '../platform/db/page.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';

/** What rendering and sending need from the configuration. */
export interface MailSettings {
  baseUrl: string;
  from: { name: string; address: string };
  /** unset: nothing is sent; mail is held in the outbox */
  smtpUrl: string | undefined;
  /** signs unsubscribe links (derived from SESSION_SECRET) */
  unsubscribeKey: Buffer;
}

export function mailSettings(config: Config): MailSettings {
  return {
    baseUrl: config.baseUrl,
    from: config.mail.from,
    smtpUrl: config.mail.smtpUrl,
    unsubscribeKey: createHmac('sha256', config.sessionSecret).update('mail-unsubscribe').digest(),
  };
}

/** Tells this process's worker that a mail is waiting (other instances find it by polling). */
export const outboxEvents = new EventEmitter();

const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
export const isMailAddress = (value: string): boolean => value.length <= 254 && ADDRESS.test(value);

export type EnqueueInput = MailContent & {
  /** the event, e.g. `contact-request:<id>:created`: a second mail with the same key is not written */
  key: string;
  to: string;
  toName?: string | undefined;
  /** the account the mail goes to, if any: its preferences apply, its unsubscribe link turns them off */
  userId?: string | undefined;
};

export type EnqueueOutcome =
  | { status: 'queued'; id: string }
  | { status: 'duplicate' }
  | { status: 'opted-out' }
  | { status: 'invalid-address' };

/**
 * Puts a mail in the outbox, to be sent by the worker. Idempotent by `key`: when the code path runs again for
 * the same event, nothing new is written. Skipped when the recipient turned the mail's category off. Never
 * talks to the SMTP server, so an SMTP outage cannot fail the caller.
 */
export async function enqueueMail(input: EnqueueInput): Promise<EnqueueOutcome> {
  const to = input.to.trim();
  if (!isMailAddress(to)) return { status: 'invalid-address' };
  const subject = subjectOf(input.userId, to);
  if (MAIL_CATEGORIES[categoryOf(input.kind)].optional && (await isOff(subject, categoryOf(input.kind)))) return { status: 'opted-out' };
  try {
    const doc = await Outbox.create({
      key: input.key,
      kind: input.kind,
      to,
      toName: input.toName ? cleanHeader(input.toName, 80) : undefined,
      userId: input.userId,
      data: input.data,
      status: 'queued',
      dueAt: clock.now(),
    });
    outboxEvents.emit('queued');
    return { status: 'queued', id: String(doc._id) };
  } catch (err) {
    // The same event again (a repeated run, or two racing): the unique index on `key` keeps the first. No lookup
    // before the insert: on FerretDB a filter on `key` would scan the outbox.
    if ((err as { code?: number }).code === 11000) return { status: 'duplicate' };
    throw err;
  }
}

// ---- preferences ----------------------------------------------------------------------------------------------

/** Whose preferences: an account (`u:<id>`), or an address without one (`a:<hash>`, no address in links). */
export function subjectOf(userId: string | null | undefined, address: string): string {
  return userId ? `u:${userId}` : `a:${createHash('sha256').update(address.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
}

async function isOff(subject: string, category: MailCategory): Promise<boolean> {
  const pref = await MailPreference.findById(subject).lean();
  return !!pref?.off?.includes(category);
}

export interface PreferenceView {
  category: MailCategory;
  label: string;
  description: string;
  on: boolean;
  /** cannot be turned off (account and security mail) */
  locked: boolean;
}

const visibleCategories = (role: string) =>
  (Object.keys(MAIL_CATEGORIES) as MailCategory[]).filter((c) => !MAIL_CATEGORIES[c].organizerOnly || role === 'organizer');

/** What each user turned off, for the account page; dropped by any write to preferences. */
const keptPreferences = new SharedCache<string[]>('preferences', 5_000);

/** The categories a user sees on /account, each on or off. */
export async function preferencesOf(user: { id: string; role: string }): Promise<PreferenceView[]> {
  const subject = subjectOf(user.id, '');
  const turnedOff = await keptPreferences.get(subject, async () => (await MailPreference.findById(subject).lean())?.off ?? []);
  const off = new Set(turnedOff ?? []);
  return visibleCategories(user.role).map((category) => {
    const c = MAIL_CATEGORIES[category];
    return { category, label: c.label, description: c.description, on: !c.optional || !off.has(category), locked: !c.optional };
  });
}

async function setOff(subject: string, off: string[]): Promise<void> {
  const existing = await MailPreference.findById(subject).lean();
  if (existing) await MailPreference.updateOne({ _id: subject }, { $set: { off } });
  else {
    try {
      await MailPreference.create({ _id: subject, off });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      await MailPreference.updateOne({ _id: subject }, { $set: { off } });
    }
  }
}

/** Saves the /account form: the optional categories the user sees are on exactly when listed in `on`. */
export async function savePreferences(user: { id: string; role: string }, on: string[]): Promise<void> {
  const subject = subjectOf(user.id, '');
  const pref = await MailPreference.findById(subject).lean();
  const visible = visibleCategories(user.role).filter((c) => MAIL_CATEGORIES[c].optional);
  const off = new Set((pref?.off ?? []).filter((c) => !visible.includes(c as MailCategory)));
  for (const c of visible) if (!on.includes(c)) off.add(c);
  await setOff(subject, [...off].sort());
}

// ---- unsubscribe links ------------------------------------------------------------------------------------------

function signature(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url').slice(0, 27);
}

/** A link that turns one category off for one recipient, without signing in: `<subject>.<category>.<signature>`. */
export function unsubscribeToken(settings: MailSettings, subject: string, category: MailCategory): string {
  const payload = `${Buffer.from(subject).toString('base64url')}.${category}`;
  return `${payload}.${signature(settings.unsubscribeKey, payload)}`;
}

export const unsubscribeUrl = (settings: MailSettings, subject: string, category: MailCategory) =>
  `${settings.baseUrl}/mail/unsubscribe/${unsubscribeToken(settings, subject, category)}`;

function readToken(settings: MailSettings, token: string): { subject: string; category: MailCategory } {
  const invalid = new NotFound('退订链接无效或不完整，请复制邮件中的完整链接，或登录后在“我的账户”中设置。');
  const m = /^([A-Za-z0-9_-]{1,200})\.([a-z]{1,20})\.([A-Za-z0-9_-]{27})$/.exec(token);
  if (!m) throw invalid;
  const expected = Buffer.from(signature(settings.unsubscribeKey, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
  const category = m[2] as MailCategory;
  if (!Object.hasOwn(MAIL_CATEGORIES, category) || !MAIL_CATEGORIES[category].optional) throw invalid;
  return { subject: Buffer.from(m[1]!, 'base64url').toString(), category };
}

export interface UnsubscribeView {
  category: MailCategory;
  label: string;
  description: string;
  /** the category is already off */
  off: boolean;
}

/** What a link would turn off (the confirmation page). */
export async function describeUnsubscribe(settings: MailSettings, token: string): Promise<UnsubscribeView> {
  const { subject, category } = readToken(settings, token);
  const c = MAIL_CATEGORIES[category];
  return { category, label: c.label, description: c.description, off: await isOff(subject, category) };
}

/** Turns the link's category off for its recipient; doing it twice changes nothing. */
export async function unsubscribe(settings: MailSettings, token: string): Promise<UnsubscribeView> {
  const { subject, category } = readToken(settings, token);
  const pref = await MailPreference.findById(subject).lean();
  const off = new Set(pref?.off ?? []);
  if (!off.has(category)) await setOff(subject, [...off, category].sort());
  const c = MAIL_CATEGORIES[category];
  return { category, label: c.label, description: c.description, off: true };
}

// ---- rendering and the organizers' view ---------------------------------------------------------------------------

/** The mail as it is (or would be) sent: subject, text, HTML, and its unsubscribe link when it has one. */
export function render(settings: MailSettings, doc: Pick<OutboxDoc, 'kind' | 'data' | 'to' | 'toName' | 'userId'>): RenderedMail & { unsubscribeUrl?: string | undefined } {
  if (!isMailKind(doc.kind)) throw new Error(`unknown mail kind ${doc.kind}`);
  const kind: MailKind = doc.kind;
  const category = MAIL_KINDS[kind].category;
  const unsubscribe = MAIL_CATEGORIES[category].optional ? unsubscribeUrl(settings, subjectOf(doc.userId, doc.to), category) : undefined;
  const rendered = renderMail(kind, (doc.data ?? {}) as Record<string, unknown>, { baseUrl: settings.baseUrl, recipientName: doc.toName ?? undefined, unsubscribeUrl: unsubscribe });
  return { ...rendered, unsubscribeUrl: unsubscribe };
}

export interface OutboxItem {
  id: string;
  key: string;
  kind: string;
  to: string;
  toName?: string | undefined;
  subject: string;
  body: string;
  status: MailStatus;
  statusLabel: string;
  attempts: number;
  lastError?: string | undefined;
  response?: string | undefined;
  messageId?: string | undefined;
  createdAt: Date;
  nextAttemptAt?: Date | undefined;
  sentAt?: Date | undefined;
  failedAt?: Date | undefined;
}

function item(settings: MailSettings, d: OutboxDoc): OutboxItem {
  let subject: string;
  let body: string;
  try {
    ({ subject, text: body } = render(settings, d));
  } catch (err) {
    subject = `（无法显示：${d.kind}）`;
    body = (err as Error).message;
  }
  const status = d.status as MailStatus;
  return {
    id: String(d._id),
    key: d.key,
    kind: d.kind,
    to: d.to,
    toName: d.toName ?? undefined,
    subject,
    body,
    status,
    statusLabel: mailStatusLabels[status],
    attempts: d.attempts,
    lastError: d.lastError ?? undefined,
    response: d.response ?? undefined,
    messageId: d.messageId ?? undefined,
    createdAt: d.createdAt,
    nextAttemptAt: status === 'queued' ? d.dueAt : undefined,
    sentAt: d.sentAt ?? undefined,
    failedAt: d.failedAt ?? undefined,
  };
}

export async function listOutbox(
  settings: MailSettings,
  q: { status?: MailStatus | undefined; page: number; limit: number },
): Promise<{ items: OutboxItem[]; total: number; page: number; limit: number }> {
  const filter = q.status ? { status: q.status } : {};
  const { docs, total } = await findPage<OutboxDoc>(Outbox, filter, { createdAt: -1 }, q);
  return { items: docs.map((d) => item(settings, d)), total, page: q.page, limit: q.limit };
}
