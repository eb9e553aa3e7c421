// Responses to needs, pages and API: the form an institution or expert fills in (响应需求 / 揭榜), the enterprise's
// answer, and /api/v1 twins. The rules are in responses.ts.
import type { Request, RequestHandler, Response } from 'express';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { Conflict, Invalid } from '../platform/errors.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { visibleDemand } from '../demands/service.ts';
import { answerResponse, closedReason, listResponses, offerableResults, respond, responsesOf } from './responses.ts';
import { responseAnswerInput, responseInput } from './schema.ts';
import { DemandResponse, type ResponseDoc } from './model.ts';

const searchOf = (req: Request) => req.app.locals.search as SearchIndex | undefined;

async function renderForm(req: Request, res: Response, demandId: string, state: { values?: Record<string, unknown>; errors?: Record<string, string>; status?: number; problem?: string }) {
  const { doc } = await visibleDemand(req.user, demandId);
  const [offerable, own] = await Promise.all([offerableResults(req.user), responsesOf(req.user, demandId)]);
  const existing = own.all ? undefined : own.items[0];
  const values = state.values ?? { message: existing?.message ?? '', results: existing?.results.map((r) => r.id) ?? [] };
  const chosen = new Set(([] as unknown[]).concat(values.results ?? []).map(String));
  const verb = doc.jiebang ? '揭榜' : '响应需求';
  res.status(state.status ?? 200).render('matching/respond', {
    title: `${verb}：${doc.title}`,
    demand: { id: String(doc._id), title: doc.title, jiebang: !!doc.jiebang, enterpriseName: doc.enterpriseName },
    verb,
    existing,
    closed: closedReason(doc) ?? (existing && existing.status !== 'open' ? `您的响应${existing.statusLabel}，不能再修改。` : undefined),
    expert: req.user?.profile?.kind === 'expert',
    results: offerable.map((r) => ({ ...r, checked: chosen.has(r.id) })),
    values,
    errors: state.errors,
    errorList: state.errors ? Object.values(state.errors) : state.problem ? [state.problem] : undefined,
  });
}

export const respondPage: RequestHandler = async (req, res) => {
  await renderForm(req, res, idParam(req), {});
};

export const respondForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const values = { results: req.body?.results, message: req.body?.message ?? '' };
  try {
    const { created, response } = await respond(searchOf(req), req.user!, id, parse(responseInput, values));
    req.flash('success', created ? `已${response.jiebang ? '揭榜' : '提交响应'}，企业和对接经纪人会收到通知。` : '响应已修改，企业会收到通知。');
    res.redirect(303, `/demands/${id}#responses`);
  } catch (err) {
    if (err instanceof Invalid) return renderForm(req, res, id, { values, errors: err.fields, status: 400 });
    if (err instanceof Conflict) return renderForm(req, res, id, { values, problem: err.detail, status: 409 });
    throw err;
  }
};

export const answerForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const r = await DemandResponse.findById(id).select('demand').lean<ResponseDoc>();
  const back = r ? `/demands/${r.demand}#responses` : '/notifications';
  try {
    const input = parse(responseAnswerInput, { accept: req.body?.decision === 'accept', answer: req.body?.answer || undefined });
    const done = await answerResponse(req.user!, id, input.accept, input.answer);
    req.flash('success', done.status === 'accepted' ? `已接受 ${done.responder.name} 的响应，双方联系方式已互相可见。` : `已婉拒 ${done.responder.name} 的响应。`);
  } catch (err) {
    if (err instanceof Invalid) req.flash('error', Object.values(err.fields).join(' '));
    else if (err instanceof Conflict) req.flash('error', err.detail);
    else throw err;
  }
  res.redirect(303, back);
};

export const apiRespond: RequestHandler = async (req, res) => {
  const { created, response } = await respond(searchOf(req), req.user!, idParam(req), parse(responseInput, req.body ?? {}));
  res.status(created ? 201 : 200).json(response);
};

export const apiResponses: RequestHandler = async (req, res) => {
  const items = await listResponses(req.user!, idParam(req));
  res.json({ items, total: items.length });
};

export const apiAnswer: RequestHandler = async (req, res) => {
  const input = parse(responseAnswerInput, req.body ?? {});
  res.json(await answerResponse(req.user!, idParam(req), input.accept, input.answer));
};
