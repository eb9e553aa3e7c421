// Bulk invitations: the organizer picks records of one kind that have a contact address (typically an imported
// list) and invites each address at once. The batch is stored with its items; a process works through it, one
// invitation after another, recording each outcome (sent, or skipped with the reason), so the page shows progress
// and ends with a report. A batch whose process stopped (restart, crash) is taken over by the next one that looks
// at it: the heartbeat is refreshed after each item and a batch silent for a minute is free to take.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { findPage, type AnyModel } from '../platform/db/page.ts';
import { AppError, BadRequest, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { User } from '../accounts/model.ts';
import * as accounts from '../accounts/service.ts';
import * as audit from '../audit/service.ts';
import { Enterprise, Institution } from '../organizations/model.ts';
import { Expert } from '../experts/model.ts';
import { Broker } from '../brokers/model.ts';
import type { Contact } from '../contacts/model.ts';
import { InvitationBatch, type BatchDoc, type RecordKind } from './model.ts';
import { invite } from './invitations.ts';
import { KIND_LABELS, findRecord } from './records.ts';

export const MAX_BATCH = 500;
const STALE_MS = 60_000;

const MODELS: Record<RecordKind, AnyModel> = { enterprise: Enterprise, institution: Institution, expert: Expert, broker: Broker };

export interface Candidate {
  id: string;
  name: string;
  email: string;
  accounts: number;
}

interface Listed {
  _id: mongoose.Types.ObjectId;
  name: string;
  contact?: Contact | null;
}

/**
 * Records of the kind with a contact address, by name; `withoutAccount` keeps those no account speaks for yet
 * (the default of the page: what an import leaves behind).
 */
export async function candidates(
  actor: Actor,
  q: { kind: RecordKind; withoutAccount: boolean; page: number; limit: number },
): Promise<{ items: Candidate[]; total: number; page: number; limit: number }> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const linked = await User.find({ 'profile.kind': q.kind }).select('profile status').lean();
  const counts = new Map<string, number>();
  for (const u of linked) if (u.status !== 'disabled' && u.profile?.id) counts.set(u.profile.id, (counts.get(u.profile.id) ?? 0) + 1);
  const filter: Record<string, unknown> = { deletedAt: null, 'contact.email': trusted({ $nin: [null, ''] }) };
  if (q.withoutAccount && counts.size) filter._id = trusted({ $nin: [...counts.keys()].map((id) => new mongoose.Types.ObjectId(id)) });
  const { docs, total } = await findPage<Listed>(MODELS[q.kind], filter, { name: 1 }, q);
  const items = docs.map((d) => ({ id: String(d._id), name: d.name, email: d.contact?.email ?? '', accounts: counts.get(String(d._id)) ?? 0 }));
  return { items, total, page: q.page, limit: q.limit };
}

export interface BatchView {
  id: string;
  kind: RecordKind;
  kindLabel: string;
  byName: string;
  total: number;
  done: number;
  sent: number;
  skipped: number;
  status: 'running' | 'finished';
  /** running, but no process has touched it for a minute (it is taken over when looked at) */
  stalled: boolean;
  items: { record: string; name: string; email?: string | undefined; outcome?: string | undefined; reason?: string | undefined }[];
  createdAt: Date;
  finishedAt?: Date | undefined;
}

function batchView(doc: BatchDoc): BatchView {
  const items = doc.items.map((i) => ({ record: i.record, name: i.name, email: i.email ?? undefined, outcome: i.outcome ?? undefined, reason: i.reason ?? undefined }));
  return {
    id: String(doc._id),
    kind: doc.kind as RecordKind,
    kindLabel: KIND_LABELS[doc.kind as RecordKind],
    byName: doc.byName,
    total: items.length,
    done: doc.done,
    sent: items.filter((i) => i.outcome === 'sent').length,
    skipped: items.filter((i) => i.outcome === 'skipped').length,
    status: doc.status as BatchView['status'],
    stalled: doc.status === 'running' && (!doc.heartbeatAt || clock.ms() - doc.heartbeatAt.getTime() > STALE_MS),
    items,
    createdAt: doc.createdAt,
    finishedAt: doc.finishedAt ?? undefined,
  };
}

/** Starts a bulk invitation of the chosen records' contact addresses; the work goes on after this returns. */
export async function startBatch(actor: Actor, input: { kind: RecordKind; ids: string[] }, logger: Logger): Promise<BatchView> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以邀请账户。');
  const ids = [...new Set(input.ids)];
  if (ids.length === 0) throw new Invalid({ ids: '请至少选择一条记录。' });
  if (ids.length > MAX_BATCH) throw new Invalid({ ids: `一次最多邀请 ${MAX_BATCH} 条记录，请分批进行。` });
  if (ids.some((id) => !mongoose.isValidObjectId(id))) throw new BadRequest('所选记录的编号无效。');
  const items = [];
  for (const id of ids) {
    const record = await findRecord(input.kind, id);
    if (!record) items.push({ record: id, name: '（已删除）', outcome: 'skipped', reason: '记录不存在或已被删除。' });
    else items.push({ record: id, name: record.name, email: record.contact?.email?.trim() || undefined });
  }
  const doc = (await InvitationBatch.create({ kind: input.kind, by: actor.id, byName: actor.name, items })).toObject() as BatchDoc;
  await audit.record({ actor, action: 'invitation.bulk', target: { kind: 'invitation-batch', id: String(doc._id), label: KIND_LABELS[input.kind] }, detail: `${ids.length} 条` });
  void runBatch(String(doc._id), logger);
  return batchView(doc);
}

/** Takes the batch when nobody works on it (or its worker went silent), then works through the rest of it. */
export async function runBatch(id: string, logger: Logger): Promise<void> {
  try {
    const now = clock.now();
    const taken = await InvitationBatch.updateOne(
      { _id: id, status: 'running', $or: [{ heartbeatAt: null }, { heartbeatAt: trusted({ $lt: new Date(now.getTime() - STALE_MS) }) }] },
      { $set: { heartbeatAt: now } },
    );
    if (taken.modifiedCount !== 1) return;
    const doc = (await InvitationBatch.findById(id).lean<BatchDoc>())!;
    const by = await accounts.getUser(doc.by);
    for (let i = doc.done; i < doc.items.length; i++) {
      const item = doc.items[i]!;
      const outcome = item.outcome ? {} : await inviteOne(by, doc.kind as RecordKind, item.record, item.email ?? undefined, id);
      const set: Record<string, unknown> = { done: i + 1, heartbeatAt: clock.now() };
      for (const [k, v] of Object.entries(outcome)) set[`items.${i}.${k}`] = v;
      await InvitationBatch.updateOne({ _id: id }, { $set: set });
    }
    await InvitationBatch.updateOne({ _id: id }, { $set: { status: 'finished', finishedAt: clock.now() } });
  } catch (err) {
    logger.error({ err, batch: id }, 'bulk invitation stopped; it resumes when its page is opened');
  }
}

async function inviteOne(by: Awaited<ReturnType<typeof accounts.getUser>>, kind: RecordKind, record: string, email: string | undefined, batch: string) {
  if (!email) return { outcome: 'skipped', reason: '没有联系邮箱。' };
  try {
    await invite(by, { kind, id: record, email }, { batch });
    return { outcome: 'sent' };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const reason = err instanceof Invalid ? Object.values(err.fields).join(' ') : err.detail;
    return { outcome: 'skipped', reason };
  }
}

/** The batch with its progress; a stalled one is taken over by this process. */
export async function getBatch(actor: Actor, id: string, logger: Logger): Promise<BatchView> {
  if (!isOrganizer(actor)) throw new Forbidden();
  if (!mongoose.isValidObjectId(id)) throw new NotFound('批量邀请不存在。');
  const doc = await InvitationBatch.findById(id).lean<BatchDoc>();
  if (!doc) throw new NotFound('批量邀请不存在。');
  const view = batchView(doc);
  if (view.stalled) void runBatch(id, logger);
  return view;
}

export async function recentBatches(actor: Actor): Promise<BatchView[]> {
  if (!isOrganizer(actor)) throw new Forbidden();
  const docs = await InvitationBatch.find({}).sort({ createdAt: -1, _id: -1 }).limit(10).lean<BatchDoc[]>();
  return docs.map(batchView);
}
