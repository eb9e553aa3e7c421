// The answer link's page (/answer/<token>, answers.ts): no sign-in; the token in the path is the only
// credential, the form carries the CSRF token like every other form. A link that no longer works gets its own
// page saying why (404 unknown, 410 used or expired).
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../platform/errors.ts';
import { parse } from '../platform/http/validate.ts';
import { answerByLink, readAnswerLink } from './answers.ts';
import { answerInput } from './schema.ts';

function privatePage(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
}

const token = (req: Request) => String(req.params.token ?? '');

/** Renders the "link no longer works" page for the link's own errors; anything else goes to the error edge. */
async function orGone(res: Response, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 404 && err.status !== 410)) throw err;
    res.status(err.status).render('matching/answer-gone', { title: err.title, status: err.status, detail: err.detail });
  }
}

export const answerPage: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, async () => {
    const view = await readAnswerLink(token(req));
    res.render('matching/answer', { title: `答复对接申请：${view.target.title}`, view, token: token(req) });
  });
};

export const answerForm: RequestHandler = async (req, res) => {
  privatePage(res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const input = parse(answerInput, { accept: body.decision === 'accept', answer: body.answer || undefined });
  await orGone(res, async () => {
    const view = await answerByLink(token(req), input.accept, input.answer, { ip: req.ip });
    res.render('matching/answer', { title: view.status === 'accepted' ? '已同意对接' : '已婉拒', view, answered: true });
  });
};
