// JSON API of matching (/api/v1): suggestions with reasons, the pipeline, contact requests, notifications.
import type { Request, RequestHandler } from 'express';
import { Unavailable } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import type { SearchSync } from '../platform/search/sync.ts';
import { answerContact, myContactRequests, requestContact } from './contacts.ts';
import { contactQueue, forwardRequest } from './contact-queue.ts';
import { answerInput, confirmInput, contactRequestInput, forwardInput, matchesQuery, moveInput, overrideInput, queueQuery, shortlistInput, workbenchQuery } from './schema.ts';
import { claim, confirmClaim as confirmBrokerClaim, confirmStep, move, override, pipeline, shortlist } from './service.ts';
import { queue } from './workbench.ts';
import { needsForExpertId, needsForResultId, suggestionsForDemand } from './suggestions.ts';

export function indexOf(req: Request): SearchIndex {
  const index = req.app.locals.search as SearchIndex | undefined;
  if (!index) throw new Unavailable('搜索服务暂不可用，无法计算匹配。');
  return index;
}

const strip = <T extends { display?: unknown }>(items: T[]) => items.map(({ display: _d, ...rest }) => rest);

export const demandMatches: RequestHandler = async (req, res) => {
  const q = parse(matchesQuery, req.query);
  res.json({ items: strip(await suggestionsForDemand(indexOf(req), req.user, idParam(req), q.kind, q.limit)) });
};

export const resultMatches: RequestHandler = async (req, res) => {
  const q = parse(matchesQuery, req.query);
  res.json({ items: strip(await needsForResultId(indexOf(req), req.user, idParam(req), q.limit)) });
};

export const expertMatches: RequestHandler = async (req, res) => {
  const q = parse(matchesQuery, req.query);
  res.json({ items: strip(await needsForExpertId(indexOf(req), idParam(req), q.limit)) });
};

export const getPipeline: RequestHandler = async (req, res) => {
  const p = await pipeline(indexOf(req), req.user!, idParam(req), { ip: req.ip });
  res.set('Cache-Control', 'no-store'); // the broker's copy carries contacts
  res.json({ ...p, suggestions: strip(p.suggestions) });
};

export const addToPipeline: RequestHandler = async (req, res) => {
  const input = parse(shortlistInput, req.body ?? {});
  const m = await shortlist(indexOf(req), req.user!, idParam(req), { kind: input.kind, id: input.id }, input.note);
  res.status(201).json(m);
};

export const moveMatch: RequestHandler = async (req, res) => {
  const input = parse(moveInput, req.body ?? {});
  res.json(await move(req.user!, idParam(req), input.status, input));
};

export const confirmMatchStep: RequestHandler = async (req, res) => {
  const { stage } = parse(confirmInput, req.body ?? {});
  res.json(await confirmStep(req.user!, idParam(req), stage));
};

export const overrideMatch: RequestHandler = async (req, res) => {
  const input = parse(overrideInput, req.body ?? {});
  res.json(await override(req.user!, idParam(req), input.rank, input.reason));
};

export const claimDemand: RequestHandler = async (req, res) => {
  await claim(req.user!, idParam(req));
  res.status(204).end();
};

export const confirmClaim: RequestHandler = async (req, res) => {
  res.json(await confirmBrokerClaim(req.user!, idParam(req)));
};

export const brokerQueue: RequestHandler = async (req, res) => {
  res.json(await queue(req.user!, parse(workbenchQuery, req.query), req.app.locals.search as SearchIndex | undefined, req.app.locals.searchSync as SearchSync | undefined));
};

export const createContactRequest: RequestHandler = async (req, res) => {
  res.status(201).json(await requestContact(req.user!, parse(contactRequestInput, req.body ?? {})));
};

export const answerContactRequest: RequestHandler = async (req, res) => {
  const input = parse(answerInput, req.body ?? {});
  res.json(await answerContact(req.user!, idParam(req), input.accept, input.answer));
};

export const listContactRequests: RequestHandler = async (req, res) => {
  res.json(await myContactRequests(req.user!));
};

export const contactRequestQueue: RequestHandler = async (req, res) => {
  res.json(await contactQueue(req.user!, parse(queueQuery, req.query)));
};

export const forwardContactRequest: RequestHandler = async (req, res) => {
  const input = parse(forwardInput, req.body ?? {});
  const { view, repeated } = await forwardRequest(req.user!, idParam(req), input.email, { ip: req.ip });
  res.json({ ...view, forwarded: { to: input.email, repeated } });
};
