// The answer link's page (/answer/<token>, answers.ts): no sign-in; the token in the path is the only
// credential, the form carries the CSRF token like every other form. A link that no longer works gets its own
// page saying why (404 unknown, 410 used or expired).
import type { Request, RequestHandler } from 'express';
import { orGone, privatePage } from '../platform/http/link-pages.ts';
import { parse } from '../platform/http/validate.ts';
import { answerByLink, readAnswerLink } from './answers.ts';
import { answerInput } from './schema.ts';

const token = (req: Request) => String(req.params.token ?? '');

export const answerPage: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, 'matching/answer-gone', async () => {
    const view = await readAnswerLink(token(req));
    res.render('matching/answer', { title: `答复对接申请：${view.target.title}`, view, token: token(req) });
  });
};

export const answerForm: RequestHandler = async (req, res) => {
  privatePage(res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const input = parse(answerInput, { accept: body.decision === 'accept', answer: body.answer || undefined });
  await orGone(res, 'matching/answer-gone', async () => {
    const view = await answerByLink(token(req), input.accept, input.answer, { ip: req.ip });
    res.render('matching/answer', { title: view.status === 'accepted' ? '已同意对接' : '已婉拒', view, answered: true });
  });
};
