// Expert use cases. An expert account keeps its own profile (one per account, linked as its profile);
// organizers manage all. Anyone may read the public part; the contact only those policy.ts allows.
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
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { Result } from '../results/model.ts';
import { Expert, type ExpertDoc } from './model.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import { indexList, sortOf } from '../search/lists.ts';
import type { ExpertInput, ExpertQuery } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { expertPolicy, visibleFilter } from './policy.ts';
import { findPage } from '../platform/db/page.ts';
import { eachOf } from '../platform/db/each.ts';

export interface ExpertView extends RecordView {
  name: string;
  title: string;
  institution?: string | null | undefined;
  institutionName?: string | null | undefined;
  city?: string | null | undefined;
  industries: string[];
  keywords: string[];
  bio?: string | null | undefined;
  availableForVisits: boolean;
  ownerId?: string | null | undefined;
  contact?: Contact | undefined;
  createdAt: Date;
}

export function expertView(doc: ExpertDoc, contact?: Contact): ExpertView {
  return {
    id: String(doc._id),
    label: doc.name,
    name: doc.name,
    title: doc.title,
    institution: doc.institution,
    institutionName: doc.institutionName,
    city: doc.city,
    industries: [...(doc.industries ?? [])],
    keywords: [...(doc.keywords ?? [])],
    bio: doc.bio,
    availableForVisits: !!doc.availableForVisits,
    ownerId: doc.owner,
    contact,
    createdAt: doc.createdAt,
  };
}

export const expertSubject = (doc: ExpertDoc) => ({ kind: 'expert' as const, id: String(doc._id), label: doc.name, ownerId: doc.owner });

export { isExpertOwner } from './policy.ts';

const permissions = (actor: Actor | undefined, doc: ExpertDoc): Permissions => expertPolicy.permissions(actor, doc, ['edit', 'delete'] as const);

export async function loadExpert(id: string): Promise<ExpertDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('专家不存在。');
  const doc = await findLive<ExpertDoc>(Expert, id);
  if (!doc) throw new NotFound('专家不存在。');
  return doc;
}

/**
 * Where the expert works, as the fields to write. An institution on the platform gives its name and city;
 * `null` unlinks it. Changing only the free-text name of a linked expert also unlinks, since the name then
 * no longer belongs to the platform record.
 */
async function placeOf(input: Partial<ExpertInput>, current?: ExpertDoc): Promise<{ set: Record<string, unknown>; unset: string[] }> {
  const { institution, ...rest } = input;
  if (institution) {
    const inst = mongoose.isValidObjectId(institution)
      ? await findLive<InstitutionDoc>(Institution, institution)
      : null;
    if (!inst) throw new Invalid({ institution: '所选单位不存在或已被删除。' });
    return { set: { ...rest, institution, institutionName: inst.name, city: inst.city }, unset: [] };
  }
  const unlink =
    institution === null ||
    (institution === undefined && !!current?.institution && rest.institutionName !== undefined && rest.institutionName !== current.institutionName);
  return { set: rest, unset: unlink ? ['institution', 'city'] : [] };
}

function listFilter(actor: Actor | undefined, q: ExpertQuery): Record<string, unknown> {
  const filter: Record<string, unknown> = visibleFilter(actor);
  if (q.industry) filter.industries = q.industry;
  if (q.availableForVisits) filter.availableForVisits = true;
  if (q.institution) filter.institution = q.institution;
  if (q.q) {
    const pattern = escapeRegex(q.q);
    filter.$or = [{ name: trusted({ $regex: pattern, $options: 'i' }) }, { keywords: trusted({ $regex: pattern, $options: 'i' }) }];
  }
  return filter;
}

async function list(_actor: Actor | undefined, q: ExpertQuery): Promise<ListResult<ExpertView>> {
  const { docs, total } = await findPage<ExpertDoc>(Expert, listFilter(_actor, q), { createdAt: -1 }, q, '-contact');
  return { items: docs.map((d) => expertView(d)), total, page: q.page, limit: q.limit };
}

/**
 * Exports (crud.ts RecordService.cursor): every expert of the list's filter in its order (findPage's, `_id` last),
 * from one database cursor, each made the view `list` makes. Like `list`, a free-text `q` is a substring match in
 * the database, where the page (the search index, when there is one) matches words and sorts by relevance.
 */
async function* cursor(actor: Actor | undefined, q: ExpertQuery): AsyncGenerator<ExpertView> {
  yield* eachOf(Expert.find(listFilter(actor, q)).select('-contact').sort({ createdAt: -1, _id: -1 }).lean<ExpertDoc[]>().cursor({ batchSize: 1_000 }), (d: ExpertDoc) => expertView(d));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const doc = await loadExpert(id);
  const contact = await reveal(actor, expertSubject(doc), doc.contact, opts);
  return { ...expertView(doc, contact), permissions: permissions(actor, doc) };
}

async function create(actor: Actor, input: ExpertInput): Promise<ExpertView> {
  const organizer = isOrganizer(actor);
  if (!organizer) {
    if (actor.role !== 'expert' || actor.status !== 'active') throw new Forbidden('只有专家账户可以登记专家信息。');
    if (actor.profile) throw new Conflict('您的账户已关联专家信息，请编辑已有的专家信息。');
  }
  const { set } = await placeOf(input);
  const doc = await Expert.create({ ...set, owner: organizer ? undefined : actor.id, createdBy: actor.id });
  if (!organizer) {
    await linkProfile(actor.id, { kind: 'expert', id: String(doc._id) });
    actor.profile = { kind: 'expert', id: String(doc._id) };
  }
  return expertView(doc.toObject() as ExpertDoc);
}

async function update(actor: Actor, id: string, input: Partial<ExpertInput>): Promise<ExpertView> {
  const doc = await loadExpert(id);
  expertPolicy.authorize(actor, 'edit', doc);
  const { set, unset } = await placeOf(input, doc);
  await Expert.updateOne({ _id: id }, { $set: set, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, ''])) } : {}) });
  const updated = await loadExpert(id);
  // Results carry their lead expert's name (so lists and search need no join); keep it current.
  if (updated.name !== doc.name) await Result.updateMany({ leadExpert: id }, { $set: { leadExpertName: updated.name } });
  return expertView(updated);
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await loadExpert(id);
  expertPolicy.authorize(actor, 'delete', doc);
  await Expert.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  // Results keep their record, without a lead who is no longer listed.
  await Result.updateMany({ leadExpert: id }, { $unset: { leadExpert: 1, leadExpertName: 1 } });
}

async function browse(search: SearchIndex, _actor: Actor | undefined, q: ExpertQuery) {
  const filters: NonNullable<SearchQuery['filters']> = { kind: 'expert' };
  if (q.industry) filters.industry = q.industry;
  if (q.availableForVisits) filters.available = 'yes';
  if (q.institution) filters.institution = q.institution;
  return indexList(search, { q: q.q, filters, sort: sortOf(undefined, q.q), page: q.page, limit: q.limit });
}

export const experts: RecordService<ExpertView, ExpertInput, ExpertQuery> = { list, cursor, browse, get, create, update, remove };

/** The expert profile an account speaks for, if any. */
export async function expertOf(actor: Actor | undefined): Promise<ExpertDoc | undefined> {
  if (actor?.profile?.kind !== 'expert') return undefined;
  return (await findLive<ExpertDoc>(Expert, actor.profile.id)) ?? undefined;
}

export async function expertOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Expert.find({ deletedAt: null }).sort({ name: 1, _id: 1 }).select('name institutionName').lean<ExpertDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: d.institutionName ? `${d.name}（${d.institutionName}）` : d.name }));
}
