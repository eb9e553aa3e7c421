// Research results: an institution publishes and manages its own; organizers manage all; anyone reads the
// published ones. The institution's contact shows to those the contacts policy allows.
import { findLive } from '../platform/db/live.ts';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, Permissions, RecordService, RecordView, GetOptions } from '../platform/http/crud.ts';
import type { Contact } from '../contacts/model.ts';
import { reveal } from '../contacts/policy.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Result, type ResultDoc } from './model.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import { indexList, sortOf } from '../search/lists.ts';
import type { ResultInput, ResultQuery } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { resultPolicy, visibleFilter } from './policy.ts';
import { eachOf } from '../platform/db/each.ts';

export interface ResultView extends RecordView {
  title: string;
  abstract: string;
  industry: string;
  keywords: string[];
  maturity: string;
  institution: { id: string; name: string };
  province?: string | null | undefined;
  city?: string | null | undefined;
  leadExpert?: { id: string; name: string } | undefined;
  transferModes: string[];
  askingPrice?: number | null | undefined;
  patents: { number: string; title?: string | null }[];
  status: 'published' | 'draft';
  createdAt: Date;
  updatedAt: Date;
  contact?: Contact | undefined;
}

export function resultView(doc: ResultDoc, contact?: Contact): ResultView {
  return {
    id: String(doc._id),
    label: doc.title,
    title: doc.title,
    abstract: doc.abstract,
    industry: doc.industry,
    keywords: doc.keywords ?? [],
    maturity: doc.maturity,
    institution: { id: doc.institution, name: doc.institutionName },
    province: doc.province,
    city: doc.city,
    leadExpert: doc.leadExpert ? { id: doc.leadExpert, name: doc.leadExpertName ?? '' } : undefined,
    transferModes: doc.transferModes ?? [],
    askingPrice: doc.askingPrice,
    patents: (doc.patents ?? []).map((p) => ({ number: p.number, title: p.title })),
    status: (doc.status ?? 'published') as 'published' | 'draft',
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    contact,
  };
}

export { ownsResult } from './policy.ts';

const permissions = (actor: Actor | undefined, doc: ResultDoc): Permissions => resultPolicy.permissions(actor, doc, ['edit', 'delete'] as const);

export async function loadResult(id: string): Promise<ResultDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('科技成果不存在。');
  const doc = await findLive<ResultDoc>(Result, id);
  if (!doc) throw new NotFound('科技成果不存在。');
  return doc;
}

export async function visibleResult(actor: Actor | undefined, id: string): Promise<ResultDoc> {
  const doc = await loadResult(id);
  resultPolicy.authorize(actor, 'view', doc);
  return doc;
}

function listFilter(actor: Actor | undefined, q: ResultQuery): Record<string, unknown> {
  const mine = q.mine && actor?.profile?.kind === 'institution';
  const and: Record<string, unknown>[] = [mine ? { deletedAt: null, institution: actor.profile!.id } : visibleFilter(actor, { mayEdit: isOrganizer(actor) })];
  if (q.industry) and.push({ industry: q.industry });
  if (q.maturity) and.push({ maturity: q.maturity });
  if (q.mode) and.push({ transferModes: q.mode });
  if (q.institution) and.push({ institution: q.institution });
  if (q.price !== undefined) and.push({ askingPrice: trusted({ $lte: Math.round(q.price * 10_000) }) });
  if (q.q) {
    const re = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
    and.push({ $or: [{ title: re }, { keywords: re }, { abstract: re }, { institutionName: re }] });
  }
  return { $and: and };
}

const listSort = (q: ResultQuery): Record<string, 1 | -1> => (q.sort === 'price' ? { askingPrice: 1, _id: 1 } : { createdAt: -1, _id: -1 });

async function list(actor: Actor | undefined, q: ResultQuery): Promise<ListResult<ResultView>> {
  const filter = listFilter(actor, q);
  const sort = listSort(q);
  const [docs, total] = await Promise.all([
    Result.find(filter)
      .sort(sort)
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<ResultDoc[]>(),
    Result.countDocuments(filter),
  ]);
  return { items: docs.map((d) => resultView(d)), total, page: q.page, limit: q.limit };
}

/**
 * Exports (crud.ts RecordService.cursor): every result of the list's filter (listFilter) in its order, from one
 * database cursor, each made the view `list` makes. Like `list`, a free-text `q` is a substring match in the
 * database: the page, read from the search index when there is one (browse), matches words and synonyms and sorts
 * by relevance, so with `q` an export may hold results the page does not show, in the list's order.
 */
async function* cursor(actor: Actor | undefined, q: ResultQuery): AsyncGenerator<ResultView> {
  yield* eachOf(Result.find(listFilter(actor, q)).sort(listSort(q)).lean<ResultDoc[]>().cursor({ batchSize: 1_000 }), (d: ResultDoc) => resultView(d));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const doc = await visibleResult(actor, id);
  const institution = await Institution.findById(doc.institution).lean<InstitutionDoc>();
  const contact = institution
    ? await reveal(actor, { kind: 'institution', id: doc.institution, label: institution.name, ownerId: institution.owner }, institution.contact, opts)
    : undefined;
  return { ...resultView(doc, contact), permissions: permissions(actor, doc) };
}

async function institutionFor(actor: Actor, requested: string | undefined): Promise<InstitutionDoc> {
  if (isOrganizer(actor)) {
    if (!requested) throw new Invalid({ institution: '请选择成果所属机构。' });
    const doc = await findLive<InstitutionDoc>(Institution, requested);
    if (!doc) throw new Invalid({ institution: '所选机构不存在。' });
    return doc;
  }
  if (actor.role !== 'institution') throw new Forbidden('只有高校院所账户可以发布科技成果。');
  if (actor.profile?.kind !== 'institution') throw new Conflict('请先登记机构信息，再发布科技成果。');
  if (requested && requested !== actor.profile.id) throw new Forbidden('只能以本机构的名义发布成果。');
  const doc = await findLive<InstitutionDoc>(Institution, actor.profile.id);
  if (!doc) throw new Conflict('请先登记机构信息，再发布科技成果。');
  return doc;
}

async function leadExpertFields(expertId: string | undefined): Promise<Record<string, unknown>> {
  if (!expertId) return {};
  const expert = await findLive<ExpertDoc>(Expert, expertId);
  if (!expert) throw new Invalid({ leadExpert: '所选专家不存在。' });
  return { leadExpert: String(expert._id), leadExpertName: expert.name };
}

async function create(actor: Actor, input: ResultInput): Promise<ResultView> {
  const institution = await institutionFor(actor, input.institution);
  const { draft, institution: _i, leadExpert, ...fields } = input;
  void _i;
  const doc = await Result.create({
    ...fields,
    ...(await leadExpertFields(leadExpert)),
    institution: String(institution._id),
    institutionName: institution.name,
    province: institution.province,
    city: institution.city,
    status: draft ? 'draft' : 'published',
    ...(draft ? {} : { publishedAt: clock.now() }),
    createdBy: actor.id,
  });
  return resultView(doc.toObject() as ResultDoc);
}

async function update(actor: Actor, id: string, input: Partial<ResultInput>): Promise<ResultView> {
  const doc = await visibleResult(actor, id); // someone else's draft: 404, as for reading
  resultPolicy.authorize(actor, 'edit', doc);
  const { draft, institution: requested, leadExpert, ...fields } = input;
  const set: Record<string, unknown> = { ...fields };
  const unset: Record<string, 1> = {};
  if (draft !== undefined) set.status = draft ? 'draft' : 'published';
  // A draft published for the first time: from now on it is new to saved searches (saved-searches/digest.ts).
  if (draft === false && doc.status === 'draft' && !doc.publishedAt) set.publishedAt = clock.now();
  if (leadExpert) Object.assign(set, await leadExpertFields(leadExpert));
  else if ('leadExpert' in input) Object.assign(unset, { leadExpert: 1, leadExpertName: 1 });
  if (requested && requested !== doc.institution) {
    resultPolicy.authorize(actor, 'reassign', doc);
    const institution = await findLive<InstitutionDoc>(Institution, requested);
    if (!institution) throw new Invalid({ institution: '所选机构不存在。' });
    Object.assign(set, { institution: requested, institutionName: institution.name, province: institution.province, city: institution.city });
  }
  await Result.updateOne({ _id: id }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  return resultView(await loadResult(id));
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await visibleResult(actor, id);
  resultPolicy.authorize(actor, 'delete', doc);
  await Result.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
}

async function browse(search: SearchIndex, actor: Actor | undefined, q: ResultQuery) {
  const filters: NonNullable<SearchQuery['filters']> = { kind: 'result' };
  if (q.mine && actor?.profile?.kind === 'institution') filters.institution = actor.profile.id;
  else if (!isOrganizer(actor)) filters.status = 'published';
  if (q.industry) filters.industry = q.industry;
  if (q.maturity) filters.maturity = q.maturity;
  if (q.mode) filters.mode = q.mode;
  if (q.institution && !filters.institution) filters.institution = q.institution;
  const ranges = q.price !== undefined ? { price: { lte: Math.round(q.price * 10_000) } } : undefined;
  return indexList(search, { q: q.q, filters, ranges, sort: sortOf(q.sort, q.q), page: q.page, limit: q.limit });
}

export const results: RecordService<ResultView, ResultInput, ResultQuery> = { list, cursor, browse, get, create, update, remove };

export async function expertOptions(institutionId?: string): Promise<{ value: string; label: string }[]> {
  const filter: Record<string, unknown> = { deletedAt: null };
  if (institutionId) filter.institution = institutionId;
  const docs = await Expert.find(filter).sort({ name: 1, _id: 1 }).limit(500).select('name title institutionName').lean<ExpertDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `${d.name}（${d.title}${d.institutionName ? '，' + d.institutionName : ''}）` }));
}
