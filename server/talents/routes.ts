// Talent introductions (人才引进): pages, exports and /api/v1/talents, with the organizers' verification.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { talentDef, verifyApi, verifyPage } from './pages.ts';

export default function talentRoutes(): Router {
  const r = Router();
  const page = recordPages(talentDef);
  const api = recordApi(talentDef);
  r.get('/talents', requireActive, page.list);
  r.get('/talents/new', requireActive, page.newForm);
  r.post('/talents', requireActive, page.create);
  r.get('/talents/export.xlsx', requireActive, page.exportXlsx);
  r.get('/talents/export.csv', requireActive, page.exportCsv);
  r.get('/talents/:id', requireActive, page.show);
  r.get('/talents/:id/edit', requireActive, page.editForm);
  r.post('/talents/:id', requireActive, page.update);
  r.get('/talents/:id/delete', requireActive, page.confirmDelete);
  r.post('/talents/:id/delete', requireActive, page.remove);
  r.post('/talents/:id/verify', organizerOnly, verifyPage);

  r.get('/api/v1/talents', requireActive, api.list);
  r.post('/api/v1/talents', requireActive, api.create);
  r.get('/api/v1/talents/:id', requireActive, api.get);
  r.patch('/api/v1/talents/:id', requireActive, api.update);
  r.delete('/api/v1/talents/:id', requireActive, api.remove);
  r.post('/api/v1/talents/:id/verify', organizerOnly, verifyApi);
  return r;
}
