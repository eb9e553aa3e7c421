// Notifications: every user's list of notices, pages and /api/v1.
import { Router } from 'express';
import { requireUser } from '../platform/auth/guards.ts';
import * as pages from './pages.ts';

export default function notificationRoutes(): Router {
  const r = Router();
  r.get('/notifications', requireUser, pages.notificationsPage);
  r.post('/notifications/read', requireUser, pages.markReadForm);
  r.get('/notifications/:id/open', requireUser, pages.openNotification);
  r.get('/api/v1/notifications', requireUser, pages.listNotifications);
  return r;
}
