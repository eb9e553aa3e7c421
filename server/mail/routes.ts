// Mail: the organizers' outbox (page and API), the unsubscribe link, and the preferences form on /account.
// Sending is the worker's (worker.ts, started by main.ts).
import { Router } from 'express';
import { organizerOnly, requireUser } from '../platform/auth/guards.ts';
import * as pages from './pages.ts';
import * as api from './api.ts';

export default function mailRoutes(): Router {
  const r = Router();
  r.get('/admin/mail', organizerOnly, pages.outboxPage);
  r.get('/api/v1/outbox', organizerOnly, api.listOutbox);
  r.get('/mail/unsubscribe/:token', pages.unsubscribePage);
  r.post('/account/mail', requireUser, pages.savePreferences);
  return r;
}

/** Mounted by app.ts before sessions and CSRF: the one-click unsubscribe that mail clients post (RFC 8058). */
export function unsubscribeRoutes(): Router {
  const r = Router();
  r.post('/mail/unsubscribe/:token', pages.unsubscribe);
  return r;
}
