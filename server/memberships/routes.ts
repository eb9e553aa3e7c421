// Invitations and claims: who speaks for a record — pages and /api/v1 side by side.
import { Router } from 'express';
import { organizerOnly, requireUser } from '../platform/auth/guards.ts';
import { perAddress } from '../platform/http/rate-limit.ts';
import * as pages from './pages.ts';
import * as api from './api.ts';

/** Invitation links are followed a few times by their recipient; guessing one is hopeless at this rate. */
const linkLimiter = perAddress({ prefix: 'invitation:ip:', windowMs: 10 * 60_000, limit: 30, message: '尝试过于频繁，请十分钟后再试。' });

export default function membershipRoutes(): Router {
  const r = Router();
  r.get('/invitations/:token', linkLimiter, pages.invitationPage);
  r.post('/invitations/:token', linkLimiter, pages.acceptInvitationForm);

  r.get('/admin/accounts/:kind/:id', organizerOnly, pages.recordAccountsPage);
  r.post('/admin/accounts/:kind/:id/invite', organizerOnly, pages.inviteForm);
  r.post('/admin/accounts/:kind/:id/invitations/:invitation/revoke', organizerOnly, pages.revokeForm);
  r.get('/admin/invitations', organizerOnly, pages.bulkPage);
  r.post('/admin/invitations', organizerOnly, pages.bulkForm);
  r.get('/admin/invitations/batches/:id', organizerOnly, pages.batchPage);
  r.post('/api/v1/invitations', organizerOnly, api.createInvitation);
  r.get('/api/v1/invitations', organizerOnly, api.listInvitations);
  r.post('/api/v1/invitations/bulk', organizerOnly, api.createBatch);
  r.get('/api/v1/invitations/batches/:id', organizerOnly, api.showBatch);

  // Claims: pending institution accounts may ask too (the organizer's approval of the claim approves them).
  r.get('/claims/new', requireUser, pages.claimPage);
  r.post('/claims', requireUser, pages.claimSubmit);
  r.get('/admin/claims', organizerOnly, pages.claimsAdminPage);
  r.post('/admin/claims/:id/approve', organizerOnly, pages.approveClaimForm);
  r.post('/admin/claims/:id/reject', organizerOnly, pages.rejectClaimForm);
  r.post('/api/v1/claims', requireUser, api.createClaim);
  r.get('/api/v1/claims', requireUser, api.listClaimsApi);
  r.post('/api/v1/claims/:id/approve', organizerOnly, api.approveClaim);
  r.post('/api/v1/claims/:id/reject', organizerOnly, api.rejectClaim);
  return r;
}
