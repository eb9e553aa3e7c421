// Re-showing a form with its errors: the values the user typed (never passwords or the CSRF token) and a
// message per field, with status 400 so tools and tests see the failure.
import type { Response } from 'express';
import { Invalid } from '../errors.ts';

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
