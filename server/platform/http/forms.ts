// Re-showing a form with its errors: the values the user typed (never passwords or the CSRF token) and a
// message per field, with status 400 so tools and tests see the failure.
import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../auth/actor.ts';
import { Conflict, Invalid } from '../errors.ts';
import { idParam } from './params.ts';

const NEVER_ECHOED = /password|_csrf|token|code/i;

export function echoValues(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (!NEVER_ECHOED.test(k)) out[k] = v;
  }
  return out;
}

export function renderInvalid(res: Response, view: string, err: Invalid, locals: Record<string, unknown> = {}, status = 400): void {
  res.status(status).render(view, { ...locals, errors: err.fields, errorList: Object.values(err.fields) });
}

/** Runs a form submission; on Invalid the form is rendered again with the messages, else the error propagates. */
export async function handleForm(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof Invalid) return renderInvalid(res, view, err, locals);
    throw err;
  }
}

/**
 * A small form on a record's page (add a participant, register, record an outcome …): runs the action and
 * goes back to the page with its message; a validation problem or a conflict comes back as an error message.
 */
export function pageAction(back: (id: string) => string, action: (req: Request, actor: Actor, id: string) => Promise<string>): RequestHandler {
  return async (req, res) => {
    const id = idParam(req);
    try {
      req.flash('success', await action(req, req.user!, id));
    } catch (err) {
      if (err instanceof Invalid) req.flash('error', Object.values(err.fields).join(' '));
      else if (err instanceof Conflict) req.flash('error', err.detail);
      else throw err;
    }
    res.redirect(303, back(id));
  };
}
