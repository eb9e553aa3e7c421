// Technical needs: the 需求大厅 pages, forms, workflow and exports, and /api/v1/demands.
import { Router } from 'express';
import { organizerOnly, requireActive, requireRole } from '../platform/auth/guards.ts';
import { mountRecord } from '../platform/http/crud.ts';
import { apiBroker, apiClarification, apiStatus, changeStatus, demandDef, saveClarification, setBroker } from './pages.ts';
import * as responses from '../matching/response-pages.ts';
import * as matchingPages from '../matching/pages.ts';
import * as matchingApi from '../matching/api.ts';

export default function demandRoutes(): Router {
  const r = Router();
  mountRecord(r, demandDef);
  r.post('/demands/:id/status', requireActive, changeStatus);
  r.post('/demands/:id/clarification', requireActive, saveClarification);
  r.post('/demands/:id/broker', organizerOnly, setBroker);
  // Responses from institutions and experts (响应需求 / 揭榜), answered by the enterprise (matching/responses.ts).
  r.get('/demands/:id/respond', requireActive, responses.respondPage);
  r.post('/demands/:id/respond', requireActive, responses.respondForm);
  // Its matches, the broker's pipeline and claims (matching/service.ts).
  r.get('/demands/:id/pipeline', requireActive, matchingPages.pipelinePage);
  r.post('/demands/:id/pipeline', requireActive, matchingPages.shortlistForm);
  r.post('/demands/:id/claim', requireRole('broker'), matchingPages.claimForm);
  r.post('/demands/:id/claim/confirm', requireActive, matchingPages.confirmClaimForm);

  r.post('/api/v1/demands/:id/status', requireActive, apiStatus);
  r.put('/api/v1/demands/:id/clarification', requireActive, apiClarification);
  r.put('/api/v1/demands/:id/broker', organizerOnly, apiBroker);
  r.post('/api/v1/demands/:id/responses', requireActive, responses.apiRespond);
  r.get('/api/v1/demands/:id/responses', requireActive, responses.apiResponses);
  r.get('/api/v1/demands/:id/matches', matchingApi.demandMatches);
  r.get('/api/v1/demands/:id/pipeline', requireActive, matchingApi.getPipeline);
  r.post('/api/v1/demands/:id/matches', requireActive, matchingApi.addToPipeline);
  r.post('/api/v1/demands/:id/claim', requireRole('broker'), matchingApi.claimDemand);
  r.post('/api/v1/demands/:id/claim/confirm', requireActive, matchingApi.confirmClaim);
  return r;
}
