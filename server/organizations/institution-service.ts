// Institution use cases: a university or institute office manages its own institution (one per account,
// linked as its profile, once an organizer has approved the account); organizers manage all.
import { findLive } from '../platform/db/live.ts';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, Permissions, RecordService, RecordView, GetOptions } from '../platform/http/crud.ts';
import { reveal } from '../contacts/policy.ts';
import type { Contact } from '../contacts/model.ts';
import { linkProfile } from '../accounts/service.ts';
import { Institution, type InstitutionDoc } from './model.ts';
import type { InstitutionInput, InstitutionQuery } from './schema.ts';
import { hasActiveRecords, onInstitutionChanged } from './dependents.ts';
import { clock } from '../platform/clock.ts';
import { institutionPolicy, visibleFilter } from './policy.ts';
import { findClaimable } from '../memberships/claims.ts';
import { eachOf } from '../platform/db/each.ts';

export interface InstitutionView extends RecordView {
  name: string;
  kind: string;
  province: string;
  city: string;
  intro?: string | null | undefined;
  ownerId?: string | null | undefined;
  contact?: Contact | undefined;
  createdAt: Date;
}

export function institutionView(doc: InstitutionDoc, contact?: Contact): InstitutionView {
  return {
    id: String(doc._id),
    label: doc.name,
    name: doc.name,
    kind: doc.kind,
    province: doc.province,
    city: doc.city,
    intro: doc.intro,
    ownerId: doc.owner,
    contact,
    createdAt: doc.createdAt,
  };
}

export const institutionSubject = (doc: InstitutionDoc) => ({ kind: 'institution' as const, id: String(doc._id), label: doc.name, ownerId: doc.owner });

export { isInstitutionOwner } from './policy.ts';

const permissions = (actor: Actor | undefined, doc: InstitutionDoc): Permissions => institutionPolicy.permissions(actor, doc, ['edit', 'delete'] as const);

export async function loadInstitution(id: string): Promise<InstitutionDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('机构不存在。');
  const doc = await findLive<InstitutionDoc>(Institution, id);
  if (!doc) throw new NotFound('机构不存在。');
  return doc;
}

function listFilter(actor: Actor | undefined, q: InstitutionQuery): Record<string, unknown> {
  const filter: Record<string, unknown> = visibleFilter(actor);
  if (q.kind) filter.kind = q.kind;
  if (q.province) filter.province = q.province;
  if (q.q) filter.name = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
  return filter;
}

const LIST_SORT = { name: 1, _id: 1 } as const;

async function list(_actor: Actor | undefined, q: InstitutionQuery): Promise<ListResult<InstitutionView>> {
  const filter = listFilter(_actor, q);
  const [docs, total] = await Promise.all([
    Institution.find(filter)
      .sort(LIST_SORT)
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<InstitutionDoc[]>(),
    Institution.countDocuments(filter),
  ]);
  return { items: docs.map((d) => institutionView(d)), total, page: q.page, limit: q.limit };
}

/** Exports (crud.ts RecordService.cursor): every institution of the list's filter in its order, from one database cursor. */
async function* cursor(actor: Actor | undefined, q: InstitutionQuery): AsyncGenerator<InstitutionView> {
  yield* eachOf(Institution.find(listFilter(actor, q)).sort(LIST_SORT).lean<InstitutionDoc[]>().cursor({ batchSize: 1_000 }), (d: InstitutionDoc) => institutionView(d));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const doc = await loadInstitution(id);
  const contact = await reveal(actor, institutionSubject(doc), doc.contact, opts);
  return { ...institutionView(doc, contact), permissions: permissions(actor, doc) };
}

async function create(actor: Actor, input: InstitutionInput): Promise<InstitutionView> {
  const organizer = isOrganizer(actor);
  if (!organizer) {
    if (actor.role !== 'institution' || actor.status !== 'active') throw new Forbidden('只有审核通过的高校院所账户可以登记机构信息。');
    if (actor.profile) throw new Conflict('您的账户已关联一个机构，请编辑该机构的信息。');
  }
  // A member of a listed institution joins it (memberships/claims.ts) rather than listing it twice.
  if (!organizer) {
    const listed = await findClaimable('institution', input.name);
    if (listed) throw new Invalid({ name: `“${listed.name}”已在平台登记。如果您在该机构工作，请申请加入该机构，不必重复登记。` });
  }
  const doc = await Institution.create({ ...input, owner: organizer ? undefined : actor.id, createdBy: actor.id });
  if (!organizer) {
    await linkProfile(actor.id, { kind: 'institution', id: String(doc._id) });
    actor.profile = { kind: 'institution', id: String(doc._id) };
  }
  return institutionView(doc.toObject() as InstitutionDoc);
}

async function update(actor: Actor, id: string, input: Partial<InstitutionInput>): Promise<InstitutionView> {
  const doc = await loadInstitution(id);
  institutionPolicy.authorize(actor, 'edit', doc);
  await Institution.updateOne({ _id: id }, { $set: input });
  const updated = await loadInstitution(id);
  if (input.name !== undefined || input.city !== undefined || input.province !== undefined) await onInstitutionChanged(updated);
  return institutionView(updated);
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await loadInstitution(id);
  institutionPolicy.authorize(actor, 'delete', doc);
  if (await hasActiveRecords('institution', id)) throw new Conflict('该机构还有科技成果，请先删除或转移这些成果。');
  await Institution.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
}

export const institutions: RecordService<InstitutionView, InstitutionInput, InstitutionQuery> = { list, cursor, get, create, update, remove };

export async function institutionOf(actor: Actor | undefined): Promise<InstitutionDoc | undefined> {
  if (actor?.profile?.kind !== 'institution') return undefined;
  return (await findLive<InstitutionDoc>(Institution, actor.profile.id)) ?? undefined;
}

export async function institutionOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Institution.find({ deletedAt: null }).sort({ name: 1, _id: 1 }).select('name').lean<InstitutionDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: d.name }));
}
