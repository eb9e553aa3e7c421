// Saved searches (已保存的搜索): pages and /api/v1 side by side; every route is the signed-in user's own.
// The digest mails are sent by the hourly maintenance (digest.ts, server/maintenance.ts).
import { Router } from 'express';
import { requireActive } from '../platform/auth/guards.ts';
import * as pages from './pages.ts';
import * as api from './api.ts';

export default function savedSearchRoutes(): Router {
  const r = Router();
  r.get('/saved-searches', requireActive, pages.listPage);
  r.post('/saved-searches', requireActive, pages.saveForm);
  r.get('/saved-searches/:id/delete', requireActive, pages.deletePage);
  r.post('/saved-searches/:id/delete', requireActive, pages.deleteForm);
  r.post('/api/v1/saved-searches', requireActive, api.create);
  r.get('/api/v1/saved-searches', requireActive, api.list);
  r.delete('/api/v1/saved-searches/:id', requireActive, api.remove);
  return r;
}
