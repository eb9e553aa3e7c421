// Experts: the directory pages, forms, exports and the /api/v1 resource.
import { Router } from 'express';
import { mountRecord } from '../platform/http/crud.ts';
import { expertDef } from './pages.ts';
import { expertMatches } from '../matching/api.ts';

export default function expertRoutes(): Router {
  const r = Router();
  mountRecord(r, expertDef);
  r.get('/api/v1/experts/:id/matches', expertMatches); // the needs in their field (matching/suggestions.ts)
  return r;
}
