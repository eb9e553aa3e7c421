// Research results: the 成果库 pages, forms and exports, and /api/v1/results.
import { Router } from 'express';
import { mountRecord } from '../platform/http/crud.ts';
import { resultDef } from './pages.ts';
import { resultMatches } from '../matching/api.ts';

export default function resultRoutes(): Router {
  const r = Router();
  mountRecord(r, resultDef);

  r.get('/api/v1/results/:id/matches', resultMatches); // the needs it could serve (matching/suggestions.ts)
  return r;
}
