// The broker's pipeline from a suggestion to a contract: shortlist, contact, meeting, intention; decline with
// a reason the other side sees; override the ranking with a stated reason; a feedback deadline per stage.
// The suggestions themselves are in suggestions.ts.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import { findLive } from '../platform/db/live.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { labelOf, nameWithRole } from '../vocabulary/index.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { demandView, loadDemand, markContracted, transition, visibleDemand, type DemandView } from '../demands/service.ts';
import { partyOf } from '../demands/workflow.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import type { Contact } from '../contacts/model.ts';
import { reveal } from '../contacts/policy.ts';
import { Broker, DEFAULT_CLAIM_LIMIT, type BrokerDoc } from '../brokers/model.ts';
import { unconfirmedClaims } from '../brokers/service.ts';
import * as audit from '../audit/service.ts';
import { notifyUsers, organizers, usersOf } from '../notifications/service.ts';
import { matchesForNeed } from './matcher.ts';
import { DECLINE_REASONS, Match, type DeclineReason, type MatchDoc, type MatchStatus } from './model.ts';
import { newMatch } from './candidates.ts';
import { demandPolicy } from '../demands/policy.ts';
import { oneAtATime } from '../platform/one-at-a-time.ts';
import { needProfile } from './suggestions.ts';
import { clock } from '../platform/clock.ts';

const DAY = 86_400_000;

/** Days allowed for the next step after reaching a stage (the feedback deadline). */
export const STAGE_DAYS: Partial<Record<MatchStatus, number>> = { shortlisted: 7, contacted: 14, meeting: 14, intention: 30 };

const NEXT: Record<MatchStatus, MatchStatus[]> = {
  suggested: ['shortlisted', 'declined'],
  shortlisted: ['contacted', 'declined'],
  contacted: ['meeting', 'declined'],
  meeting: ['intention', 'declined'],
  intention: ['contracted', 'declined'],
  contracted: [],
  declined: ['shortlisted'],
};

export const STATUS_LABELS: Record<MatchStatus, string> = {
  suggested: '系统推荐',
  shortlisted: '已入围',
  contacted: '已联系',
  meeting: '已约见',
  intention: '达成意向',
  contracted: '已签约',
  declined: '未成',
};

// ---- the pipeline -----------------------------------------------------------------------------------------

export interface MatchView {
  id: string;
  demand: { id: string; title: string };
  candidate: { kind: 'result' | 'expert'; id: string; title: string };
  score: number;
  reasons: string[];
  status: MatchStatus;
  statusLabel: string;
  declineReason?: string | undefined;
  declineReasonLabel?: string | undefined;
  override?: { rank: number; reason: string; byName?: string | null } | undefined;
  dueAt?: Date | null | undefined;
  overdue: boolean;
  next: MatchStatus[];
  history: { from?: string | null; to: string; at: Date; byName?: string | null; note?: string | null; confirmedAt?: Date | null; confirmedByName?: string | null }[];
  /** who answers for the candidate: the institution of a result, or the expert */
  counterpart?: { kind: 'institution' | 'expert'; id: string } | undefined;
  /** the latest 达成意向 / 已签约 step still waiting for the enterprise's confirmation (confirmStep) */
  toConfirm?: 'intention' | 'contracted' | undefined;
  /** the counterpart's contact, on the pipeline of the need's confirmed broker (pipelineContacts) */
  contact?: Contact | undefined;
}

function unconfirmedStep(history: { to: string; confirmedAt?: Date | null }[]): 'intention' | 'contracted' | undefined {
  for (const step of ['contracted', 'intention'] as const) {
    const last = history.findLast((h) => h.to === step);
    if (last) return last.confirmedAt ? undefined : step;
  }
  return undefined;
}

export function matchView(m: MatchDoc, now = clock.ms()): MatchView {
  const status = m.status as MatchStatus;
  return {
    id: String(m._id),
    demand: { id: m.demand, title: m.demandTitle },
    candidate: { kind: m.candidateKind as 'result' | 'expert', id: m.candidate, title: m.candidateTitle },
    score: m.score,
    reasons: m.reasons ?? [],
    status,
    statusLabel: STATUS_LABELS[status],
    declineReason: m.declineReason ?? undefined,
    declineReasonLabel: m.declineReason ? DECLINE_REASONS[m.declineReason as DeclineReason] : undefined,
    override: m.override?.rank ? { rank: m.override.rank, reason: m.override.reason ?? '', byName: m.override.byName } : undefined,
    dueAt: m.dueAt,
    overdue: !!m.dueAt && m.dueAt.getTime() < now && !!STAGE_DAYS[status],
    next: NEXT[status],
    history: (m.history ?? []).map((h) => ({ from: h.from, to: h.to, at: h.at, byName: h.byName, note: h.note, confirmedAt: h.confirmedAt, confirmedByName: h.confirmedByName })),
    counterpart: m.counterpart?.kind && m.counterpart.id ? { kind: m.counterpart.kind as 'institution' | 'expert', id: m.counterpart.id } : undefined,
    toConfirm: status === 'declined' ? undefined : unconfirmedStep(m.history ?? []),
  };
}

/** Brokers assigned to the need and organizers work the pipeline; the enterprise may read it. */
async function workingDemand(actor: Actor, demandId: string, write: boolean): Promise<DemandDoc> {
  // Someone else's draft need does not exist (404); a published one does, and its pipeline is refused (403).
  const { doc, party } = await visibleDemand(actor, demandId);
  if (!party) throw new Forbidden('只有对接经纪人、发布企业和区科技局可以查看对接进展。');
  if (write && party === 'owner') throw new Forbidden('对接进展由技术经纪人推进；企业可以发起联系方式申请。');
  return doc;
}

const byRank = (a: MatchView, b: MatchView) =>
  (a.override?.rank ?? Number.MAX_SAFE_INTEGER) - (b.override?.rank ?? Number.MAX_SAFE_INTEGER) || b.score - a.score;

/**
 * The contacts the need's broker works with, on the pipeline: the enterprise's and each open row's counterpart's
 * (the institution of a result, or the expert). Each passes the contacts policy and is audited there
 * (server/contacts/policy.ts); shown to the broker only, so an organizer's or the enterprise's visit records nothing.
 */
async function pipelineContacts(actor: Actor, doc: DemandDoc, rows: MatchView[], opts: { ip?: string | undefined }): Promise<Contact | undefined> {
  const enterprise = await Enterprise.findById(doc.enterprise).lean<EnterpriseDoc>();
  const own = enterprise ? await reveal(actor, { kind: 'enterprise', id: doc.enterprise, label: enterprise.name, ownerId: enterprise.owner }, enterprise.contact, opts) : undefined;
  const seen = new Map<string, Promise<Contact | undefined>>();
  const contactOf = (kind: 'institution' | 'expert', id: string): Promise<Contact | undefined> => {
    const key = `${kind}:${id}`;
    if (!seen.has(key)) {
      seen.set(
        key,
        (async () => {
          const record = kind === 'institution' ? await findLive<InstitutionDoc>(Institution, id) : await findLive<ExpertDoc>(Expert, id);
          return record ? reveal(actor, { kind, id, label: record.name, ownerId: record.owner }, record.contact, opts) : undefined;
        })(),
      );
    }
    return seen.get(key)!;
  };
  // One at a time: each reveal writes an audit entry, and FerretDB's writes are serialised anyway.
  for (const row of rows) {
    if (row.status === 'declined' || !row.counterpart) continue;
    row.contact = await contactOf(row.counterpart.kind, row.counterpart.id);
  }
  return own;
}

export async function pipeline(index: SearchIndex, actor: Actor, demandId: string, opts: { ip?: string | undefined } = {}) {
  const doc = await workingDemand(actor, demandId, false);
  const records = (await Match.find({ demand: demandId }).lean<MatchDoc[]>()).map((m) => matchView(m)).sort(byRank);
  const contact = partyOf(actor, doc) === 'broker' ? await pipelineContacts(actor, doc, records, opts) : undefined;
  const taken = new Set(records.map((m) => `${m.candidate.kind}:${m.candidate.id}`));
  const profile = needProfile(doc);
  const [results, experts] = await Promise.all([matchesForNeed(index, profile, 'result', 15), matchesForNeed(index, profile, 'expert', 8)]);
  const suggestions = [...results, ...experts].filter((s) => !taken.has(`${s.kind}:${s.id}`));
  return {
    demand: { id: String(doc._id), title: doc.title, status: doc.status, broker: doc.broker ? { id: doc.broker, name: doc.brokerName } : undefined, enterpriseName: doc.enterpriseName, contact },
    matches: records,
    suggestions,
    canWork: partyOf(actor, doc) !== 'owner',
    canConfirm: partyOf(actor, doc) === 'owner',
  };
}

async function candidateOf(kind: 'result' | 'expert', id: string): Promise<{ title: string; counterpart: { kind: 'institution' | 'expert'; id: string } }> {
  if (kind === 'result') {
    const r = await findLive<ResultDoc>(Result, id);
    if (!r || r.status === 'draft') throw new Invalid({ candidate: '所选科技成果不存在。' });
    return { title: r.title, counterpart: { kind: 'institution', id: r.institution } };
  }
  const e = await findLive<ExpertDoc>(Expert, id);
  if (!e) throw new Invalid({ candidate: '所选专家不存在。' });
  return { title: e.name, counterpart: { kind: 'expert', id } };
}

/** The steps the broker records that the enterprise confirms (confirmStep). */
export const CONFIRMED_STEPS = ['intention', 'contracted'] as const;
export type ConfirmedStep = (typeof CONFIRMED_STEPS)[number];

async function notifyParties(m: MatchDoc, title: string, body: string): Promise<void> {
  const enterprise = await usersOf('enterprise', m.enterprise);
  const counterpart = m.counterpart?.kind && m.counterpart.id ? await usersOf(m.counterpart.kind, m.counterpart.id) : [];
  const step = (CONFIRMED_STEPS as readonly string[]).includes(m.status) ? (m.status as ConfirmedStep) : undefined;
  if (step) {
    // The enterprise confirms what the broker recorded for its need, with one click on the notice.
    await notifyUsers(enterprise, {
      kind: 'match.status',
      title,
      body: `${body} 请确认经纪人记录的“${STATUS_LABELS[step]}”是否属实。`,
      link: `/demands/${m.demand}/pipeline`,
      action: { href: `/matches/${String(m._id)}/confirm/${step}`, label: `确认${STATUS_LABELS[step]}` },
    });
    await notifyUsers(counterpart, { kind: 'match.status', title, body, link: `/demands/${m.demand}` });
    return;
  }
  await notifyUsers([...enterprise, ...counterpart], { kind: 'match.status', title, body, link: `/demands/${m.demand}` });
}

/**
 * The enterprise that owns the need confirms a 达成意向 or 已签约 step its broker recorded (the latest such step
 * of the match): `confirmedAt/By` on that history entry, shown in the pipeline as 企业已确认. Once only; a
 * declined match has nothing to confirm.
 */
export async function confirmStep(actor: Actor, matchId: string, step: ConfirmedStep): Promise<MatchView> {
  if (!mongoose.isValidObjectId(matchId)) throw new NotFound('对接记录不存在。');
  const match = await Match.findById(matchId).lean<MatchDoc>();
  const doc = match ? await findLive<DemandDoc>(Demand, match.demand) : null;
  const party = doc ? partyOf(actor, doc) : undefined;
  if (!match || !party) throw new NotFound('对接记录不存在。');
  if (party !== 'owner') throw new Forbidden('“达成意向”和“签约”由发布需求的企业确认。');
  const history = match.history ?? [];
  let at = -1;
  history.forEach((h, i) => {
    if (h.to === step) at = i;
  });
  if (at < 0) throw new Conflict(`经纪人尚未记录“${STATUS_LABELS[step]}”。`);
  if (history[at]!.confirmedAt) throw new Conflict(`“${STATUS_LABELS[step]}”已经确认过。`);
  if (match.status === 'declined') throw new Conflict('该对接已标记为未成，无需确认。');
  const res = await Match.updateOne(
    { _id: matchId, updatedAt: match.updatedAt },
    { $set: { [`history.${at}.confirmedAt`]: clock.now(), [`history.${at}.confirmedBy`]: actor.id, [`history.${at}.confirmedByName`]: nameWithRole(actor) } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('对接记录刚刚发生了变化，请刷新后重试。');
  await audit.record({ actor, action: 'match.confirm', target: { kind: 'match', id: matchId, label: match.candidateTitle }, detail: STATUS_LABELS[step] });
  await notifyUsers(await usersOf('broker', doc!.broker), {
    kind: 'match.status',
    title: `企业已确认：${match.candidateTitle} ${STATUS_LABELS[step]}`,
    body: `需求“${match.demandTitle}”。`,
    link: `/demands/${match.demand}/pipeline`,
  });
  return matchView((await Match.findById(matchId).lean<MatchDoc>())!);
}

/** Takes a candidate up for the need (score and reasons as the matcher gives them now). */
export async function shortlist(index: SearchIndex, actor: Actor, demandId: string, candidate: { kind: 'result' | 'expert'; id: string }, note?: string): Promise<MatchView> {
  const doc = await workingDemand(actor, demandId, true);
  if (['closed', 'contracted', 'draft'].includes(doc.status)) throw new Conflict(`需求当前为“${labelOf('demandStatus', doc.status)}”，不能再添加对接对象。`);
  const info = await candidateOf(candidate.kind, candidate.id);
  const created = await newMatch(index, doc, { kind: candidate.kind, id: candidate.id, title: info.title, counterpart: info.counterpart }, {
    status: 'shortlisted',
    by: actor.id,
    byName: nameWithRole(actor),
    note,
    dueInDays: STAGE_DAYS.shortlisted,
  });
  if (!created) throw new Conflict('该对象已在对接清单中。');
  // A need with a shortlist is being matched.
  if (doc.status === 'published') await transition(actor, demandId, 'matching', '经纪人已开始对接').catch(unlessMovedOn);
  await notifyParties(created, `“${doc.title}”有了新的对接对象`, `${info.title} 已列入对接清单。`);
  return matchView(created);
}

/**
 * The need follows its matches on a best-effort basis: one that another party moved meanwhile (a conflict) or
 * that this actor may not move is left as it is. Anything else — the database failing — is a real error.
 */
function unlessMovedOn(err: unknown): void {
  if (!(err instanceof Conflict || err instanceof Forbidden)) throw err;
}

async function loadMatch(actor: Actor, matchId: string): Promise<{ match: MatchDoc; demand: DemandDoc }> {
  if (!mongoose.isValidObjectId(matchId)) throw new NotFound('对接记录不存在。');
  const match = await Match.findById(matchId).lean<MatchDoc>();
  if (!match) throw new NotFound('对接记录不存在。');
  // A match is seen only by its need's parties: to anyone else it does not exist, whatever they try with it.
  const doc = await findLive<DemandDoc>(Demand, match.demand);
  if (!doc || !partyOf(actor, doc)) throw new NotFound('对接记录不存在。');
  const demand = await workingDemand(actor, match.demand, true);
  return { match, demand };
}

/** Moves a match to its next stage (or declines it) with a note; the deadline follows the stage. */
export async function move(actor: Actor, matchId: string, to: MatchStatus, input: { note?: string | undefined; reason?: DeclineReason | undefined }): Promise<MatchView> {
  const { match, demand } = await loadMatch(actor, matchId);
  const from = match.status as MatchStatus;
  if (!NEXT[from].includes(to)) throw new Conflict(`对接当前为“${STATUS_LABELS[from]}”，不能变更为“${STATUS_LABELS[to]}”。`);
  if (to === 'declined' && !input.reason) throw new Invalid({ reason: '请选择未成的原因，对方会看到。' });
  const now = clock.now();
  const days = STAGE_DAYS[to];
  const set: Record<string, unknown> = { status: to, dueAt: days ? new Date(now.getTime() + days * DAY) : null };
  if (to === 'declined') set.declineReason = input.reason;
  const res = await Match.updateOne(
    { _id: matchId, status: from },
    { $set: set, ...(to !== 'declined' ? { $unset: { declineReason: 1 } } : {}), $push: { history: { $each: [{ from, to, at: now, by: actor.id, byName: nameWithRole(actor), note: input.note }] } } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('对接状态刚刚被其他人修改，请刷新后重试。');
  // The need follows: a meeting means negotiation has begun.
  if ((to === 'meeting' || to === 'intention') && demand.status === 'matching') {
    await transition(actor, String(demand._id), 'negotiating', `${match.candidateTitle}：${STATUS_LABELS[to]}`).catch(unlessMovedOn);
  }
  const updated = (await Match.findById(matchId).lean<MatchDoc>())!;
  const why = to === 'declined' ? `原因：${DECLINE_REASONS[input.reason!]}${input.note ? `（${input.note}）` : ''}` : input.note ?? '';
  await notifyParties(updated, `对接进展：${match.candidateTitle} ${STATUS_LABELS[to]}`, `需求“${match.demandTitle}”。${why}`);
  return matchView(updated);
}

/**
 * A contract was recorded for this match (deals module): the match becomes contracted from any open stage,
 * and its need with it. A declined match must be taken up again first.
 */
export async function contractMatch(actor: Actor, match: MatchDoc, contractTitle: string): Promise<void> {
  const from = match.status as MatchStatus;
  const note = `签订技术合同“${contractTitle}”`;
  if (from !== 'contracted') {
    if (from === 'declined') throw new Invalid({ 'source.match': '该对接已标记为未成，请先重新入围再登记合同。' });
    const res = await Match.updateOne(
      { _id: match._id, status: from },
      { $set: { status: 'contracted', dueAt: null }, $unset: { declineReason: 1 }, $push: { history: { $each: [{ from, to: 'contracted', at: clock.now(), by: actor.id, byName: nameWithRole(actor), note }] } } },
    );
    if (res.modifiedCount !== 1) throw new Conflict('对接状态刚刚被其他人修改，请刷新后重试。');
  }
  await markContracted(actor, match.demand, note);
  const updated = (await Match.findById(match._id).lean<MatchDoc>())!;
  await notifyParties(updated, `对接签约：${match.candidateTitle}`, `需求“${match.demandTitle}”已签订技术合同。`);
}

/** The match a contract refers to, if the actor works it (its broker or an organizer). */
export async function matchForContract(actor: Actor, matchId: string): Promise<MatchDoc> {
  const match = mongoose.isValidObjectId(matchId) ? await Match.findById(matchId).lean<MatchDoc>() : null;
  if (!match) throw new Invalid({ 'source.match': '所选对接记录不存在。' });
  if (!isOrganizer(actor) && !(actor.profile?.kind === 'broker' && match.broker === actor.profile.id)) {
    throw new Invalid({ 'source.match': '只能登记由您负责的对接记录。' });
  }
  return match;
}

/** The broker's own ordering of a match, with the reason (shown beside it). */
export async function override(actor: Actor, matchId: string, rank: number, reason: string): Promise<MatchView> {
  await loadMatch(actor, matchId);
  await Match.updateOne({ _id: matchId }, { $set: { override: { rank, reason, by: actor.id, byName: nameWithRole(actor), at: clock.now() } } });
  await audit.record({ actor, action: 'match.override', target: { kind: 'match', id: matchId }, detail: `第 ${rank} 位：${reason}` });
  return matchView((await Match.findById(matchId).lean<MatchDoc>())!);
}

const capMessage = (limit: number) =>
  `您已有 ${limit} 项认领的需求尚待发布企业或区科技局确认，达到上限（${limit} 项）。请等待确认后再认领新的需求；如需提高上限，请联系区科技局。`;

/** The claim itself, under the limit: the need is taken only if still unassigned, and given back if the limit was passed. */
async function takeClaim(brokerId: string, brokerName: string, limit: number, demandId: string): Promise<void> {
  if ((await unconfirmedClaims(brokerId)) >= limit) throw new Conflict(capMessage(limit));
  // Only if still unassigned: of two brokers claiming at once, one gets it.
  const res = await Demand.updateOne({ _id: demandId, broker: null }, { $set: { broker: brokerId, brokerName }, $unset: { brokerConfirmedAt: 1, brokerConfirmedByName: 1 } });
  if (res.modifiedCount !== 1) throw new Conflict('该需求刚刚被其他经纪人认领。');
  // Counted again after the write, without a transaction: of simultaneous claims that together pass the limit,
  // each sees the others' writes and steps back, so the broker never keeps more than the limit.
  if ((await unconfirmedClaims(brokerId)) > limit) {
    await Demand.updateOne({ _id: demandId, broker: brokerId, brokerConfirmedAt: null }, { $unset: { broker: 1, brokerName: 1 } });
    throw new Conflict(capMessage(limit));
  }
}

/**
 * A broker takes up an unassigned need. The claim waits for the enterprise or an organizer to confirm it
 * (`confirmClaim`); until then the enterprise's contact stays hidden (server/contacts/policy.ts), and a broker
 * holds at most their claim limit (brokers/model.ts DEFAULT_CLAIM_LIMIT unless an organizer set another) of
 * such claims — beyond it the claim is refused with 409.
 */
export async function claim(actor: Actor, demandId: string): Promise<void> {
  if (actor.role !== 'broker' || actor.profile?.kind !== 'broker') throw new Forbidden('只有完善了资料的技术经纪人可以认领需求。');
  const { doc } = await visibleDemand(actor, demandId); // someone else's draft: 404
  demandPolicy.authorize(actor, 'claim', doc); // the same rule decides whether the page shows the button
  const broker = await findLive<BrokerDoc>(Broker, actor.profile.id);
  if (!broker) throw new Forbidden('经纪人资料不存在。');
  const brokerId = String(broker._id);
  const limit = broker.claimLimit ?? DEFAULT_CLAIM_LIMIT;
  // One claim of a broker at a time in this process, so that simultaneous claims are taken in turn up to the limit;
  // the count after the write below covers claims made through other instances.
  await oneAtATime(`claim|${brokerId}`, () => takeClaim(brokerId, broker.name, limit, demandId));
  await audit.record({ actor, action: 'demand.claim', target: { kind: 'demand', id: demandId, label: doc.title } });
  await notifyUsers([...(await usersOf('enterprise', doc.enterprise)), ...(await organizers())], {
    kind: 'demand.assigned',
    title: `“${doc.title}”已由技术经纪人 ${broker.name} 认领，待确认`,
    body: '确认后该经纪人即可查看企业联系方式并推进对接。请在需求页面确认。',
    link: `/demands/${demandId}`,
  });
}

/**
 * The enterprise that owns the need, or an organizer, confirms the broker's claim: from now on the broker
 * sees the enterprise's contact (server/contacts/policy.ts) and the claim no longer counts toward their limit.
 */
export async function confirmClaim(actor: Actor, demandId: string): Promise<DemandView> {
  const { doc, party } = await visibleDemand(actor, demandId);
  if (party !== 'owner' && party !== 'organizer') throw new Forbidden('只有发布企业和区科技局可以确认经纪人的认领。');
  if (!doc.broker) throw new Conflict('该需求目前没有经纪人认领。');
  if (doc.brokerConfirmedAt) throw new Conflict('该经纪人的认领已经确认。');
  demandPolicy.authorize(actor, 'confirmClaim', doc);
  // Only the claim that was seen: if the broker changed meanwhile, nothing is confirmed.
  const res = await Demand.updateOne(
    { _id: demandId, broker: doc.broker, brokerConfirmedAt: null },
    { $set: { brokerConfirmedAt: clock.now(), brokerConfirmedByName: actor.name } },
  );
  if (res.modifiedCount !== 1) throw new Conflict('认领情况刚刚发生了变化，请刷新后重试。');
  await audit.record({ actor, action: 'demand.claim.confirm', target: { kind: 'demand', id: demandId, label: doc.title }, detail: `确认 ${doc.brokerName ?? ''}` });
  await notifyUsers(await usersOf('broker', doc.broker), {
    kind: 'demand.assigned',
    title: `“${doc.title}”的认领已确认`,
    body: `${nameWithRole(actor)} 已确认由您负责对接，现在可以查看企业联系方式。`,
    link: `/demands/${demandId}`,
  });
  return demandView(await loadDemand(demandId), party);
}

/** Tells each broker, once a day, about matches whose feedback deadline has passed. */
export async function remindOverdue(now = clock.now()): Promise<number> {
  const stages = Object.keys(STAGE_DAYS) as MatchStatus[];
  const open = await Match.find({ status: mongoose.trusted({ $in: stages }), dueAt: mongoose.trusted({ $lt: now }) }).lean<MatchDoc[]>();
  const day = now.toISOString().slice(0, 10);
  for (const m of open) {
    const brokerUsers = await usersOf('broker', m.broker);
    await notifyUsers(brokerUsers.length ? brokerUsers : await organizers(), {
      kind: 'match.overdue',
      title: `对接逾期：${m.candidateTitle}`,
      body: `需求“${m.demandTitle}”在“${STATUS_LABELS[m.status as MatchStatus]}”阶段已超过反馈期限。`,
      link: `/demands/${m.demand}/pipeline`,
      key: `overdue|${String(m._id)}|${day}`,
    });
  }
  return open.length;
}
