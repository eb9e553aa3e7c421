// Targets (年度目标分解表) and progress: the dashboard and public board, drill-downs, the breakdown table,
// manual entries with evidence, the ledger export, and /api/v1/targets.
import { Router } from 'express';
import { organizerOnly } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { apiUpload, pageUpload } from '../platform/http/upload.ts';
import * as pages from './pages.ts';

export default function targetRoutes(): Router {
  const r = Router();
  const plan = recordPages(pages.targetDef);
  const api = recordApi({ ...pages.targetDef, base: '/targets' });
  r.get('/targets', pages.dashboard);
  r.get('/targets/ledger.xlsx', pages.ledgerExport);
  r.get('/targets/records', organizerOnly, pages.recordsPage);
  r.get('/targets/plan', plan.list);
  r.get('/targets/plan/new', organizerOnly, plan.newForm);
  r.post('/targets/plan', organizerOnly, plan.create);
  r.get('/targets/plan/export.xlsx', plan.exportXlsx);
  r.get('/targets/plan/export.csv', plan.exportCsv);
  r.get('/targets/plan/:id', plan.show);
  r.get('/targets/plan/:id/edit', organizerOnly, plan.editForm);
  r.post('/targets/plan/:id', organizerOnly, plan.update);
  r.get('/targets/plan/:id/delete', organizerOnly, plan.confirmDelete);
  r.post('/targets/plan/:id/delete', organizerOnly, plan.remove);
  r.get('/targets/entries', organizerOnly, pages.entriesPage);
  r.post('/targets/entries', organizerOnly, ...pageUpload('evidence'), pages.createEntry);
  r.get('/targets/entries/:id', organizerOnly, pages.entryPage);
  r.get('/targets/entries/:id/delete', organizerOnly, pages.confirmEntryDelete);
  r.post('/targets/entries/:id/delete', organizerOnly, pages.deleteEntry);
  r.get('/targets/evidence/:id', organizerOnly, pages.evidenceFile);

  r.get('/api/v1/targets', api.list);
  r.post('/api/v1/targets', organizerOnly, api.create);
  r.get('/api/v1/targets/progress', pages.progressApi);
  r.get('/api/v1/targets/records', organizerOnly, pages.recordsApi);
  r.get('/api/v1/targets/entries', organizerOnly, pages.entriesApi);
  r.post('/api/v1/targets/entries', organizerOnly, apiUpload('evidence'), pages.createEntryApi);
  r.delete('/api/v1/targets/entries/:id', organizerOnly, pages.deleteEntryApi);
  r.get('/api/v1/targets/:id', api.get);
  r.patch('/api/v1/targets/:id', organizerOnly, api.update);
  r.delete('/api/v1/targets/:id', organizerOnly, api.remove);
  return r;
}
