// Technology contracts (技术合同): pages, exports and /api/v1/contracts, with the organizers' verification.
import { Router } from 'express';
import { organizerOnly, requireActive } from '../platform/auth/guards.ts';
import { mountRecord } from '../platform/http/crud.ts';
import { contractDef, verifyApi, verifyPage } from './pages.ts';

export default function contractRoutes(): Router {
  const r = Router();
  mountRecord(r, contractDef, { read: requireActive });
  r.post('/contracts/:id/verify', organizerOnly, verifyPage);
  r.post('/api/v1/contracts/:id/verify', organizerOnly, verifyApi);
  return r;
}
