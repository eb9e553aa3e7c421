// Technical needs: the 需求大厅 pages, forms, workflow and exports, and /api/v1/demands.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { apiBroker, apiClarification, apiStatus, changeStatus, demandDef, saveClarification, setBroker } from './pages.ts';

export default function demandRoutes(): Router {
  const r = Router();
  const page = recordPages(demandDef);
  const api = recordApi(demandDef);
  r.get('/demands', page.list);
  r.get('/demands/new', requireActive, page.newForm);
  r.post('/demands', requireActive, page.create);
  r.get('/demands/export.xlsx', page.exportXlsx);
  r.get('/demands/export.csv', page.exportCsv);
  r.get('/demands/:id', page.show);
  r.get('/demands/:id/edit', requireActive, page.editForm);
  r.post('/demands/:id', requireActive, page.update);
  r.get('/demands/:id/delete', requireActive, page.confirmDelete);
  r.post('/demands/:id/delete', requireActive, page.remove);
  r.post('/demands/:id/status', requireActive, changeStatus);
  r.post('/demands/:id/clarification', requireActive, saveClarification);
  r.post('/demands/:id/broker', organizerOnly, setBroker);

  r.get('/api/v1/demands', api.list);
  r.post('/api/v1/demands', requireActive, api.create);
  r.get('/api/v1/demands/:id', api.get);
  r.patch('/api/v1/demands/:id', requireActive, api.update);
  r.delete('/api/v1/demands/:id', requireActive, api.remove);
  r.post('/api/v1/demands/:id/status', requireActive, apiStatus);
  r.put('/api/v1/demands/:id/clarification', requireActive, apiClarification);
  r.put('/api/v1/demands/:id/broker', organizerOnly, apiBroker);
  return r;
}
