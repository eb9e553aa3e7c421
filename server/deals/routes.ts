// Technology contracts (技术合同): pages, exports and /api/v1/contracts, with the organizers' verification.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { contractDef, verifyApi, verifyPage } from './pages.ts';

export default function contractRoutes(): Router {
  const r = Router();
  const page = recordPages(contractDef);
  const api = recordApi(contractDef);
  r.get('/contracts', requireActive, page.list);
  r.get('/contracts/new', requireActive, page.newForm);
  r.post('/contracts', requireActive, page.create);
  r.get('/contracts/export.xlsx', requireActive, page.exportXlsx);
  r.get('/contracts/export.csv', requireActive, page.exportCsv);
  r.get('/contracts/:id', requireActive, page.show);
  r.get('/contracts/:id/edit', requireActive, page.editForm);
  r.post('/contracts/:id', requireActive, page.update);
  r.get('/contracts/:id/delete', requireActive, page.confirmDelete);
  r.post('/contracts/:id/delete', requireActive, page.remove);
  r.post('/contracts/:id/verify', organizerOnly, verifyPage);

  r.get('/api/v1/contracts', requireActive, api.list);
  r.post('/api/v1/contracts', requireActive, api.create);
  r.get('/api/v1/contracts/:id', requireActive, api.get);
  r.patch('/api/v1/contracts/:id', requireActive, api.update);
  r.delete('/api/v1/contracts/:id', requireActive, api.remove);
  r.post('/api/v1/contracts/:id/verify', organizerOnly, verifyApi);
  return r;
}
