// Pages of invitations and claims: the invitation link's page (no sign-in), the organizer's "accounts and
// invitations" page of a record, the bulk invitation with its progress, the claim form and the claims queue.
import type { Request, RequestHandler, Response } from 'express';
import { Conflict, Invalid, NotFound } from '../platform/errors.ts';
import { orGone, privatePage } from '../platform/http/link-pages.ts';
import { parse } from '../platform/http/validate.ts';
import { echoValues, renderInvalid } from '../platform/http/forms.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { startSession } from '../platform/auth/passport.ts';
import type { Logger } from '../platform/logger.ts';
import { MIN_LENGTH } from '../accounts/passwords.ts';
import { acceptInvitation, invitationsOf, invite, readInvitation, revoke } from './invitations.ts';
import { candidates, getBatch, MAX_BATCH, recentBatches, startBatch } from './bulk.ts';
import { decideClaim, listClaims, MAX_CLAIMS, myClaims, submitClaim } from './claims.ts';
import { acceptInput, bulkInput, candidateQuery, claimDecision, claimInput, claimListQuery, invitationFormInput } from './schema.ts';
import { CLAIM_KINDS, RECORD_KINDS, type ClaimKind, type RecordKind } from './model.ts';
import { accountsOf, KIND_LABELS, loadRecord, MAX_ACCOUNTS } from './records.ts';

const logOf = (req: Request) => req.log as unknown as Logger;
const kindOptions = RECORD_KINDS.map((value) => ({ value, label: KIND_LABELS[value] }));

function kindParam(req: Request): RecordKind {
  const kind = String(req.params.kind ?? '');
  if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw new NotFound();
  return kind as RecordKind;
}

// ---- the invitation link ------------------------------------------------------------------------------------------

const token = (req: Request) => String(req.params.token ?? '');

export const invitationPage: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, 'memberships/invitation-gone', async () => {
    const invitation = await readInvitation(token(req));
    res.render('memberships/invitation', { title: `开通账户：${invitation.record.name}`, invitation, token: token(req), minLength: MIN_LENGTH, values: {}, signedIn: !!req.user });
  });
};

export const acceptInvitationForm: RequestHandler = async (req, res) => {
  privatePage(res);
  await orGone(res, 'memberships/invitation-gone', async () => {
    const invitation = await readInvitation(token(req));
    const locals = { title: `开通账户：${invitation.record.name}`, invitation, token: token(req), minLength: MIN_LENGTH, values: echoValues(req.body), signedIn: !!req.user };
    try {
      const input = parse(acceptInput(invitation.email), req.body ?? {});
      const actor = await acceptInvitation(token(req), input, { ip: req.ip });
      await startSession(req, actor, 0);
      req.flash('success', `账户已开通，您现在代表${invitation.kindLabel}“${invitation.record.name}”。`);
      res.redirect(303, invitation.record.path);
    } catch (err) {
      if (err instanceof Invalid) return renderInvalid(res, 'memberships/invitation', err, locals);
      if (err instanceof Conflict) return renderInvalid(res, 'memberships/invitation', new Invalid({ _: err.detail }, err.detail), locals, 409);
      throw err;
    }
  });
};

// ---- a record's accounts and invitations (organizers) -------------------------------------------------------------

async function renderRecordAccounts(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
  const kind = kindParam(req);
  const record = await loadRecord(kind, idParam(req));
  res.status(status).render('memberships/record-accounts', {
    title: `账户与邀请：${record.name}`,
    section: 'admin',
    record,
    kindLabel: KIND_LABELS[kind],
    accounts: await accountsOf(kind, record.id),
    invitations: await invitationsOf(req.user!, kind, record.id),
    maxAccounts: MAX_ACCOUNTS,
    values: { email: record.contact?.email ?? '' },
    ...extra,
  });
}

export const recordAccountsPage: RequestHandler = async (req, res) => {
  await renderRecordAccounts(req, res);
};

export const inviteForm: RequestHandler = async (req, res) => {
  const kind = kindParam(req);
  const id = idParam(req);
  try {
    const { email } = parse(invitationFormInput, req.body ?? {});
    const view = await invite(req.user!, { kind, id, email });
    req.flash('success', `邀请邮件已发给 ${view.email}，链接 14 天内有效。`);
    res.redirect(303, `/admin/accounts/${kind}/${id}`);
  } catch (err) {
    const fields = err instanceof Invalid ? err.fields : err instanceof Conflict ? { email: err.detail } : undefined;
    if (!fields) throw err;
    await renderRecordAccounts(req, res, { values: echoValues(req.body), errors: fields, errorList: Object.values(fields) }, err instanceof Conflict ? 409 : 400);
  }
};

export const revokeForm: RequestHandler = async (req, res) => {
  const kind = kindParam(req);
  const id = idParam(req);
  try {
    await revoke(req.user!, kind, id, String(req.params.invitation ?? ''));
    req.flash('success', '邀请已撤销，邮件中的链接不再有效。');
  } catch (err) {
    if (!(err instanceof Conflict)) throw err;
    req.flash('error', err.detail);
  }
  res.redirect(303, `/admin/accounts/${kind}/${id}`);
};

// ---- bulk invitations ---------------------------------------------------------------------------------------------

export const bulkPage: RequestHandler = async (req, res) => {
  const q = parse(candidateQuery, req.query);
  const list = await candidates(req.user!, { ...q, withoutAccount: !q.all });
  res.render('memberships/bulk', {
    title: '批量邀请开通账户',
    section: 'admin',
    kindOptions,
    filters: q,
    kindLabel: KIND_LABELS[q.kind],
    candidates: list.items,
    pager: pager(list),
    batches: await recentBatches(req.user!),
    maxBatch: MAX_BATCH,
  });
};

export const bulkForm: RequestHandler = async (req, res) => {
  try {
    const batch = await startBatch(req.user!, parse(bulkInput, req.body ?? {}), logOf(req));
    res.redirect(303, `/admin/invitations/batches/${batch.id}`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
    res.redirect(303, `/admin/invitations?kind=${encodeURIComponent(String(req.body?.kind ?? 'enterprise'))}`);
  }
};

export const batchPage: RequestHandler = async (req, res) => {
  const batch = await getBatch(req.user!, idParam(req), logOf(req));
  res.set('Cache-Control', 'no-store');
  res.render('memberships/batch', { title: `批量邀请：${batch.kindLabel}`, section: 'admin', batch, refresh: batch.status === 'running' });
};

// ---- claims --------------------------------------------------------------------------------------------------------

const claimKindOptions = CLAIM_KINDS.map((value) => ({ value, label: KIND_LABELS[value] }));

async function renderClaimForm(req: Request, res: Response, locals: Record<string, unknown> = {}, status = 200): Promise<void> {
  const kind: ClaimKind = req.user!.role === 'institution' ? 'institution' : 'enterprise';
  res.status(status).render('memberships/claim-form', {
    title: '申请加入已登记的单位',
    kind,
    kindLabel: KIND_LABELS[kind],
    claimKindOptions,
    claims: await myClaims(req.user!),
    maxClaims: MAX_CLAIMS,
    values: { kind, entered: typeof req.query.entered === 'string' ? req.query.entered.slice(0, 60) : '' },
    ...locals,
  });
}

export const claimPage: RequestHandler = async (req, res) => {
  await renderClaimForm(req, res);
};

export const claimSubmit: RequestHandler = async (req, res) => {
  try {
    const claim = await submitClaim(req.user!, parse(claimInput, req.body ?? {}));
    req.flash('success', `已提交加入“${claim.record.name}”的申请，区科技局审核后会通知您。`);
    res.redirect(303, '/claims/new');
  } catch (err) {
    const fields = err instanceof Invalid ? err.fields : err instanceof Conflict ? { _: err.detail } : undefined;
    if (!fields) throw err;
    await renderClaimForm(req, res, { values: echoValues(req.body), errors: fields, errorList: Object.values(fields) }, err instanceof Conflict ? 409 : 400);
  }
};

const claimStatusOptions = [
  { value: 'pending', label: '待审核' },
  { value: 'approved', label: '已通过' },
  { value: 'rejected', label: '未通过' },
];

export const claimsAdminPage: RequestHandler = async (req, res) => {
  const q = parse(claimListQuery, { status: 'pending', ...req.query });
  const list = await listClaims(req.user!, q);
  res.render('memberships/claims', { title: '加入申请', section: 'admin', claims: list.items, pager: pager(list), filters: q, statusOptions: claimStatusOptions });
};

function decideForm(approve: boolean): RequestHandler {
  return async (req, res) => {
    const { reason } = approve ? { reason: undefined } : parse(claimDecision, req.body ?? {});
    try {
      const claim = await decideClaim(req.user!, idParam(req), approve, reason);
      req.flash('success', approve ? `已通过：${claim.user.name} 现在代表“${claim.record.name}”。` : `已拒绝 ${claim.user.name} 加入“${claim.record.name}”的申请，已通知申请人。`);
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      req.flash('error', err.detail);
    }
    res.redirect(303, '/admin/claims');
  };
}

export const approveClaimForm = decideForm(true);
export const rejectClaimForm = decideForm(false);
