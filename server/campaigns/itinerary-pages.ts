// 我的行程 (itinerary.ts): the page and form, and /api/v1/itinerary.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Invalid } from '../platform/errors.ts';
import { parse } from '../platform/http/validate.ts';
import { itinerary, reply } from './itinerary.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from '../platform/http/kept-body.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const replyInput = z.strictObject({
  kind: z.enum(['visit', 'slot'], { error: '行程类型无效。' }),
  id: z.string({ error: '请指明行程。' }).max(40),
  slot: z.preprocess(blank, z.string().max(40).optional()),
  status: z.enum(['confirmed', 'declined'], { error: '请选择确认或婉拒。' }),
  reason: z.preprocess(blank, z.string().max(500, '原因不能超过 500 字。').optional()),
});

/**
 * The page is kept per expert and what it lists (the items are worked out on each view from events kept in
 * process, and each view that shows a host's contact is still audited); rendering it was most of a view's work.
 */
const keptItineraries = keptBodies(['events', 'enterprises'], 2_000);

export const itineraryPage: RequestHandler = async (req, res) => {
  const items = await itinerary(req.user, undefined, req.ip);
  res.set('Cache-Control', 'no-store');
  await sendWithKeptBody(req, res, {
    bodies: keptItineraries,
    key: `${viewerKey(req.user!)}|${JSON.stringify(items)}`,
    view: 'campaigns/itinerary',
    locals: async () => ({ title: '我的行程', section: 'itinerary', items }),
  });
};

export const replyForm: RequestHandler = async (req, res) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  try {
    const input = parse(replyInput, { kind: body.kind, id: body.id, slot: body.slot, status: body.status, reason: body.reason });
    const item = await reply(req.user, input);
    req.flash('success', input.status === 'confirmed' ? `已确认：${item.title}。` : `已婉拒：${item.title}，区科技局会收到通知。`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
  }
  res.redirect(303, '/itinerary');
};

export const itineraryApi: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json({ items: await itinerary(req.user, undefined, req.ip) });
};

export const replyApi: RequestHandler = async (req, res) => {
  res.json(await reply(req.user, parse(replyInput, req.body ?? {})));
};
