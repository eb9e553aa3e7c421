// Matching's own URLs: the broker's workbench, pipeline steps (/matches), contact requests and answer links —
// pages and /api/v1 side by side. A need's, result's or expert's matching pages live under that record's URL and
// are declared by its module (demands/routes.ts, results/routes.ts, experts/routes.ts) with handlers from here.
import { Router } from 'express';
import { requireActive, requireRole, requireUser } from '../platform/auth/guards.ts';
import * as api from './api.ts';
import * as pages from './pages.ts';
import * as answerPages from './answer-pages.ts';
import * as responses from './response-pages.ts';
import { perAddress } from '../platform/http/rate-limit.ts';

/** Answer links (answers.ts) are guessed at nowhere near this rate, and followed far less often. */
const answerLimiter = perAddress({ prefix: 'answer:ip:', windowMs: 10 * 60_000, limit: 30, message: '尝试过于频繁，请十分钟后再试。' });

export default function matchingRoutes(): Router {
  const r = Router();
  const brokers = requireRole('broker', 'organizer');
  const organizers = requireRole('organizer');


  r.post('/matches/:id/status', requireActive, pages.moveForm);
  r.post('/matches/:id/override', requireActive, pages.overrideForm);
  r.post('/matches/:id/confirm/:stage', requireActive, pages.confirmStepForm);
  r.get('/broker', brokers, pages.queuePage);
  r.post('/api/v1/matches/:id/status', requireActive, api.moveMatch);
  r.put('/api/v1/matches/:id/override', requireActive, api.overrideMatch);
  r.post('/api/v1/matches/:id/confirm', requireActive, api.confirmMatchStep);
  r.get('/api/v1/broker/queue', brokers, api.brokerQueue);
  // The enterprise's answer to a response to its need (responses.ts).
  r.post('/responses/:id/answer', requireActive, responses.answerForm);
  r.post('/api/v1/responses/:id/answer', requireActive, responses.apiAnswer);

  r.get('/contact-requests', requireUser, pages.contactRequestsPage);
  r.post('/contact-requests', requireActive, pages.contactRequestForm);
  r.post('/contact-requests/:id/answer', requireActive, pages.answerForm);
  r.post('/contact-requests/:id/forward', organizers, pages.forwardForm);
  r.post('/contact-requests/:id/nudge', requireRole('broker'), pages.nudgeForm);
  r.get('/api/v1/contact-requests', requireUser, api.listContactRequests);
  r.get('/api/v1/contact-requests/queue', organizers, api.contactRequestQueue);
  r.post('/api/v1/contact-requests', requireActive, api.createContactRequest);
  r.post('/api/v1/contact-requests/:id/answer', requireActive, api.answerContactRequest);
  r.post('/api/v1/contact-requests/:id/forward', organizers, api.forwardContactRequest);

  // A contact request answered without an account, through the mailed link (no sign-in).
  r.get('/answer/:token', answerLimiter, answerPages.answerPage);
  r.post('/answer/:token', answerLimiter, answerPages.answerForm);

  return r;
}
