// Talent introductions (人才引进): pages, exports and /api/v1/talents, with the organizers' verification.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { mountRecord } from '../platform/http/crud.ts';
import { talentDef, verifyApi, verifyPage } from './pages.ts';

export default function talentRoutes(): Router {
  const r = Router();
  mountRecord(r, talentDef, { read: requireActive });
  r.post('/talents/:id/verify', organizerOnly, verifyPage);

  r.post('/api/v1/talents/:id/verify', organizerOnly, verifyApi);
  return r;
}
