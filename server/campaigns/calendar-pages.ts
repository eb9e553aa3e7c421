// The calendar page (a week or a month, prev/next links, no JavaScript needed), the personal feed's secret
// address (shown once when made; revocable and regenerable here), and the feed itself.
import type { Request, RequestHandler, Response } from 'express';
import { NotFound } from '../platform/errors.ts';
import { parse } from '../platform/http/validate.ts';
import { buildGrid, createFeed, eventsBetween, feedOwner, feedStatus, gridRange, personalIcs, revokeFeed } from './calendar-service.ts';
import { calendarQuery } from './schema.ts';
import { baseUrlOf } from './api.ts';
import { dayStart, today } from './times.ts';
import { clock } from '../platform/clock.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from '../platform/http/kept-body.ts';

async function calendarLocals(req: Request, q = parse(calendarQuery, req.query), extra: Record<string, unknown> = {}) {
  const anchor = (q.date && dayStart(q.date)) || today();
  const range = gridRange(q.view, anchor);
  const mine = !!q.mine && !!req.user;
  const events = await eventsBetween(req.user, range.first.toJSDate(), range.last.plus({ days: 1 }).toJSDate(), mine);
  const grid = buildGrid(q.view, anchor, events);
  return {
    title: `日程 · ${grid.title}`,
    section: 'campaigns',
    grid,
    view: q.view,
    anchor: anchor.toISODate(),
    todayDate: today().toISODate(),
    mine,
    count: events.length,
    feed: req.user ? await feedStatus(req.user) : undefined,
    ...extra,
  };
}

async function render(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
  const locals = await calendarLocals(req, undefined, extra);
  res.set('Cache-Control', 'no-store');
  res.status(status).render('campaigns/calendar', locals);
}

/**
 * The page's body is kept per viewer, minute (today's mark) and address until an event or a feed changes
 * ('events', 'accounts'); each view fills in its session's token for the feed forms (platform/http/kept-body.ts).
 */
const keptCalendars = keptBodies(['events', 'accounts'], 1_000);

export const calendarPage: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  await sendWithKeptBody(req, res, {
    bodies: keptCalendars,
    key: `${req.user ? viewerKey(req.user) : 'visitor'}|${Math.floor(clock.ms() / 60_000)}|${req.originalUrl}`,
    view: 'campaigns/calendar',
    locals: () => calendarLocals(req, parse(calendarQuery, req.query)), // a bad query fails here: nothing is kept
  });
};

export const createFeedForm: RequestHandler = async (req, res) => {
  const { path } = await createFeed(req.user!);
  await render(req, res, { newFeedUrl: `${baseUrlOf(req)}${path}` }, 201);
};

export const revokeFeedForm: RequestHandler = async (req, res) => {
  await revokeFeed(req.user!);
  req.flash('success', '已停用订阅地址，原地址不再返回日程。');
  res.redirect(303, '/calendar#feed');
};

/** The personal feed: the secret in the address is the only credential; unknown or revoked → 404. */
export const feedFile: RequestHandler = async (req, res) => {
  const token = req.params.token;
  const owner = typeof token === 'string' ? await feedOwner(token) : undefined;
  if (!owner) throw new NotFound('订阅地址无效或已停用。');
  res.set('Cache-Control', 'no-store').type('text/calendar; charset=utf-8').send(await personalIcs(owner, baseUrlOf(req)));
};
