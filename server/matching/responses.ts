// Responses to needs (响应需求; 揭榜 when the need is marked 揭榜挂帅): an institution or an expert answers an open
// need with a message and the results it offers. The response reaches the enterprise (notice and mail) and the
// need's broker, shows on the need's page to the enterprise, its broker and the organizers, and each offered
// result (or the expert) enters the broker's pipeline as a candidate. The enterprise (or an organizer) accepts or
// declines it; accepting works like an accepted contact request: both sides see each other's contact
// (contacts/policy.ts, through the accepted request it records).
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import { findLive } from '../platform/db/live.ts';
import { clock } from '../platform/clock.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { labelOf, nameWithRole } from '../vocabulary/index.ts';
import type { DemandDoc } from '../demands/model.ts';
import { visibleDemand } from '../demands/service.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import * as audit from '../audit/service.ts';
import { notifyUsers, organizers, usersOf } from '../notifications/service.ts';
import * as mail from '../mail/messages.ts';
import { newMatch } from './candidates.ts';
import { ContactRequest, DemandResponse, type ResponseDoc } from './model.ts';

/** Needs still looking for a partner accept responses. */
const OPEN = ['published', 'matching', 'negotiating'];

export const RESPONSE_STATUS_LABELS = { open: '待企业答复', accepted: '企业已接受', declined: '企业已婉拒' } as const;

export interface ResponseView {
  id: string;
  demand: { id: string; title: string };
  responder: { kind: 'institution' | 'expert'; id: string; name: string };
  userName: string;
  results: { id: string; title: string }[];
  message: string;
  jiebang: boolean;
  status: keyof typeof RESPONSE_STATUS_LABELS;
  statusLabel: string;
  answer?: string | null | undefined;
  createdAt: Date;
  updatedAt: Date;
  answeredAt?: Date | null | undefined;
  /** the viewer may accept or decline it (the enterprise, or an organizer, while it is open) */
  canAnswer: boolean;
}

function view(r: ResponseDoc, canAnswer: boolean): ResponseView {
  const status = r.status as ResponseView['status'];
  return {
    id: String(r._id),
    demand: { id: r.demand, title: r.demandTitle },
    responder: { kind: r.responder.kind as 'institution' | 'expert', id: r.responder.id, name: r.responder.name },
    userName: r.userName,
    results: (r.results ?? []).map((x) => ({ id: x.id, title: x.title })),
    message: r.message,
    jiebang: !!r.jiebang,
    status,
    statusLabel: RESPONSE_STATUS_LABELS[status],
    answer: r.answer,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    answeredAt: r.answeredAt,
    canAnswer: canAnswer && status === 'open',
  };
}

/** The record the actor responds for: their institution or their expert profile. */
async function responderOf(actor: Actor): Promise<{ kind: 'institution' | 'expert'; id: string; name: string }> {
  const p = actor.profile;
  if (actor.status !== 'active' || !p || (p.kind !== 'institution' && p.kind !== 'expert')) {
    throw new Forbidden('只有高校院所和专家账户可以响应需求。');
  }
  if (p.kind === 'institution') {
    const inst = await findLive<InstitutionDoc>(Institution, p.id);
    if (!inst) throw new Conflict('请先登记单位信息，再响应需求。');
    return { kind: 'institution', id: p.id, name: inst.name };
  }
  const e = await findLive<ExpertDoc>(Expert, p.id);
  if (!e) throw new Conflict('请先完善专家资料，再响应需求。');
  return { kind: 'expert', id: p.id, name: e.name };
}

/** Why a need takes no responses (undefined when it does). */
export function closedReason(d: Pick<DemandDoc, 'status'>): string | undefined {
  if (OPEN.includes(d.status)) return undefined;
  return `需求当前为“${labelOf('demandStatus', d.status)}”，不再接受响应。`;
}

/** The results offered: live, published, and the responder's own (its institution's, or led by the expert). */
async function offered(responder: { kind: 'institution' | 'expert'; id: string }, ids: string[]): Promise<{ id: string; title: string }[]> {
  const out: { id: string; title: string }[] = [];
  for (const id of [...new Set(ids)]) {
    const r = await findLive<ResultDoc>(Result, id);
    const own = r && (responder.kind === 'institution' ? r.institution === responder.id : r.leadExpert === responder.id);
    if (!r || r.status !== 'published' || !own) throw new Invalid({ results: '只能提供本单位（或本人牵头）已发布的科技成果。' });
    out.push({ id, title: r.title });
  }
  if (responder.kind === 'institution' && !out.length) throw new Invalid({ results: '请选择要提供的科技成果（至少一项）。' });
  return out;
}

/** Each offered result (or the expert) enters the pipeline as a candidate, unless it is there already. */
async function intoPipeline(index: SearchIndex | undefined, doc: DemandDoc, response: ResponseDoc): Promise<void> {
  const candidates: { kind: 'result' | 'expert'; id: string; title: string }[] = response.results.length
    ? response.results.map((r) => ({ kind: 'result', id: r.id, title: r.title }))
    : [{ kind: 'expert', id: response.responder.id, title: response.responder.name }];
  const counterpart = { kind: response.responder.kind, id: response.responder.id };
  for (const c of candidates) {
    // A candidate already in the pipeline keeps the broker's stage (newMatch answers undefined).
    await newMatch(index, doc, { ...c, counterpart }, {
      status: 'suggested',
      by: response.user,
      byName: response.userName,
      note: response.jiebang ? '揭榜' : '响应需求',
      reason: `${response.responder.name}主动${response.jiebang ? '揭榜' : '响应'}`,
    });
  }
}

/**
 * Responds to a need, or edits the actor's open response to it. Answers whether it was created (201) or edited.
 */
export async function respond(
  index: SearchIndex | undefined,
  actor: Actor,
  demandId: string,
  input: { results: string[]; message: string },
): Promise<{ response: ResponseView; created: boolean }> {
  const responder = await responderOf(actor);
  const { doc } = await visibleDemand(actor, demandId);
  const closed = closedReason(doc);
  if (closed) throw new Conflict(closed);
  const results = await offered(responder, input.results);
  const pair = `${demandId}|${responder.kind}:${responder.id}`;
  const existing = await DemandResponse.findOne({ pair }).lean<ResponseDoc>();
  let saved: ResponseDoc;
  let created = false;
  if (existing) {
    if (existing.status !== 'open') throw new Conflict(`您对该需求的响应${existing.status === 'accepted' ? '已被企业接受' : '已被企业婉拒'}，不能再修改。`);
    const res = await DemandResponse.updateOne(
      { _id: existing._id, status: 'open' },
      { $set: { results, message: input.message, user: actor.id, userName: nameWithRole(actor) } },
    );
    if (res.matchedCount !== 1) throw new Conflict('该响应刚刚已被企业答复，请刷新页面查看。');
    saved = (await DemandResponse.findById(existing._id).lean<ResponseDoc>())!;
  } else {
    try {
      saved = (
        await DemandResponse.create({
          demand: demandId,
          demandTitle: doc.title,
          enterprise: doc.enterprise,
          responder,
          user: actor.id,
          userName: nameWithRole(actor),
          results,
          message: input.message,
          jiebang: !!doc.jiebang,
          pair,
        })
      ).toObject() as ResponseDoc;
      created = true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new Conflict('您刚刚已响应过该需求，请刷新页面后修改。');
      throw err;
    }
  }
  await intoPipeline(index, doc, saved);
  const revision = Math.round(saved.updatedAt.getTime() / 1000);
  const verb = saved.jiebang ? '揭榜' : '响应';
  await notifyUsers([...(await usersOf('enterprise', doc.enterprise)), ...(await usersOf('broker', doc.broker))], {
    kind: 'demand.response',
    title: created ? `${responder.name}${verb}了需求“${doc.title}”` : `${responder.name}修改了对需求“${doc.title}”的${verb}`,
    body: input.message.slice(0, 200),
    link: `/demands/${demandId}#responses`,
    key: `demand-response:${String(saved._id)}:${created ? 'created' : `edited:${revision}`}`,
    mail: mail.demandResponse({
      responderName: responder.name,
      demandTitle: doc.title,
      jiebang: !!saved.jiebang,
      results: results.map((r) => `“${r.title}”`).join('、'),
      message: input.message,
      edited: !created,
      link: `/demands/${demandId}#responses`,
    }),
  });
  await audit.record({ actor, action: created ? 'response.create' : 'response.update', target: { kind: 'demand', id: demandId, label: doc.title }, detail: responder.name });
  return { response: view(saved, false), created };
}

/** Who sees a need's responses: its enterprise, its broker and organizers (everything); a responder its own. */
export async function responsesOf(actor: Actor | undefined, demandId: string): Promise<{ items: ResponseView[]; all: boolean }> {
  const { doc, party } = await visibleDemand(actor, demandId, { shown: true });
  if (party) {
    const docs = await DemandResponse.find({ demand: String(doc._id) }).sort({ createdAt: 1, _id: 1 }).lean<ResponseDoc[]>();
    const mayAnswer = party === 'owner' || party === 'organizer';
    return { items: docs.map((d) => view(d, mayAnswer)), all: true };
  }
  const p = actor?.profile;
  if (actor?.status === 'active' && p && (p.kind === 'institution' || p.kind === 'expert')) {
    const own = await DemandResponse.findOne({ pair: `${demandId}|${p.kind}:${p.id}` }).lean<ResponseDoc>();
    return { items: own ? [view(own, false)] : [], all: false };
  }
  return { items: [], all: false };
}

export async function listResponses(actor: Actor, demandId: string): Promise<ResponseView[]> {
  const { items, all } = await responsesOf(actor, demandId);
  if (!all && !items.length) throw new Forbidden('只有发布企业、对接经纪人和区科技局可以查看需求的响应。');
  return items;
}

/**
 * The enterprise (or an organizer) accepts or declines a response. Accepting records an accepted contact
 * request between the enterprise and the responder, so each side sees the other's contact as after any
 * accepted request (contacts/policy.ts), every reveal audited.
 */
export async function answerResponse(actor: Actor, id: string, accept: boolean, answer?: string): Promise<ResponseView> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('响应不存在。');
  const r = await DemandResponse.findById(id).lean<ResponseDoc>();
  if (!r) throw new NotFound('响应不存在。');
  const { doc, party } = await visibleDemand(actor, r.demand).catch(() => {
    throw new NotFound('响应不存在。');
  });
  if (party !== 'owner' && party !== 'organizer') {
    if (party === 'broker' || (actor.profile?.kind === r.responder.kind && actor.profile.id === r.responder.id)) {
      throw new Forbidden('响应由发布需求的企业（或区科技局）答复。');
    }
    throw new NotFound('响应不存在。');
  }
  const now = clock.now();
  const res = await DemandResponse.updateOne({ _id: id, status: 'open' }, { $set: { status: accept ? 'accepted' : 'declined', answer, answeredBy: actor.id, answeredAt: now } });
  if (res.modifiedCount !== 1) throw new Conflict('该响应已答复过。');
  if (accept) await recordAcceptedContact(actor, doc, r, answer);
  await audit.record({ actor, action: accept ? 'response.accept' : 'response.decline', target: { kind: 'demand', id: r.demand, label: r.demandTitle }, detail: r.responder.name });
  const responders = await usersOf(r.responder.kind as 'institution' | 'expert', r.responder.id);
  const title = r.results[0]?.title ?? r.demandTitle;
  await notifyUsers(responders.length ? responders : await organizers(), {
    kind: 'contact.answer',
    title: accept ? `企业接受了您对“${r.demandTitle}”的响应，联系方式已可见` : `企业婉拒了您对“${r.demandTitle}”的响应`,
    body: answer,
    link: `/demands/${r.demand}#responses`,
    key: `demand-response:${id}:answered`,
    mail: mail.contactAnswer({ accepted: accept, title, answer, link: `/demands/${r.demand}#responses` }),
  });
  return view((await DemandResponse.findById(id).lean<ResponseDoc>())!, false);
}

/** The accepted contact request an accepted response stands for (an open request for the same record becomes it). */
async function recordAcceptedContact(actor: Actor, doc: DemandDoc, r: ResponseDoc, answer: string | undefined): Promise<void> {
  const target = r.results[0] ? { kind: 'result' as const, id: r.results[0].id, title: r.results[0].title } : { kind: 'expert' as const, id: r.responder.id, title: r.responder.name };
  const now = clock.now();
  const answered = { status: 'accepted' as const, answer, answeredBy: actor.id, answeredVia: 'response' as const, answeredAt: now, response: String(r._id) };
  const pending = await ContactRequest.findOneAndUpdate(
    { enterprise: r.enterprise, 'counterpart.kind': r.responder.kind, 'counterpart.id': r.responder.id, status: 'pending' },
    { $set: answered },
  );
  if (pending) return;
  const enterpriseUsers = await usersOf('enterprise', r.enterprise);
  await ContactRequest.create({
    requester: enterpriseUsers[0] ?? actor.id,
    requesterName: nameWithRole(actor),
    enterprise: r.enterprise,
    enterpriseName: doc.enterpriseName,
    target,
    counterpart: { kind: r.responder.kind, id: r.responder.id },
    demand: r.demand,
    message: r.message.slice(0, 500),
    ...answered,
  });
}

/** What an institution or expert may offer on a need's page: their published results (at most 50, newest first). */
export async function offerableResults(actor: Actor | undefined): Promise<{ id: string; title: string }[]> {
  const p = actor?.profile;
  if (actor?.status !== 'active' || !p || (p.kind !== 'institution' && p.kind !== 'expert')) return [];
  const filter = p.kind === 'institution' ? { institution: p.id } : { leadExpert: p.id };
  const docs = await Result.find({ ...filter, status: 'published', deletedAt: null }).select('title').sort({ createdAt: -1, _id: -1 }).limit(50).lean<ResultDoc[]>();
  return docs.map((d) => ({ id: String(d._id), title: d.title }));
}

