// Answers without an account (issue 13): a contact request whose counterpart (the result's institution, or the
// expert) has no active account goes to the record's contact address as a mail with a link
// `BASE_URL/answer/<token>`. The link shows the request and lets its recipient accept or decline without
// signing in; accepting reveals both sides' contacts exactly as an accepted request does (contacts/policy.ts).
// Tokens are random, stored only as their SHA-256 (the `_id` of answer_tokens), single use, valid 14 days.
// A record with no contact address either: the organizers (and the need's broker) are told, and the request waits
// in their queue, where an organizer can forward it to an address (contact-queue.ts) with a link made here.
import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { Gone, NotFound } from '../platform/errors.ts';
import { ZONE } from '../platform/time.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import type { Contact } from '../contacts/model.ts';
import * as audit from '../audit/service.ts';
import { enqueueMail, type EnqueueOutcome } from '../mail/service.ts';
import * as mail from '../mail/messages.ts';
import type { MailContent } from '../mail/messages.ts';
import { notifyUsers, organizers, usersOf } from '../notifications/service.ts';
import { findLive } from '../platform/db/live.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { AnswerToken, ContactRequest, type AnswerTokenDoc, type ContactRequestDoc } from './model.ts';
import { announceAnswer } from './contact-notices.ts';
import { setHolder } from './contact-holder.ts';

export const ANSWER_LINK_DAYS = 14;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');
export const dayOf = (d: Date): string => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy年M月d日');

/** The record that answers for the request: its name and private contact. */
async function counterpartOf(r: Pick<ContactRequestDoc, 'counterpart'>): Promise<{ name: string; contact?: Contact | null | undefined } | undefined> {
  if (r.counterpart.kind === 'institution') {
    const doc = await Institution.findById(r.counterpart.id).lean<InstitutionDoc>();
    return doc && !doc.deletedAt ? { name: doc.name, contact: doc.contact } : undefined;
  }
  const doc = await Expert.findById(r.counterpart.id).lean<ExpertDoc>();
  return doc && !doc.deletedAt ? { name: doc.name, contact: doc.contact } : undefined;
}

/**
 * A fresh single-use link for request `id`, mailed to `to` with the content `build` makes of it, keyed `key`.
 * The token is stored only if its mail was queued; otherwise (the same key again, an address that cannot take
 * it, or one that turned these mails off) nothing is kept. Returns the outcome and the stored token's `_id`.
 */
export async function mailAnswerLink(
  id: string,
  to: string,
  key: string,
  build: (link: { link: string; expiresOn: string }) => MailContent,
  toName?: string,
): Promise<{ status: EnqueueOutcome['status']; tokenId: string }> {
  const token = randomBytes(32).toString('base64url');
  const tokenId = hashOf(token);
  const expiresAt = new Date(clock.ms() + ANSWER_LINK_DAYS * 86_400_000);
  await AnswerToken.create({ _id: tokenId, request: id, to, expiresAt });
  const outcome = await enqueueMail({ ...build({ link: `/answer/${token}`, expiresOn: dayOf(expiresAt) }), key, to, toName });
  if (outcome.status !== 'queued') await AnswerToken.deleteOne({ _id: tokenId });
  return { status: outcome.status, tokenId };
}

/**
 * Called right after a request is created when no active account speaks for its counterpart: mails a link to
 * the record's contact address, or, without one, puts the request before the organizers (and the need's broker
 * when the request is about a need). Keyed by the request, so running it again sends nothing twice.
 */
export async function reachWithoutAccount(r: ContactRequestDoc): Promise<void> {
  const id = String(r._id);
  const record = await counterpartOf(r);
  const address = record?.contact?.email?.trim();
  if (address) {
    const build = ({ link, expiresOn }: { link: string; expiresOn: string }) =>
      mail.contactAnswerLink({ enterpriseName: r.enterpriseName, title: r.target.title ?? '', targetKind: r.target.kind as 'result' | 'expert', message: r.message ?? undefined, expiresOn, link });
    const { status } = await mailAnswerLink(id, address, `contact-request:${id}:answer-link`, build, record?.contact?.name ?? record?.name);
    if (status === 'queued') return setHolder(id, 'contact-mail');
    // Already mailed for this request (a repeated run; the earlier link stands), or the address cannot take it.
    if (status === 'duplicate') return;
  }
  // No address that can take mail (or the address turned these mails off): the bureau takes the request up.
  await setHolder(id, 'bureau', { reason: 'no-address' });
  const demand = r.demand ? await findLive<DemandDoc>(Demand, r.demand) : null;
  await notifyUsers([...(await organizers()), ...(await usersOf('broker', demand?.broker))], {
    kind: 'contact.unreachable',
    title: `对接申请无人接收：${r.target.title ?? ''}`,
    body: `${r.enterpriseName}申请对接，但${record?.name ?? '对方'}没有平台账户，也没有可用的联系邮箱。`,
    link: '/contact-requests',
    key: `contact-request:${id}:unreachable`,
    mail: mail.contactUnreachable({ enterpriseName: r.enterpriseName, title: r.target.title ?? '', counterpartName: record?.name ?? '对方', link: '/contact-requests' }),
  });
}

export interface AnswerView {
  enterpriseName: string;
  target: { kind: 'result' | 'expert'; id: string; title: string };
  counterpartName: string;
  message?: string | undefined;
  createdAt: Date;
  expiresAt: Date;
  status: 'pending' | 'accepted' | 'declined';
  answer?: string | undefined;
  /** the enterprise's contact, once accepted (shown once, on the answer's own response) */
  enterpriseContact?: Contact | undefined;
}

const unknownLink = () => new NotFound('这个答复链接不存在。请复制邮件中的完整链接；如有疑问，请联系东宝区科技局。');
const usedLink = () => new Gone('这个答复链接已经使用过，每个链接只能使用一次。如需修改答复或再次查看对方联系方式，请联系东宝区科技局。');
const revokedLink = () => new Gone('这个答复链接已失效：区科技局已将这项申请转交给其他联系人处理。如有疑问，请联系东宝区科技局。');
const expiredLink = () => new Gone(`这个答复链接已过期（有效期 ${ANSWER_LINK_DAYS} 天）。如仍希望答复，请联系东宝区科技局。`);

/** The token's document, or the error the link deserves: unknown or malformed (404), used, revoked or expired (410). */
async function liveToken(token: string): Promise<AnswerTokenDoc & { _id: string }> {
  if (!TOKEN.test(token)) throw unknownLink();
  const doc = await AnswerToken.findById(hashOf(token)).lean<AnswerTokenDoc & { _id: string }>();
  if (!doc) throw unknownLink();
  if (doc.usedAt) throw usedLink();
  if (doc.revokedAt) throw revokedLink();
  if (doc.expiresAt.getTime() <= clock.ms()) throw expiredLink();
  return doc;
}

async function requestOf(id: string): Promise<ContactRequestDoc> {
  const r = await ContactRequest.findById(id).lean<ContactRequestDoc>();
  if (!r) throw unknownLink();
  return r;
}

async function viewOf(r: ContactRequestDoc, expiresAt: Date): Promise<AnswerView> {
  return {
    enterpriseName: r.enterpriseName,
    target: { kind: r.target.kind as 'result' | 'expert', id: r.target.id, title: r.target.title ?? '' },
    counterpartName: (await counterpartOf(r))?.name ?? '',
    message: r.message ?? undefined,
    createdAt: r.createdAt,
    expiresAt,
    status: r.status as AnswerView['status'],
    answer: r.answer ?? undefined,
  };
}

/** What the link shows: the request, never the requester's contact. Reading it changes nothing. */
export async function readAnswerLink(token: string): Promise<AnswerView> {
  const doc = await liveToken(token);
  const r = await requestOf(doc.request);
  if (r.status !== 'pending') throw new Gone('这项申请已经答复过了，无需再次答复。如有疑问，请联系东宝区科技局。');
  return viewOf(r, doc.expiresAt);
}

/**
 * Accepts or declines through the link, once: the token is taken by a conditional update, then the request
 * moves from pending as an account's answer does; the enterprise is told. Accepting returns the enterprise's
 * contact for the answerer (an audited reveal).
 */
export async function answerByLink(token: string, accept: boolean, answer: string | undefined, opts: { ip?: string | undefined } = {}): Promise<AnswerView> {
  const doc = await liveToken(token);
  const now = clock.now();
  const taken = await AnswerToken.updateOne({ _id: doc._id, usedAt: null, revokedAt: null, expiresAt: trusted({ $gt: now }) }, { $set: { usedAt: now } });
  if (taken.modifiedCount !== 1) throw usedLink(); // another answer through the same link came first (or a forward revoked it)
  const r = await requestOf(doc.request);
  const moved = await ContactRequest.updateOne(
    { _id: r._id, status: 'pending' },
    { $set: { status: accept ? 'accepted' : 'declined', answer, answeredVia: 'link', answeredAt: now } },
  );
  if (moved.modifiedCount !== 1) throw new Gone('这项申请已经答复过了，无需再次答复。如有疑问，请联系东宝区科技局。');
  const id = String(r._id);
  const record = await counterpartOf(r);
  const who = { name: `${record?.name ?? '对方'}（邮件链接，${doc.to}）` };
  await audit.record({ actor: who, action: accept ? 'contact.accept' : 'contact.decline', target: { kind: 'contact-request', id, label: r.target.title ?? '' }, detail: r.enterpriseName, ip: opts.ip });
  await announceAnswer(r, accept, answer);
  const view = await viewOf((await ContactRequest.findById(id).lean<ContactRequestDoc>())!, doc.expiresAt);
  if (accept) {
    const enterprise = await Enterprise.findById(r.enterprise).lean<EnterpriseDoc>();
    const c = enterprise?.contact;
    if (enterprise && c && Object.values(c).some(Boolean)) {
      await audit.record({ actor: who, action: 'contact.reveal', target: { kind: 'enterprise', id: r.enterprise, label: enterprise.name }, detail: 'counterpart', ip: opts.ip });
      view.enterpriseContact = { name: c.name ?? undefined, phone: c.phone ?? undefined, email: c.email ?? undefined, wechat: c.wechat ?? undefined };
    }
  }
  return view;
}
