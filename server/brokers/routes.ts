// Technology brokers: the directory pages, forms, exports and the /api/v1 resource.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { apiClaimLimit, brokerDef, claimLimitForm } from './pages.ts';

export default function brokerRoutes(): Router {
  const r = Router();
  const pages = recordPages(brokerDef);
  const api = recordApi(brokerDef);
  r.get('/brokers', pages.list);
  r.get('/brokers/new', requireActive, pages.newForm);
  r.post('/brokers', requireActive, pages.create);
  r.get('/brokers/export.xlsx', pages.exportXlsx);
  r.get('/brokers/export.csv', pages.exportCsv);
  r.get('/brokers/:id', pages.show);
  r.get('/brokers/:id/edit', requireActive, pages.editForm);
  r.post('/brokers/:id', requireActive, pages.update);
  r.get('/brokers/:id/delete', requireActive, pages.confirmDelete);
  r.post('/brokers/:id/delete', requireActive, pages.remove);
  r.post('/brokers/:id/claim-limit', organizerOnly, claimLimitForm);
  r.get('/api/v1/brokers', api.list);
  r.post('/api/v1/brokers', requireActive, api.create);
  r.get('/api/v1/brokers/:id', api.get);
  r.patch('/api/v1/brokers/:id', requireActive, api.update);
  r.delete('/api/v1/brokers/:id', requireActive, api.remove);
  r.put('/api/v1/brokers/:id/claim-limit', organizerOnly, apiClaimLimit);
  return r;
}
