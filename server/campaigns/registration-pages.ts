// Signing up for a roadshow (and cancelling) on its page, and check-in at the door.
import type { RequestHandler, Response } from 'express';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { CHECKIN_OPENS_HOURS_BEFORE, roadshows } from './roadshow-service.ts';
import { cancel, checkIn, register } from './registration-service.ts';
import { roadshowAction } from './roadshow-pages.ts';
import { str } from './form-rows.ts';
import { checkinInput, registrationInput } from './schema.ts';

export const registerForm = roadshowAction(async (req, actor, id) => {
  const input = parse(registrationInput, { enterprise: req.body?.enterprise, attendee: req.body?.attendee });
  const view = await register(actor, id, input);
  return view.status === 'confirmed'
    ? `“${view.enterprise.name}”报名成功，签到码 ${view.code}，请在入场时出示。`
    : `名额已满，“${view.enterprise.name}”已进入候补名单第 ${view.position} 位（签到码 ${view.code}）；有人取消时将按顺序递补并通知。`;
}, '#signup');

export const cancelForm = roadshowAction(async (req, actor, id) => {
  const view = await cancel(actor, id, idParam(req, 'registration'));
  return `已取消“${view.enterprise.name}”的报名。`;
}, '#signup');

async function renderCheckin(res: Response, id: string, locals: { errors?: Record<string, string>; typed?: string; reason?: string } = {}, status = 200) {
  const record = await roadshows.get(res.req.user, id);
  if (!record.permissions.manage) throw new Forbidden();
  const errors = locals.errors ?? {};
  res.set('Cache-Control', 'no-store');
  res.status(status).render('campaigns/roadshow-checkin', {
    title: `签到 · ${record.title}`,
    section: 'campaigns',
    record,
    hoursBefore: CHECKIN_OPENS_HOURS_BEFORE,
    // The reason field is offered outside the window (or when one was typed or refused).
    showOverride: record.checkin.state !== 'open' || !!locals.reason || !!errors['override.reason'],
    ...locals,
    errors,
    reasonError: errors['override.reason'],
  });
}

// A scanned QR code (checkin-qr.ts) opens this page with ?code=: the code is filled in, one tap checks in.
export const checkinPage: RequestHandler = async (req, res) => renderCheckin(res, idParam(req), { typed: str(req.query.code).toUpperCase().slice(0, 12) });

export const checkinForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const typed = str(body.code);
  const reason = str(body['override.reason']);
  try {
    const input = parse(checkinInput, { code: typed, override: reason ? { reason } : undefined });
    const view = await checkIn(req.user!, id, input, { ip: req.ip });
    const overridden = view.checkInOverride ? `（签到时间外补签，原因：${view.checkInOverride.reason}）` : '';
    req.flash('success', `签到成功：${view.enterprise.name}${view.attendee ? `（${view.attendee}）` : ''}，签到码 ${view.code}${overridden}。`);
    res.redirect(303, `/roadshows/${id}/checkin`);
  } catch (err) {
    if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err;
    const errors = err instanceof Invalid ? err.fields : (err.fields ?? { code: err.detail });
    await renderCheckin(res, id, { errors, typed, reason }, err.status);
  }
};
