// Matching: suggestions with reasons, the broker's pipeline and queue, contact requests, notifications —
// pages and /api/v1 side by side.
import { Router } from 'express';
import { requireActive, requireRole, requireUser } from '../platform/auth/guards.ts';
import * as api from './api.ts';
import * as pages from './pages.ts';
import * as answerPages from './answer-pages.ts';
import { perAddress } from '../platform/http/rate-limit.ts';

/** Answer links (answers.ts) are guessed at nowhere near this rate, and followed far less often. */
const answerLimiter = perAddress({ prefix: 'answer:ip:', windowMs: 10 * 60_000, limit: 30, message: '尝试过于频繁，请十分钟后再试。' });

export default function matchingRoutes(): Router {
  const r = Router();
  const brokers = requireRole('broker', 'organizer');
  const organizers = requireRole('organizer');

  r.get('/api/v1/demands/:id/matches', api.demandMatches);
  r.get('/api/v1/results/:id/matches', api.resultMatches);
  r.get('/api/v1/experts/:id/matches', api.expertMatches);

  r.get('/demands/:id/pipeline', requireActive, pages.pipelinePage);
  r.post('/demands/:id/pipeline', requireActive, pages.shortlistForm);
  r.post('/demands/:id/claim', requireRole('broker'), pages.claimForm);
  r.post('/demands/:id/claim/confirm', requireActive, pages.confirmClaimForm);
  r.post('/matches/:id/status', requireActive, pages.moveForm);
  r.post('/matches/:id/override', requireActive, pages.overrideForm);
  r.get('/broker', brokers, pages.queuePage);
  r.get('/api/v1/demands/:id/pipeline', requireActive, api.getPipeline);
  r.post('/api/v1/demands/:id/matches', requireActive, api.addToPipeline);
  r.post('/api/v1/demands/:id/claim', requireRole('broker'), api.claimDemand);
  r.post('/api/v1/demands/:id/claim/confirm', requireActive, api.confirmClaim);
  r.post('/api/v1/matches/:id/status', requireActive, api.moveMatch);
  r.put('/api/v1/matches/:id/override', requireActive, api.overrideMatch);
  r.get('/api/v1/broker/queue', brokers, api.brokerQueue);

  r.get('/contact-requests', requireUser, pages.contactRequestsPage);
  r.post('/contact-requests', requireActive, pages.contactRequestForm);
  r.post('/contact-requests/:id/answer', requireActive, pages.answerForm);
  r.post('/contact-requests/:id/forward', organizers, pages.forwardForm);
  r.get('/api/v1/contact-requests', requireUser, api.listContactRequests);
  r.get('/api/v1/contact-requests/queue', organizers, api.contactRequestQueue);
  r.post('/api/v1/contact-requests', requireActive, api.createContactRequest);
  r.post('/api/v1/contact-requests/:id/answer', requireActive, api.answerContactRequest);
  r.post('/api/v1/contact-requests/:id/forward', organizers, api.forwardContactRequest);

  // A contact request answered without an account, through the mailed link (no sign-in).
  r.get('/answer/:token', answerLimiter, answerPages.answerPage);
  r.post('/answer/:token', answerLimiter, answerPages.answerForm);

  r.get('/notifications', requireUser, pages.notificationsPage);
  r.post('/notifications/read', requireUser, pages.markReadForm);
  r.get('/notifications/:id/open', requireUser, pages.openNotification);
  r.get('/api/v1/notifications', requireUser, api.listNotifications);
  return r;
}
