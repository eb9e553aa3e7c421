// JSON API of invitations and claims (/api/v1). Same services as the pages; errors become problem+json.
import type { RequestHandler } from 'express';
import { parse } from '../platform/http/validate.ts';
import { idParam } from '../platform/http/params.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { BadRequest } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { invitationsOf, invite } from './invitations.ts';
import { getBatch, startBatch } from './bulk.ts';
import { decideClaim, listClaims, myClaims, submitClaim } from './claims.ts';
import { bulkInput, claimDecision, claimInput, claimListQuery, invitationInput } from './schema.ts';
import { RECORD_KINDS, type RecordKind } from './model.ts';

export const createInvitation: RequestHandler = async (req, res) => {
  const view = await invite(req.user!, parse(invitationInput, req.body));
  res.status(201).json(view);
};

export const listInvitations: RequestHandler = async (req, res) => {
  const kind = String(req.query.kind ?? '');
  if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw new BadRequest('请用 kind=enterprise|institution|expert|broker 和 id 指定记录。');
  const id = String(req.query.id ?? '');
  res.json({ items: await invitationsOf(req.user!, kind as RecordKind, id) });
};

export const createBatch: RequestHandler = async (req, res) => {
  const batch = await startBatch(req.user!, parse(bulkInput, req.body), req.log as unknown as Logger);
  res.status(202).location(`/api/v1/invitations/batches/${batch.id}`).json(batch);
};

export const showBatch: RequestHandler = async (req, res) => {
  res.json(await getBatch(req.user!, idParam(req), req.log as unknown as Logger));
};

export const createClaim: RequestHandler = async (req, res) => {
  res.status(201).json(await submitClaim(req.user!, parse(claimInput, req.body)));
};

/** Organizers: every claim (filter by status, paged); anyone else: their own. */
export const listClaimsApi: RequestHandler = async (req, res) => {
  if (isOrganizer(req.user)) return void res.json(await listClaims(req.user!, parse(claimListQuery, req.query)));
  const items = await myClaims(req.user!);
  res.json({ items, total: items.length, page: 1, limit: items.length });
};

export const approveClaim: RequestHandler = async (req, res) => {
  res.json(await decideClaim(req.user!, idParam(req), true));
};

export const rejectClaim: RequestHandler = async (req, res) => {
  const { reason } = parse(claimDecision, req.body ?? {});
  res.json(await decideClaim(req.user!, idParam(req), false, reason));
};
