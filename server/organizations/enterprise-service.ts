// Enterprise use cases. An enterprise account manages its own enterprise (one per account, linked as its
// profile); organizers manage all. Anyone may read the public part; the contact only those policy.ts allows.
import { findLive } from '../platform/db/live.ts';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, Permissions, RecordService, RecordView, GetOptions } from '../platform/http/crud.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { reveal } from '../contacts/policy.ts';
import type { Contact } from '../contacts/model.ts';
import { linkProfile } from '../accounts/service.ts';
import { Enterprise, type EnterpriseDoc } from './model.ts';
import type { EnterpriseInput, EnterpriseQuery } from './schema.ts';
import { onEnterpriseChanged, onEnterpriseRemoved, hasActiveRecords } from './dependents.ts';
import { clock } from '../platform/clock.ts';
import { enterprisePolicy, visibleFilter } from './policy.ts';
import { findPage } from '../platform/db/page.ts';
import { eachOf } from '../platform/db/each.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';

export interface EnterpriseView extends RecordView {
  name: string;
  creditCode: string;
  industry: string;
  town: string;
  scale?: string | null | undefined;
  highTech: boolean;
  techSme: boolean;
  intro?: string | null | undefined;
  ownerId?: string | null | undefined;
  contact?: Contact | undefined;
  createdAt: Date;
}

export function enterpriseView(doc: EnterpriseDoc, contact?: Contact): EnterpriseView {
  return {
    id: String(doc._id),
    label: doc.name,
    name: doc.name,
    creditCode: doc.creditCode,
    industry: doc.industry,
    town: doc.town,
    scale: doc.scale,
    highTech: !!doc.highTech,
    techSme: !!doc.techSme,
    intro: doc.intro,
    ownerId: doc.owner,
    contact,
    createdAt: doc.createdAt,
  };
}

export const subjectOf = (doc: EnterpriseDoc) => ({ kind: 'enterprise' as const, id: String(doc._id), label: doc.name, ownerId: doc.owner });

export { isEnterpriseOwner } from './policy.ts';

const permissions = (actor: Actor | undefined, doc: EnterpriseDoc): Permissions => enterprisePolicy.permissions(actor, doc, ['edit', 'delete'] as const);

export async function loadEnterprise(id: string): Promise<EnterpriseDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('企业不存在。');
  const doc = await findLive<EnterpriseDoc>(Enterprise, id);
  if (!doc) throw new NotFound('企业不存在。');
  return doc;
}

/**
 * An enterprise as pages that name it read it (a need's page, an expert's itinerary): read once until an enterprise
 * is written (the 'enterprises' topic, platform/db/shared-cache.ts). Shared between callers: never changed.
 */
const shownEnterprises = new SharedCache<EnterpriseDoc>('enterprises', 5_000);
export async function shownEnterprise(id: string): Promise<EnterpriseDoc | null | undefined> {
  return mongoose.isValidObjectId(id) ? shownEnterprises.get(id, () => Enterprise.findById(id).lean<EnterpriseDoc>()) : null;
}

async function assertCodeFree(creditCode: string, exceptId?: string): Promise<void> {
  const clash = await Enterprise.findOne({ creditCode }).lean<EnterpriseDoc>();
  if (clash && String(clash._id) !== exceptId) {
    throw new Invalid({ creditCode: `该统一社会信用代码已被“${clash.name}”使用。如果您是该企业的员工，请申请加入该企业，不必重复登记。` });
  }
}

function duplicateCode(err: unknown): never {
  if ((err as { code?: number })?.code === 11000) throw new Invalid({ creditCode: '该统一社会信用代码已被其他企业使用。' });
  throw err;
}

function listFilter(actor: Actor | undefined, q: EnterpriseQuery): Record<string, unknown> {
  const filter: Record<string, unknown> = visibleFilter(actor);
  if (q.industry) filter.industry = q.industry;
  if (q.town) filter.town = q.town;
  if (q.scale) filter.scale = q.scale;
  if (q.highTech) filter.highTech = true;
  if (q.q) filter.name = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
  return filter;
}

async function list(_actor: Actor | undefined, q: EnterpriseQuery): Promise<ListResult<EnterpriseView>> {
  const { docs, total } = await findPage<EnterpriseDoc>(Enterprise, listFilter(_actor, q), { createdAt: -1 }, q);
  return { items: docs.map((d) => enterpriseView(d)), total, page: q.page, limit: q.limit };
}

/** Exports (crud.ts RecordService.cursor): every enterprise of the list's filter in its order (findPage's, `_id` last), from one database cursor. */
async function* cursor(actor: Actor | undefined, q: EnterpriseQuery): AsyncGenerator<EnterpriseView> {
  yield* eachOf(Enterprise.find(listFilter(actor, q)).sort({ createdAt: -1, _id: -1 }).lean<EnterpriseDoc[]>().cursor({ batchSize: 1_000 }), (d: EnterpriseDoc) => enterpriseView(d));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const doc = await loadEnterprise(id);
  const contact = await reveal(actor, subjectOf(doc), doc.contact, opts);
  return { ...enterpriseView(doc, contact), permissions: permissions(actor, doc) };
}

async function create(actor: Actor, input: EnterpriseInput): Promise<EnterpriseView> {
  const organizer = isOrganizer(actor);
  if (!organizer) {
    if (actor.role !== 'enterprise' || actor.status !== 'active') throw new Forbidden('只有企业账户可以登记企业信息。');
    if (actor.profile) throw new Conflict('您的账户已关联一家企业，请编辑该企业的信息。');
  }
  await assertCodeFree(input.creditCode);
  const doc = await Enterprise.create({ ...input, owner: organizer ? undefined : actor.id, createdBy: actor.id }).catch(duplicateCode);
  if (!organizer) {
    await linkProfile(actor.id, { kind: 'enterprise', id: String(doc._id) });
    actor.profile = { kind: 'enterprise', id: String(doc._id) };
  }
  return enterpriseView(doc.toObject() as EnterpriseDoc);
}

async function update(actor: Actor, id: string, input: Partial<EnterpriseInput>): Promise<EnterpriseView> {
  const doc = await loadEnterprise(id);
  enterprisePolicy.authorize(actor, 'edit', doc);
  if (input.creditCode && input.creditCode !== doc.creditCode) await assertCodeFree(input.creditCode, id);
  await Enterprise.updateOne({ _id: id }, { $set: input }).catch(duplicateCode);
  const updated = await loadEnterprise(id);
  if (input.name !== undefined || input.town !== undefined || input.industry !== undefined) await onEnterpriseChanged(updated);
  return enterpriseView(updated);
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await loadEnterprise(id);
  enterprisePolicy.authorize(actor, 'delete', doc);
  if (await hasActiveRecords('enterprise', id)) throw new Conflict('该企业还有未关闭的技术需求，请先关闭或删除这些需求。');
  await Enterprise.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  await onEnterpriseRemoved(id);
}

export const enterprises: RecordService<EnterpriseView, EnterpriseInput, EnterpriseQuery> = { list, cursor, get, create, update, remove };

/** The enterprise an account speaks for, if any. */
export async function enterpriseOf(actor: Actor | undefined): Promise<EnterpriseDoc | undefined> {
  if (actor?.profile?.kind !== 'enterprise') return undefined;
  return (await findLive<EnterpriseDoc>(Enterprise, actor.profile.id)) ?? undefined;
}

export async function enterpriseOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Enterprise.find({ deletedAt: null }).sort({ name: 1, _id: 1 }).select('name').lean<EnterpriseDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: d.name }));
}
