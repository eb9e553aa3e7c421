// Claims: a person who registered as an enterprise (or institution) and finds their unit already listed asks to
// join it instead of being refused. The organizers see what was entered and approve or reject; the applicant is
// told by notification and mail. Approval binds the account to the record, so it edits the record as its owner
// (an enterprise or institution may have several accounts, at most MAX_ACCOUNTS).
// Flooding: one pending claim per account at a time (a rejected one can be renewed after the answer) and at most
// MAX_CLAIMS in all; every claim notifies the organizers once.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { findPage } from '../platform/db/page.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import * as audit from '../audit/service.ts';
import * as accounts from '../accounts/service.ts';
import * as mail from '../mail/messages.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import { Claim, type ClaimDoc, type ClaimKind } from './model.ts';
import { KIND_LABELS, MAX_ACCOUNTS, recordPath, roleFor, seatsTaken, type RecordRef } from './records.ts';

export const MAX_CLAIMS = 5;

export interface ClaimView {
  id: string;
  user: { id: string; name: string; email: string };
  kind: ClaimKind;
  kindLabel: string;
  record: { id: string; name: string; path: string };
  entered: string;
  message?: string | undefined;
  status: 'pending' | 'approved' | 'rejected';
  reason?: string | undefined;
  createdAt: Date;
  decidedAt?: Date | undefined;
  decidedByName?: string | undefined;
}

function claimView(doc: ClaimDoc): ClaimView {
  const kind = doc.kind as ClaimKind;
  return {
    id: String(doc._id),
    user: { id: doc.user, name: doc.userName, email: doc.userEmail },
    kind,
    kindLabel: KIND_LABELS[kind],
    record: { id: doc.record, name: doc.recordName, path: recordPath(kind, doc.record) },
    entered: doc.entered,
    message: doc.message ?? undefined,
    status: doc.status as ClaimView['status'],
    reason: doc.reason ?? undefined,
    createdAt: doc.createdAt,
    decidedAt: doc.decidedAt ?? undefined,
    decidedByName: doc.decidedByName ?? undefined,
  };
}

/** Names compare without spaces, with full-width brackets as half-width and Latin letters in one case. */
export const nameKey = (name: string): string =>
  name
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase();

/** The listed enterprise with this credit code, or institution with this name. */
export async function findClaimable(kind: ClaimKind, entered: string): Promise<RecordRef | undefined> {
  if (kind === 'enterprise') {
    const doc = await Enterprise.findOne({ creditCode: entered.trim().toUpperCase() }).lean<EnterpriseDoc>();
    return doc && !doc.deletedAt ? { kind, id: String(doc._id), name: doc.name, path: recordPath(kind, String(doc._id)) } : undefined;
  }
  // Institutions number in the hundreds: compare every live name, so spacing and bracket width do not matter.
  const key = nameKey(entered);
  const docs = await Institution.find({ deletedAt: null }).select('name').lean<InstitutionDoc[]>();
  const doc = docs.find((d) => nameKey(d.name) === key);
  return doc ? { kind, id: String(doc._id), name: doc.name, path: recordPath(kind, String(doc._id)) } : undefined;
}

function mayClaim(actor: Actor, kind: ClaimKind): void {
  if (actor.role !== roleFor(kind)) throw new Forbidden(kind === 'enterprise' ? '只有企业账户可以申请加入企业。' : '只有高校院所账户可以申请加入高校院所。');
  if (actor.status === 'disabled') throw new Forbidden('您的账户已停用。');
  if (actor.profile) throw new Conflict('您的账户已经代表一个单位，不能再申请加入其他单位。');
}

export async function submitClaim(actor: Actor, input: { kind: ClaimKind; entered: string; message?: string | undefined }): Promise<ClaimView> {
  mayClaim(actor, input.kind);
  const record = await findClaimable(input.kind, input.entered);
  if (!record) {
    throw new Invalid({
      entered: input.kind === 'enterprise' ? '平台上没有这个统一社会信用代码的企业，请直接登记企业信息。' : '平台上没有这个名称的高校院所，请核对全称，或直接登记机构信息。',
    });
  }
  const mine = await Claim.find({ user: actor.id }).sort({ createdAt: -1, _id: -1 }).lean<ClaimDoc[]>();
  const pending = mine.find((c) => c.status === 'pending');
  if (pending) throw new Conflict(`您申请加入“${pending.recordName}”的申请正在等待区科技局审核，审核后才能再次申请。`);
  if (mine.length >= MAX_CLAIMS) throw new Conflict(`加入申请已达 ${MAX_CLAIMS} 次上限，请直接联系东宝区科技局。`);
  if ((await seatsTaken(record.kind, record.id)) >= MAX_ACCOUNTS) throw new Conflict(`“${record.name}”已有 ${MAX_ACCOUNTS} 个账户，已达上限，请联系该单位或区科技局。`);
  let doc: ClaimDoc;
  try {
    doc = (
      await Claim.create({
        user: actor.id,
        userName: actor.name,
        userEmail: actor.email,
        kind: input.kind,
        record: record.id,
        recordName: record.name,
        entered: input.entered.trim(),
        message: input.message,
        slot: `${actor.id}:${mine.length + 1}`,
      })
    ).toObject() as ClaimDoc;
  } catch (err) {
    // A second claim submitted at the same moment took the same slot.
    if ((err as { code?: number }).code === 11000) throw new Conflict('您刚刚已经提交了一份加入申请，请等待区科技局审核。');
    throw err;
  }
  const view = claimView(doc);
  await audit.record({ actor, action: 'claim.submit', target: { kind: record.kind, id: record.id, label: record.name }, detail: view.entered });
  await notifyUsers(await organizers(), {
    kind: 'claim.pending',
    title: `待审核的加入申请：${actor.name} 申请加入${record.name}`,
    body: `${actor.email}，填写：${view.entered}`,
    link: '/admin/claims',
    key: `claim:${view.id}:pending`,
    mail: mail.claimPending({ name: actor.name, email: actor.email, recordName: record.name, kindLabel: KIND_LABELS[record.kind], entered: view.entered, link: '/admin/claims' }),
  });
  return view;
}

/** The account's own claims, newest first. */
export async function myClaims(actor: Actor): Promise<ClaimView[]> {
  const docs = await Claim.find({ user: actor.id }).sort({ createdAt: -1, _id: -1 }).limit(MAX_CLAIMS).lean<ClaimDoc[]>();
  return docs.map(claimView);
}

export async function listClaims(
  actor: Actor,
  q: { status?: ClaimView['status'] | undefined; page: number; limit: number },
): Promise<{ items: ClaimView[]; total: number; page: number; limit: number }> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const { docs, total } = await findPage<ClaimDoc>(Claim, q.status ? { status: q.status } : {}, { createdAt: -1 }, q);
  return { items: docs.map(claimView), total, page: q.page, limit: q.limit };
}

export async function countPendingClaims(): Promise<number> {
  return Claim.countDocuments({ status: 'pending' });
}

async function loadClaim(id: string): Promise<ClaimDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('加入申请不存在。');
  const doc = await Claim.findById(id).lean<ClaimDoc>();
  if (!doc) throw new NotFound('加入申请不存在。');
  return doc;
}

/**
 * Approves (binds the account to the record) or rejects a pending claim, once: the claim moves by a conditional
 * update; an approval that can no longer be carried out (the account got another record or was disabled, the
 * record filled up) puts the claim back and says why.
 */
export async function decideClaim(actor: Actor, id: string, approve: boolean, reason?: string | undefined): Promise<ClaimView> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以审核加入申请。');
  const doc = await loadClaim(id);
  if (doc.status !== 'pending') throw new Conflict('这份加入申请已经审核过了。');
  const kind = doc.kind as ClaimKind;
  if (approve) {
    const applicant = await accounts.getUser(doc.user);
    if (applicant.status === 'disabled') throw new Conflict('申请人的账户已停用，不能通过。');
    if (applicant.profile) throw new Conflict('申请人的账户已经代表其他单位，不能通过。');
    if ((await seatsTaken(kind, doc.record)) >= MAX_ACCOUNTS) throw new Conflict(`“${doc.recordName}”已有 ${MAX_ACCOUNTS} 个账户，已达上限。`);
  }
  const now = clock.now();
  const moved = await Claim.updateOne(
    { _id: doc._id, status: 'pending' },
    { $set: { status: approve ? 'approved' : 'rejected', decidedBy: actor.id, decidedByName: actor.name, decidedAt: now, reason } },
  );
  if (moved.modifiedCount !== 1) throw new Conflict('这份加入申请已经审核过了。');
  if (approve && !(await accounts.bindProfile(doc.user, roleFor(kind), { kind, id: doc.record }, actor))) {
    await Claim.updateOne({ _id: doc._id }, { $set: { status: 'pending' }, $unset: { decidedBy: 1, decidedByName: 1, decidedAt: 1, reason: 1 } });
    throw new Conflict('申请人的账户刚刚发生了变化（已关联其他单位或已停用），请刷新后重试。');
  }
  await audit.record({ actor, action: approve ? 'claim.approve' : 'claim.reject', target: { kind, id: doc.record, label: doc.recordName }, detail: reason ? `${doc.userEmail}：${reason}` : doc.userEmail });
  await notifyUsers([doc.user], {
    kind: approve ? 'claim.approved' : 'claim.rejected',
    title: approve ? `您已加入${doc.recordName}` : `您加入${doc.recordName}的申请未通过`,
    body: reason,
    link: approve ? recordPath(kind, doc.record) : '/claims/new',
    key: `claim:${String(doc._id)}:decided`,
    mail: mail.claimDecided({ approved: approve, recordName: doc.recordName, kindLabel: KIND_LABELS[kind], reason, link: '/account' }),
  });
  return claimView((await Claim.findById(doc._id).lean<ClaimDoc>())!);
}
