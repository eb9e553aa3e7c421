// Experts: the directory pages, forms, exports and the /api/v1 resource.
import { Router } from 'express';
import { requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { expertDef } from './pages.ts';
import { expertMatches } from '../matching/api.ts';

export default function expertRoutes(): Router {
  const r = Router();
  const pages = recordPages(expertDef);
  const api = recordApi(expertDef);
  r.get('/experts', pages.list);
  r.get('/experts/new', requireActive, pages.newForm);
  r.post('/experts', requireActive, pages.create);
  r.get('/experts/export.xlsx', pages.exportXlsx);
  r.get('/experts/export.csv', pages.exportCsv);
  r.get('/experts/:id', pages.show);
  r.get('/experts/:id/edit', requireActive, pages.editForm);
  r.post('/experts/:id', requireActive, pages.update);
  r.get('/experts/:id/delete', requireActive, pages.confirmDelete);
  r.post('/experts/:id/delete', requireActive, pages.remove);
  r.get('/api/v1/experts', api.list);
  r.post('/api/v1/experts', requireActive, api.create);
  r.get('/api/v1/experts/:id', api.get);
  r.patch('/api/v1/experts/:id', requireActive, api.update);
  r.delete('/api/v1/experts/:id', requireActive, api.remove);
  r.get('/api/v1/experts/:id/matches', expertMatches); // the needs in their field (matching/suggestions.ts)
  return r;
}
