// Enterprises and institutions: directory pages, forms, exports and the /api/v1 resources.
import { Router } from 'express';
import { requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { enterpriseDef, institutionDef } from './pages.ts';

export default function organizationRoutes(): Router {
  const r = Router();
  const ent = recordPages(enterpriseDef);
  const entApi = recordApi(enterpriseDef);
  r.get('/enterprises', ent.list);
  r.get('/enterprises/new', requireActive, ent.newForm);
  r.post('/enterprises', requireActive, ent.create);
  r.get('/enterprises/export.xlsx', ent.exportXlsx);
  r.get('/enterprises/export.csv', ent.exportCsv);
  r.get('/enterprises/:id', ent.show);
  r.get('/enterprises/:id/edit', requireActive, ent.editForm);
  r.post('/enterprises/:id', requireActive, ent.update);
  r.get('/enterprises/:id/delete', requireActive, ent.confirmDelete);
  r.post('/enterprises/:id/delete', requireActive, ent.remove);
  r.get('/api/v1/enterprises', entApi.list);
  r.post('/api/v1/enterprises', requireActive, entApi.create);
  r.get('/api/v1/enterprises/:id', entApi.get);
  r.patch('/api/v1/enterprises/:id', requireActive, entApi.update);
  r.delete('/api/v1/enterprises/:id', requireActive, entApi.remove);

  const inst = recordPages(institutionDef);
  const instApi = recordApi(institutionDef);
  r.get('/institutions', inst.list);
  r.get('/institutions/new', requireActive, inst.newForm);
  r.post('/institutions', requireActive, inst.create);
  r.get('/institutions/export.xlsx', inst.exportXlsx);
  r.get('/institutions/export.csv', inst.exportCsv);
  r.get('/institutions/:id', inst.show);
  r.get('/institutions/:id/edit', requireActive, inst.editForm);
  r.post('/institutions/:id', requireActive, inst.update);
  r.get('/institutions/:id/delete', requireActive, inst.confirmDelete);
  r.post('/institutions/:id/delete', requireActive, inst.remove);
  r.get('/api/v1/institutions', instApi.list);
  r.post('/api/v1/institutions', requireActive, instApi.create);
  r.get('/api/v1/institutions/:id', instApi.get);
  r.patch('/api/v1/institutions/:id', requireActive, instApi.update);
  r.delete('/api/v1/institutions/:id', requireActive, instApi.remove);
  return r;
}
