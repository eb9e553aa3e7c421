// JSON API of campaigns (/api/v1) beyond the record kit's list/get/create/update/delete: participating
// universities, tagging, registrations, check-in, outcomes, visit reports and follow-ups, the calendar feed.
import type { Request, RequestHandler } from 'express';
import { NotFound } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { indexOf } from '../matching/api.ts';
import { addParticipant, removeParticipant, tag, tagItems, untag } from './campaign-service.ts';
import { cancel, checkIn, register, registrationsOf } from './registration-service.ts';
import { outcomeViews, recordOutcome } from './outcome-service.ts';
import { loadRoadshow } from './roadshow-service.ts';
import { createFollowUp, saveRemark, saveReport } from './visit-report.ts';
import { createFeed, feedStatus, revokeFeed } from './calendar-service.ts';
import { checkinInput, followUpInput, outcomeInput, participantInput, registrationInput, remarkInput, reportInput, tagInput, tagItemsInput } from './schema.ts';
import { isOrganizer } from '../platform/auth/actor.ts';

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

/** The public address of this deployment (BASE_URL), not whatever Host header a request carried. */
export const baseUrlOf = (req: Request) => req.app.locals.baseUrl as string;

export const putParticipant: RequestHandler = async (req, res) => {
  const input = parse(participantInput, { ...body(req), institution: idParam(req, 'institution') });
  res.json(await addParticipant(req.user!, idParam(req), input));
};

export const deleteParticipant: RequestHandler = async (req, res) => {
  res.json(await removeParticipant(req.user!, idParam(req), idParam(req, 'institution')));
};

/** `{ kind, ids }` tags records of one kind; `{ items: [{ kind, id }] }` results and needs together. */
export const postTags: RequestHandler = async (req, res) => {
  if ('items' in body(req)) {
    const { items } = parse(tagItemsInput, body(req));
    const counts = await tagItems(req.user!, idParam(req), items);
    return void res.json({ tagged: counts.results + counts.demands, ...counts });
  }
  const input = parse(tagInput, body(req));
  res.json({ tagged: await tag(req.user!, idParam(req), input.kind, input.ids) });
};

export const deleteTags: RequestHandler = async (req, res) => {
  const input = parse(tagInput, body(req));
  await untag(req.user!, idParam(req), input.kind, input.ids);
  res.status(204).end();
};

export const listRegistrations: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json({ items: await registrationsOf(req.user!, idParam(req)) });
};

export const postRegistration: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const view = await register(req.user!, id, parse(registrationInput, body(req)));
  res.status(201).location(`/api/v1/roadshows/${id}/registrations/${view.id}`).json(view);
};

export const deleteRegistration: RequestHandler = async (req, res) => {
  res.json(await cancel(req.user!, idParam(req), idParam(req, 'registration')));
};

export const postCheckin: RequestHandler = async (req, res) => {
  const input = parse(checkinInput, body(req));
  res.json(await checkIn(req.user!, idParam(req), input, { ip: req.ip }));
};

export const listOutcomes: RequestHandler = async (req, res) => {
  if (!isOrganizer(req.user)) throw new NotFound();
  res.json({ items: outcomeViews(await loadRoadshow(idParam(req))) });
};

export const postOutcome: RequestHandler = async (req, res) => {
  const input = parse(outcomeInput, body(req));
  res.status(201).json(await recordOutcome(indexOf(req), req.user!, idParam(req), input));
};

export const postReport: RequestHandler = async (req, res) => {
  res.json(await saveReport(req.user!, idParam(req), parse(reportInput, body(req))));
};

export const putRemark: RequestHandler = async (req, res) => {
  res.json(await saveRemark(req.user, idParam(req), parse(remarkInput, body(req))));
};

export const postFollowUp: RequestHandler = async (req, res) => {
  const result = await createFollowUp(req.user!, idParam(req), parse(followUpInput, body(req)));
  res.status(201).location(`/api/v1/demands/${result.demand.id}`).json(result);
};

export const getFeed: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json({ feed: (await feedStatus(req.user!)) ?? null });
};

export const postFeed: RequestHandler = async (req, res) => {
  const { token, path } = await createFeed(req.user!);
  res.status(201).set('Cache-Control', 'no-store').json({ token, url: `${baseUrlOf(req)}${path}` });
};

export const deleteFeed: RequestHandler = async (req, res) => {
  await revokeFeed(req.user!);
  res.status(204).end();
};
