// Technology brokers: the directory pages, forms, exports and the /api/v1 resource.
import { Router } from 'express';
import { organizerOnly } from '../platform/auth/guards.ts';
import { mountRecord } from '../platform/http/crud.ts';
import { apiClaimLimit, brokerDef, claimLimitForm } from './pages.ts';

export default function brokerRoutes(): Router {
  const r = Router();
  mountRecord(r, brokerDef);
  r.post('/brokers/:id/claim-limit', organizerOnly, claimLimitForm);
  r.put('/api/v1/brokers/:id/claim-limit', organizerOnly, apiClaimLimit);
  return r;
}
