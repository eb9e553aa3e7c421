// Enterprises and institutions: directory pages, forms, exports and the /api/v1 resources.
import { Router } from 'express';
import { mountRecord } from '../platform/http/crud.ts';
import { enterpriseDef, institutionDef } from './pages.ts';

export default function organizationRoutes(): Router {
  const r = Router();
  mountRecord(r, enterpriseDef);
  mountRecord(r, institutionDef);
  return r;
}
