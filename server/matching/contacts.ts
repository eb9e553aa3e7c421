// Contact requests: an enterprise asks for a result's or an expert's contact; the institution or expert (or an
// organizer, for the bureau) accepts or declines. The need's broker sees the request and may nudge, but the
// decision to hand out one's contact is the addressee's: a broker's answer is refused with 403 (README,
// "Contact requests"; docs/security.md 10). Acceptance makes each side's contact visible to the
// other (contacts/policy.ts, "counterpart"), every reveal audited as usual. A side without an active account
// answers through a mailed link (answers.ts).
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import { findLive } from '../platform/db/live.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import * as audit from '../audit/service.ts';
import { notifyUsers, organizers, usersOf } from '../notifications/service.ts';
import { nameWithRole } from '../vocabulary/index.ts';
import { ContactRequest, type ContactRequestDoc } from './model.ts';
import { clock } from '../platform/clock.ts';
import { isoDate } from '../platform/time.ts';
import * as mail from '../mail/messages.ts';
import { announceAnswer } from './contact-notices.ts';
import { reachWithoutAccount } from './answers.ts';
import { holderOf, type HolderView } from './contact-holder.ts';

export interface ContactRequestView {
  id: string;
  enterprise: { id: string; name: string };
  requesterName: string;
  target: { kind: 'result' | 'expert'; id: string; title: string };
  counterpart: { kind: 'institution' | 'expert'; id: string };
  demand?: string | null | undefined;
  message?: string | null | undefined;
  status: 'pending' | 'accepted' | 'declined';
  answer?: string | null | undefined;
  createdAt: Date;
  answeredAt?: Date | null | undefined;
  /** who the pending request waits on, and since when (contact-holder.ts); null once answered */
  holder: HolderView | null;
  escalatedAt?: Date | null | undefined;
  canAnswer: boolean;
  /** the need's broker may remind the addressee of a pending request (nudgeContact) */
  canNudge: boolean;
}

/** Who decides: the addressee (the institution owning the result, or the expert) and organizers — never the broker. */
function canAnswer(actor: Actor, r: ContactRequestDoc): boolean {
  if (isOrganizer(actor)) return true;
  if (actor.status !== 'active') return false;
  return actor.profile?.kind === r.counterpart.kind && actor.profile.id === r.counterpart.id;
}

/** The broker of the need a request is about: sees it (and is told of it), may not answer it. */
async function isRequestBroker(actor: Actor, r: ContactRequestDoc): Promise<boolean> {
  if (!r.demand || actor.status !== 'active' || actor.profile?.kind !== 'broker') return false;
  const d = await findLive<DemandDoc>(Demand, r.demand);
  return d?.broker === actor.profile.id;
}

export async function contactRequestView(actor: Actor, r: ContactRequestDoc): Promise<ContactRequestView> {
  return {
    id: String(r._id),
    enterprise: { id: r.enterprise, name: r.enterpriseName },
    requesterName: r.requesterName,
    target: { kind: r.target.kind as 'result' | 'expert', id: r.target.id, title: r.target.title ?? '' },
    counterpart: { kind: r.counterpart.kind as 'institution' | 'expert', id: r.counterpart.id },
    demand: r.demand,
    message: r.message,
    status: r.status as ContactRequestView['status'],
    answer: r.answer,
    createdAt: r.createdAt,
    answeredAt: r.answeredAt,
    holder: holderOf(r, isOrganizer(actor)) ?? null,
    escalatedAt: r.escalatedAt,
    canAnswer: r.status === 'pending' && canAnswer(actor, r),
    canNudge: r.status === 'pending' && !isOrganizer(actor) && (await isRequestBroker(actor, r)),
  };
}

export async function requestContact(
  actor: Actor,
  input: { kind: 'result' | 'expert'; id: string; demand?: string | undefined; message?: string | undefined },
): Promise<ContactRequestView> {
  if (actor.role !== 'enterprise' || actor.status !== 'active') throw new Forbidden('只有企业账户可以申请对接联系方式。');
  if (actor.profile?.kind !== 'enterprise') throw new Conflict('请先登记企业信息，再申请对接。');
  const enterprise = await findLive<EnterpriseDoc>(Enterprise, actor.profile.id);
  if (!enterprise) throw new Conflict('请先登记企业信息，再申请对接。');
  let title: string;
  let counterpart: { kind: 'institution' | 'expert'; id: string };
  if (input.kind === 'result') {
    const r = await findLive<ResultDoc>(Result, input.id);
    if (!r || r.status === 'draft') throw new NotFound('科技成果不存在。');
    title = r.title;
    counterpart = { kind: 'institution', id: r.institution };
  } else {
    const e = await findLive<ExpertDoc>(Expert, input.id);
    if (!e) throw new NotFound('专家不存在。');
    title = e.name;
    counterpart = { kind: 'expert', id: input.id };
  }
  if (input.demand) {
    const d = await findLive<DemandDoc>(Demand, input.demand);
    if (!d || d.enterprise !== actor.profile.id) throw new Invalid({ demand: '只能关联本企业的需求。' });
  }
  const open = await ContactRequest.findOne({ enterprise: actor.profile.id, 'target.kind': input.kind, 'target.id': input.id, status: mongoose.trusted({ $in: ['pending', 'accepted'] }) }).lean();
  if (open) throw new Conflict(open.status === 'accepted' ? '对方已同意，联系方式已可见。' : '已提交过申请，正在等待对方答复。');
  const created = (
    await ContactRequest.create({
      requester: actor.id,
      requesterName: actor.name,
      enterprise: actor.profile.id,
      enterpriseName: enterprise.name,
      target: { kind: input.kind, id: input.id, title },
      counterpart,
      demand: input.demand,
      message: input.message,
      holder: { kind: 'counterpart', since: clock.now() },
    })
  ).toObject() as ContactRequestDoc;
  const demandBroker = input.demand ? (await findLive<DemandDoc>(Demand, input.demand))?.broker : undefined;
  const answerers = await usersOf(counterpart.kind, counterpart.id);
  await notifyUsers([...answerers, ...(await usersOf('broker', demandBroker))], {
    kind: 'contact.request',
    title: `企业“${enterprise.name}”（${nameWithRole(actor)}）申请与您对接`,
    body: `关于“${title}”。${input.message ?? ''}`,
    link: '/contact-requests',
    key: `contact-request:${String(created._id)}:created`,
    mail: mail.contactRequest({ enterpriseName: enterprise.name, title, targetKind: input.kind, message: input.message, link: '/contact-requests' }),
  });
  // Nobody can answer in the platform: the record's contact address gets a link, or the bureau takes it up.
  if (answerers.length === 0) await reachWithoutAccount(created);
  return contactRequestView(actor, (await ContactRequest.findById(created._id).lean<ContactRequestDoc>()) ?? created);
}

export async function answerContact(actor: Actor, id: string, accept: boolean, answer?: string): Promise<ContactRequestView> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('申请不存在。');
  const r = await ContactRequest.findById(id).lean<ContactRequestDoc>();
  if (!r) throw new NotFound('申请不存在。');
  if (!canAnswer(actor, r)) {
    // The requesting enterprise and the need's broker see the request (and may not answer it); to anyone else it
    // does not exist.
    if (actor.profile?.kind === 'enterprise' && actor.profile.id === r.enterprise) throw new Forbidden('只有被申请方或区科技局可以答复。');
    if (await isRequestBroker(actor, r)) throw new Forbidden('是否提供联系方式由被申请方（成果所属单位或专家本人）决定，经纪人不能代为答复；可以提醒对方尽快答复，或请区科技局跟进。');
    throw new NotFound('申请不存在。');
  }
  const res = await ContactRequest.updateOne(
    { _id: id, status: 'pending' },
    { $set: { status: accept ? 'accepted' : 'declined', answer, answeredBy: actor.id, answeredVia: 'account', answeredAt: clock.now() } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('该申请已答复过。');
  await audit.record({ actor, action: accept ? 'contact.accept' : 'contact.decline', target: { kind: 'contact-request', id, label: r.target.title ?? '' }, detail: r.enterpriseName });
  await announceAnswer(r, accept, answer);
  return contactRequestView(actor, (await ContactRequest.findById(id).lean<ContactRequestDoc>())!);
}

/** Where an enterprise's requests stand, by `${kind}:${id}` of what it asked about (the latest request of each). */
export async function requestStates(enterpriseId: string): Promise<Map<string, ContactRequestDoc['status']>> {
  const docs = await ContactRequest.find({ enterprise: enterpriseId }).select('target status createdAt').sort({ createdAt: 1, _id: 1 }).lean<ContactRequestDoc[]>();
  return new Map(docs.map((d) => [`${d.target.kind}:${d.target.id}`, d.status]));
}

/**
 * The need's broker reminds the addressee of a pending request (once a day per request): a notice to the
 * institution's or expert's accounts, or to the organizers when nobody answers in the platform. The broker still
 * cannot answer it (canAnswer).
 */
export async function nudgeContact(actor: Actor, id: string): Promise<void> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('申请不存在。');
  const r = await ContactRequest.findById(id).lean<ContactRequestDoc>();
  if (!r || !(await isRequestBroker(actor, r))) throw new NotFound('申请不存在。');
  if (r.status !== 'pending') throw new Conflict('该申请已答复，无需提醒。');
  const addressees = await usersOf(r.counterpart.kind as 'institution' | 'expert', r.counterpart.id);
  await notifyUsers(addressees.length ? addressees : await organizers(), {
    kind: 'contact.request',
    title: `提醒：企业“${r.enterpriseName}”的对接申请仍在等待答复`,
    body: `关于“${r.target.title ?? ''}”，对接经纪人 ${nameWithRole(actor)} 提醒您尽快答复。`,
    link: '/contact-requests',
    key: `contact-request:${id}:nudge:${isoDate(clock.now())}`,
  });
  await audit.record({ actor, action: 'contact.nudge', target: { kind: 'contact-request', id, label: r.target.title ?? '' }, detail: r.enterpriseName });
}

/**
 * A party's requests, kept per party: each filter here reads the whole collection on FerretDB. Requests announce
 * 'queues' and 'workbench' on every write (model.ts); a broker's list also depends on which needs they hold, which
 * needs announce as 'workbench' (demands/model.ts) — so brokers' lists live under that topic, everyone else's under
 * 'queues' (platform/db/shared-cache.ts).
 */
type Mine = { sent: ContactRequestDoc[]; received: ContactRequestDoc[] };
const partyRequests = new SharedCache<Mine>('queues', 5_000);
const brokerRequests = new SharedCache<Mine>('workbench', 1_000);

async function loadMine(actor: Actor): Promise<Mine> {
  const sent = actor.profile?.kind === 'enterprise' ? await ContactRequest.find({ enterprise: actor.profile.id }).sort({ createdAt: -1, _id: -1 }).limit(100).lean<ContactRequestDoc[]>() : [];
  let received: ContactRequestDoc[] = [];
  if (isOrganizer(actor)) received = await ContactRequest.find({}).sort({ createdAt: -1, _id: -1 }).limit(100).lean<ContactRequestDoc[]>();
  else if (actor.profile && (actor.profile.kind === 'institution' || actor.profile.kind === 'expert')) {
    received = await ContactRequest.find({ 'counterpart.kind': actor.profile.kind, 'counterpart.id': actor.profile.id }).sort({ createdAt: -1, _id: -1 }).limit(100).lean<ContactRequestDoc[]>();
  } else if (actor.profile?.kind === 'broker') {
    const mine = await Demand.find({ broker: actor.profile.id, deletedAt: null }).select('_id').lean();
    const ids = mine.map((d) => String(d._id));
    received = ids.length ? await ContactRequest.find({ demand: mongoose.trusted({ $in: ids }) }).sort({ createdAt: -1, _id: -1 }).lean<ContactRequestDoc[]>() : [];
  }
  return { sent, received };
}

/** Requests the actor sent (their enterprise's) and received (as the counterpart, broker or organizer). */
export async function myContactRequests(actor: Actor): Promise<{ sent: ContactRequestView[]; received: ContactRequestView[] }> {
  const key = isOrganizer(actor) ? 'organizer' : actor.profile ? `${actor.profile.kind}|${actor.profile.id}` : undefined;
  const cache = actor.profile?.kind === 'broker' && !isOrganizer(actor) ? brokerRequests : partyRequests;
  const { sent, received } = key ? (await cache.get(key, () => loadMine(actor)))! : await loadMine(actor);
  return { sent: await Promise.all(sent.map((r) => contactRequestView(actor, r))), received: await Promise.all(received.map((r) => contactRequestView(actor, r))) };
}
