// Research results: the 成果库 pages, forms and exports, and /api/v1/results.
import { Router } from 'express';
import { requireActive } from '../platform/auth/guards.ts';
import { recordApi, recordPages } from '../platform/http/crud.ts';
import { resultDef } from './pages.ts';
import { resultMatches } from '../matching/api.ts';

export default function resultRoutes(): Router {
  const r = Router();
  const page = recordPages(resultDef);
  const api = recordApi(resultDef);
  r.get('/results', page.list);
  r.get('/results/new', requireActive, page.newForm);
  r.post('/results', requireActive, page.create);
  r.get('/results/export.xlsx', page.exportXlsx);
  r.get('/results/export.csv', page.exportCsv);
  r.get('/results/:id', page.show);
  r.get('/results/:id/edit', requireActive, page.editForm);
  r.post('/results/:id', requireActive, page.update);
  r.get('/results/:id/delete', requireActive, page.confirmDelete);
  r.post('/results/:id/delete', requireActive, page.remove);

  r.get('/api/v1/results', api.list);
  r.post('/api/v1/results', requireActive, api.create);
  r.get('/api/v1/results/:id', api.get);
  r.patch('/api/v1/results/:id', requireActive, api.update);
  r.delete('/api/v1/results/:id', requireActive, api.remove);
  r.get('/api/v1/results/:id/matches', resultMatches); // the needs it could serve (matching/suggestions.ts)
  return r;
}
