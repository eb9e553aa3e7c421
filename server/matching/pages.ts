// Matching pages: the pipeline of a need, the broker's queue, contact requests (the organizers' queue among
// them), notifications; and the forms behind their buttons. Each posts, then redirects back with a message.
import type { Request, RequestHandler, Response } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Conflict, Invalid } from '../platform/errors.ts';
import { idParam, safeReturnPath } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { indexOf } from './api.ts';
import { answerContact, myContactRequests, nudgeContact, requestContact } from './contacts.ts';
import { DECLINE_REASONS } from './model.ts';
import { contactQueue, forwardRequest } from './contact-queue.ts';
import { answerInput, confirmInput, contactRequestInput, forwardInput, moveInput, overrideInput, QUEUE_STATUSES, queueQuery, shortlistInput, workbenchQuery } from './schema.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import type { SearchSync } from '../platform/search/sync.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { claim, confirmClaim, confirmStep, move, override, pipeline, shortlist, STATUS_LABELS } from './service.ts';
import { queue } from './workbench.ts';
import { clock } from '../platform/clock.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from '../platform/http/kept-body.ts';
import { indexVersion } from '../platform/http/visitor-pages.ts';

const declineOptions = Object.entries(DECLINE_REASONS).map(([value, label]) => ({ value, label }));

/** Runs a form action; a validation problem comes back as a message on the page it was posted from. */
function formAction(action: (req: Parameters<RequestHandler>[0]) => Promise<string>, back: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
  return async (req, res) => {
    try {
      req.flash('success', await action(req));
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      req.flash('error', Object.values(err.fields).join(' '));
    }
    res.redirect(303, back(req));
  };
}

export const pipelinePage: RequestHandler = async (req, res) => {
  const p = await pipeline(indexOf(req), req.user!, idParam(req), { ip: req.ip });
  res.set('Cache-Control', 'no-store');
  res.render('matching/pipeline', {
    title: `对接进展：${p.demand.title}`,
    section: 'demands',
    ...p,
    // The first ten suggestions; the rest collapsed under a summary.
    firstSuggestions: p.suggestions.slice(0, 10),
    moreSuggestions: p.suggestions.slice(10),
    statusLabels: STATUS_LABELS,
    declineOptions,
  });
};

const toPipeline = (req: Parameters<RequestHandler>[0]) => `/demands/${req.params.id}/pipeline`;

export const shortlistForm = formAction(async (req) => {
  const input = parse(shortlistInput, { kind: req.body?.kind, id: req.body?.candidate, note: req.body?.note || undefined });
  const m = await shortlist(indexOf(req), req.user!, idParam(req), { kind: input.kind, id: input.id }, input.note);
  return `已将“${m.candidate.title}”列入对接清单。`;
}, toPipeline);

export const moveForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  let back = '/broker';
  try {
    const input = parse(moveInput, { status: req.body?.status, note: req.body?.note || undefined, reason: req.body?.reason });
    const m = await move(req.user!, id, input.status, input);
    back = `/demands/${m.demand.id}/pipeline`;
    req.flash('success', `“${m.candidate.title}”：${m.statusLabel}。`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
    back = safeReturnPath(req.body?.back, '/broker');
  }
  res.redirect(303, back);
};

/** The enterprise's one click on a notice (or on the pipeline): confirms 达成意向 / 已签约; back where it was. */
export const confirmStepForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const back = safeReturnPath(req.body?.back, '/notifications');
  try {
    const { stage } = parse(confirmInput, { stage: req.params.stage });
    const m = await confirmStep(req.user!, id, stage);
    req.flash('success', `已确认“${m.candidate.title}”${STATUS_LABELS[stage]}。`);
  } catch (err) {
    if (err instanceof Conflict) req.flash('error', err.detail);
    else if (err instanceof Invalid) req.flash('error', Object.values(err.fields).join(' '));
    else throw err;
  }
  res.redirect(303, back);
};

export const overrideForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  try {
    const input = parse(overrideInput, { rank: req.body?.rank, reason: req.body?.reason });
    const m = await override(req.user!, id, input.rank, input.reason);
    req.flash('success', `已将“${m.candidate.title}”调整到第 ${input.rank} 位。`);
    res.redirect(303, `/demands/${m.demand.id}/pipeline`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
    res.redirect(303, safeReturnPath(req.body?.back, '/broker'));
  }
};

export const claimForm = formAction(async (req) => {
  await claim(req.user!, idParam(req));
  return '已认领该需求，可以开始梳理对接。发布企业或区科技局确认后，您才能看到企业的联系方式。';
}, toPipeline);

export const confirmClaimForm = formAction(
  async (req) => {
    const view = await confirmClaim(req.user!, idParam(req));
    return `已确认由 ${view.broker?.name ?? '该经纪人'} 负责对接，对方现在可以看到企业联系方式。`;
  },
  (req) => `/demands/${req.params.id}`,
);

const unassignedSorts = [
  { value: 'budget', label: '预算从高到低' },
  { value: 'deadline', label: '截止日期最近' },
];

/**
 * The workbench's body is kept per viewer, address, minute (overdue rows are worked out from the clock) and search
 * index generation (each open need's best score), until a need or a pipeline row changes ('workbench' topic); each
 * view fills in its session's token for the claim forms (platform/http/kept-body.ts).
 */
const keptQueues = keptBodies('workbench', 500);

export const queuePage: RequestHandler = async (req, res) => {
  const q = parse(workbenchQuery, req.query);
  res.set('Cache-Control', 'no-store');
  const index = req.app.locals.search as SearchIndex | undefined;
  const locals = async () => {
    const data = await queue(req.user!, q, index, req.app.locals.searchSync as SearchSync | undefined);
    return {
      title: '经纪人工作台',
      section: 'broker',
      ...data,
      pager: pager(data.unassigned),
      filters: q,
      industryOptions: optionsOf('industry'),
      townOptions: optionsOf('town'),
      sortOptions: unassignedSorts,
      statusLabels: STATUS_LABELS,
    };
  };
  const version = indexVersion(req);
  if (version === undefined) return res.render('matching/queue', await locals());
  await sendWithKeptBody(req, res, {
    bodies: keptQueues,
    key: `${viewerKey(req.user!)}|${version}|${Math.floor(clock.ms() / 60_000)}|${req.originalUrl}`,
    view: 'matching/queue',
    locals,
  });
};

export const contactRequestForm: RequestHandler = async (req, res) => {
  const back = safeReturnPath(req.body?.back, '/contact-requests');
  try {
    const input = parse(contactRequestInput, { kind: req.body?.kind, id: req.body?.target, demand: req.body?.demand, message: req.body?.message || undefined });
    await requestContact(req.user!, input);
    req.flash('success', '已发送对接申请，对方同意后即可看到联系方式。');
  } catch (err) {
    // Asked already (a second click, an old tab): say where it stands on the page it came from.
    if (err instanceof Conflict) req.flash('error', err.message);
    else if (err instanceof Invalid) req.flash('error', Object.values(err.fields).join(' '));
    else throw err;
  }
  res.redirect(303, back);
};

export const answerForm = formAction(async (req) => {
  const input = parse(answerInput, { accept: req.body?.decision === 'accept', answer: req.body?.answer || undefined });
  const r = await answerContact(req.user!, idParam(req), input.accept, input.answer);
  return r.status === 'accepted' ? `已同意 ${r.enterprise.name} 的对接申请，双方联系方式已互相可见。` : '已婉拒该申请。';
}, () => '/contact-requests');

export const nudgeForm = formAction(async (req) => {
  await nudgeContact(req.user!, idParam(req));
  return '已提醒对方尽快答复。';
}, () => '/contact-requests');

const queueStatusOptions = Object.entries(QUEUE_STATUSES).map(([value, label]) => ({ value, label }));

/**
 * The page's body is kept per viewer and address until a contact request or a need is written anywhere ('queues',
 * 'workbench': a need's broker decides who may nudge); a page showing a form's error is rendered each time.
 */
const keptContactRequests = keptBodies(['queues', 'workbench'], 2_000);

/**
 * The contact-request page: for organizers, the queue (a status filter, a page at a time, a forward form on each
 * pending request); for everyone else, what they sent and received. `query` is the queue's query string.
 */
async function renderContactRequests(req: Request, res: Response, query: unknown, extra: Record<string, unknown> = {}): Promise<void> {
  res.set('Cache-Control', 'no-store');
  const organizer = isOrganizer(req.user!);
  // The query is checked when the page is made: a kept page's URL was checked by its first view.
  const locals = async () => {
    if (!organizer) return { title: '对接申请', ...(await myContactRequests(req.user!)) };
    const q = parse(queueQuery, query);
    const queue = await contactQueue(req.user!, q);
    return {
      title: '对接申请',
      organizerQueue: true,
      received: queue.items,
      pager: pager(queue),
      filters: q,
      statusOptions: queueStatusOptions,
      back: req.originalUrl,
      ...extra,
    };
  };
  if (Object.keys(extra).length) return res.render('matching/contact-requests', await locals());
  await sendWithKeptBody(req, res, { bodies: keptContactRequests, key: `${viewerKey(req.user!)}|${req.originalUrl}`, view: 'matching/contact-requests', locals });
}

export const contactRequestsPage: RequestHandler = (req, res) => renderContactRequests(req, res, req.query);

/** The query string of the page a form was posted from (its `back` field), to show that page again. */
function queryOf(back: string): Record<string, string> {
  return Object.fromEntries(new URL(back, 'http://localhost').searchParams);
}

/** An organizer forwards a pending request; a bad address is shown beside the field, on the page it came from. */
export const forwardForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const back = safeReturnPath(req.body?.back, '/contact-requests');
  try {
    const { email } = parse(forwardInput, { email: req.body?.email });
    const { repeated } = await forwardRequest(req.user!, id, email, { ip: req.ip });
    req.flash('success', repeated ? `这项申请已转交给 ${email}，答复链接仍然有效，未重复发送。` : `已将申请转交给 ${email}，答复链接已通过邮件发出。`);
  } catch (err) {
    if (err instanceof Conflict) req.flash('error', err.detail);
    else if (err instanceof Invalid) {
      res.status(400);
      return renderContactRequests(req, res, queryOf(back), { forwardError: { id, email: String(req.body?.email ?? ''), message: err.fields.email ?? Object.values(err.fields).join(' ') } });
    } else throw err;
  }
  res.redirect(303, back);
};
