// The organizers' side of contact requests (issue 13): their queue, filtered by status, a page at a time; the
// count of open requests in their navigation; forwarding a pending request to an address an organizer enters (a
// fresh answer link, answers.ts; earlier unused links of the request stop working); and the escalation of requests
// still unanswered after a week (an hourly task, server/maintenance.ts).
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { findPage } from '../platform/db/page.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import * as audit from '../audit/service.ts';
import * as mail from '../mail/messages.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { AnswerToken, ContactRequest, type ContactRequestDoc } from './model.ts';
import { mailAnswerLink, dayOf } from './answers.ts';
import { holderOf, setHolder } from './contact-holder.ts';
import { contactRequestView, type ContactRequestView } from './contacts.ts';
import type { QueueStatus } from './schema.ts';

const DAY = 86_400_000;
export const ESCALATE_AFTER_DAYS = 7;

// ---- the queue -------------------------------------------------------------------------------------------------

const filterOf = (status: QueueStatus | undefined): Record<string, unknown> =>
  status === 'escalated' ? { status: 'pending', escalatedAt: trusted({ $ne: null }) } : status ? { status } : {};

/**
 * Pages of the queue by status, page and size: the same for every organizer, and a filter on `status` (or none)
 * reads the whole collection on FerretDB. Kept until a contact request is written anywhere (model.ts announces
 * 'queues'; platform/db/shared-cache.ts).
 */
const queuePages = new SharedCache<{ docs: ContactRequestDoc[]; total: number }>('queues', 500);

export async function contactQueue(
  actor: Actor,
  q: { status?: QueueStatus | undefined; page: number; limit: number },
): Promise<{ items: ContactRequestView[]; total: number; page: number; limit: number }> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const found = await queuePages.get(`${q.status ?? ''}|${q.page}|${q.limit}`, () => findPage<ContactRequestDoc>(ContactRequest, filterOf(q.status), { createdAt: -1 }, q));
  const { docs, total } = found!;
  return { items: await Promise.all(docs.map((r) => contactRequestView(actor, r))), total, page: q.page, limit: q.limit };
}

/** Requests waiting for an answer, for the organizers' navigation. */
export const openRequestCount = (): Promise<number> => ContactRequest.countDocuments({ status: 'pending' });

// ---- forwarding -------------------------------------------------------------------------------------------------

async function pendingRequest(id: string): Promise<ContactRequestDoc> {
  const r = await ContactRequest.findById(id).lean<ContactRequestDoc>();
  if (!r) throw new NotFound('申请不存在。');
  if (r.status !== 'pending') throw new Conflict(`这项申请已经${r.status === 'accepted' ? '同意' : '婉拒'}，不能再转交。`);
  return r;
}

async function counterpartName(r: ContactRequestDoc): Promise<string> {
  const doc =
    r.counterpart.kind === 'institution'
      ? await Institution.findById(r.counterpart.id).select('name').lean<InstitutionDoc>()
      : await Expert.findById(r.counterpart.id).select('name').lean<ExpertDoc>();
  return doc?.name ?? '对方';
}

/** The request was last forwarded to this address, and that link still works: a repeat, nothing to send. */
async function stillForwardedTo(r: ContactRequestDoc, email: string): Promise<boolean> {
  const to = r.holder?.kind === 'forwarded' ? r.holder.to : undefined;
  if (!to || to.toLowerCase() !== email.toLowerCase()) return false;
  const live = await AnswerToken.exists({ request: String(r._id), to, usedAt: null, revokedAt: null, expiresAt: trusted({ $gt: clock.now() }) });
  return !!live;
}

/** Takes the next forward number with a conditional update, so two organizers forwarding at once never share one. */
async function nextForward(r: ContactRequestDoc): Promise<number> {
  const taken = await ContactRequest.updateOne({ _id: r._id, status: 'pending', forwards: r.forwards ?? null }, { $inc: { forwards: 1 } });
  if (taken.modifiedCount === 1) return (r.forwards ?? 0) + 1;
  await pendingRequest(String(r._id)); // answered meanwhile: says so
  throw new Conflict('另一位管理员刚刚转交了这项申请，请刷新页面后再试。');
}

/**
 * Mails a fresh answer link for a pending request to `email` and makes that address its holder; earlier unused
 * links of the request stop working. Keyed by the forward's number: a repeated run sends nothing twice, a new
 * forward (another address, or the same one once its link no longer works) sends. Audited (docs/security.md 40).
 */
export async function forwardRequest(actor: Actor, id: string, email: string, opts: { ip?: string | undefined } = {}): Promise<{ view: ContactRequestView; repeated: boolean }> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以转交对接申请。');
  const r = await pendingRequest(id);
  if (await stillForwardedTo(r, email)) return { view: await contactRequestView(actor, r), repeated: true };
  const n = await nextForward(r);
  const name = await counterpartName(r);
  const build = ({ link, expiresOn }: { link: string; expiresOn: string }) =>
    mail.contactForwarded({ enterpriseName: r.enterpriseName, title: r.target.title ?? '', targetKind: r.target.kind as 'result' | 'expert', counterpartName: name, message: r.message ?? undefined, expiresOn, link });
  const { status, tokenId } = await mailAnswerLink(id, email, `contact-request:${id}:forward:${n}`, build);
  if (status === 'opted-out') throw new Invalid({ email: '该邮箱已退订对接申请类邮件，无法转交，请换一个邮箱。' });
  if (status !== 'queued') throw new Invalid({ email: '无法向该邮箱发送邮件，请换一个邮箱。' });
  await AnswerToken.updateMany({ request: id, usedAt: null, revokedAt: null, _id: trusted({ $ne: tokenId }) }, { $set: { revokedAt: clock.now() } });
  await setHolder(id, 'forwarded', { to: email });
  await audit.record({ actor, action: 'contact.forward', target: { kind: 'contact-request', id, label: r.target.title ?? '' }, detail: `${r.enterpriseName} → ${email}`, ip: opts.ip });
  return { view: await contactRequestView(actor, (await ContactRequest.findById(id).lean<ContactRequestDoc>())!), repeated: false };
}

// ---- escalation -------------------------------------------------------------------------------------------------

/** Marks one request escalated with a conditional update; only the instance that set the mark tells the organizers. */
async function escalate(r: ContactRequestDoc, now: Date): Promise<boolean> {
  const before = holderOf(r, false)?.label ?? '等待对方答复';
  const marked = await ContactRequest.updateOne(
    { _id: r._id, status: 'pending', escalatedAt: null },
    { $set: { escalatedAt: now, holder: { kind: 'bureau', reason: 'escalated', since: now } } },
  );
  if (marked.modifiedCount !== 1) return false;
  const id = String(r._id);
  const link = '/contact-requests?status=escalated';
  const title = r.target.title ?? '';
  await notifyUsers(await organizers(), {
    kind: 'contact.escalated',
    title: `对接申请 ${ESCALATE_AFTER_DAYS} 天未答复：${title}`,
    body: `${r.enterpriseName}于${dayOf(r.createdAt)}提出申请，至今未获答复（此前：${before}）。`,
    link,
    key: `contact-request:${id}:escalated`,
    mail: mail.contactEscalated({ enterpriseName: r.enterpriseName, title, askedOn: dayOf(r.createdAt), holderLabel: before, link }),
  });
  return true;
}

/** Hourly: pending requests older than a week, not yet escalated, go to the organizers. Returns how many. */
export async function escalateStale(now = clock.now()): Promise<number> {
  const cutoff = new Date(now.getTime() - ESCALATE_AFTER_DAYS * DAY);
  const stale = await ContactRequest.find({ status: 'pending', escalatedAt: null, createdAt: trusted({ $lte: cutoff }) })
    .sort({ createdAt: 1, _id: 1 })
    .limit(500)
    .lean<ContactRequestDoc[]>();
  let escalated = 0;
  for (const r of stale) if (await escalate(r, now)) escalated++;
  return escalated;
}
