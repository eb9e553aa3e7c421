// Talent introductions (人才引进): organizers, brokers and enterprises (for themselves) record them; an
// organizer's entry is verified at once, the others wait for an organizer. Personal data (name, degree,
// title) is seen by organizers and by whoever entered the record; everyone else sees only the counts on the
// progress board.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, RecordService, RecordView, VerifiablePermissions } from '../platform/http/crud.ts';
import { calendarDate, yearOf } from '../platform/time.ts';
import { nameWithRole } from '../vocabulary/index.ts';
import * as audit from '../audit/service.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Campaign } from '../campaigns/model.ts';
import { Talent, type TalentDoc } from './model.ts';
import type { TalentInput, TalentQuery } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { findPage } from '../platform/db/page.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { talentPolicy, visibleFilter } from './policy.ts';
import { eachOf } from '../platform/db/each.ts';

export interface TalentView extends RecordView {
  name: string;
  degree: string;
  title?: string | null | undefined;
  category: string;
  mode: string;
  employer: { id: string; name: string };
  town?: string | null | undefined;
  industry: string;
  date: Date;
  year: number;
  source: { campaign?: string | undefined; note?: string | undefined };
  verified: boolean;
  verifiedAt?: Date | null | undefined;
  verifiedByName?: string | null | undefined;
  createdByName?: string | null | undefined;
  createdAt: Date;
}

export function talentView(doc: TalentDoc): TalentView {
  return {
    id: String(doc._id),
    label: `${doc.name}（${doc.employerName}）`,
    name: doc.name,
    degree: doc.degree,
    title: doc.title,
    category: doc.category,
    mode: doc.mode,
    employer: { id: doc.employer, name: doc.employerName },
    town: doc.town,
    industry: doc.industry,
    date: calendarDate(doc.date)!,
    year: doc.year,
    source: { campaign: doc.source?.campaign ?? undefined, note: doc.source?.note ?? undefined },
    verified: doc.verified,
    verifiedAt: doc.verifiedAt,
    verifiedByName: doc.verifiedByName,
    createdByName: doc.createdByName,
    createdAt: doc.createdAt,
  };
}

const permissionsOf = (actor: Actor | undefined, doc: TalentDoc): VerifiablePermissions => talentPolicy.permissions(actor, doc, ['edit', 'delete', 'verify'] as const);

export async function loadTalent(id: string): Promise<TalentDoc> {
  const doc = await findLive<TalentDoc>(Talent, id);
  if (!doc) throw new NotFound('人才引进记录不存在。');
  return doc;
}

export function listFilter(actor: Actor | undefined, q: TalentQuery): Record<string, unknown> | null {
  const scope = visibleFilter(actor);
  if (!scope) return null;
  const and: Record<string, unknown>[] = [scope];
  if (q.category) and.push({ category: q.category });
  if (q.mode) and.push({ mode: q.mode });
  if (q.industry) and.push({ industry: q.industry });
  if (q.town) and.push({ town: q.town });
  if (q.year) and.push({ year: q.year });
  if (q.state) and.push({ verified: q.state === 'verified' });
  if (q.q) {
    const re = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
    and.push({ $or: [{ name: re }, { employerName: re }, { title: re }] });
  }
  return { $and: and };
}

const talentPages = new SharedCache<{ docs: TalentDoc[]; total: number }>('ledger', 1_000);

async function list(actor: Actor | undefined, q: TalentQuery): Promise<ListResult<TalentView>> {
  const filter = listFilter(actor, q);
  if (!filter) return { items: [], total: 0, page: q.page, limit: q.limit };
  // Any filter here reads the whole collection on FerretDB: a page is kept until a talent or contract is written
  // anywhere (model.ts announces 'ledger'; platform/db/shared-cache.ts).
  const found = await talentPages.get(`${JSON.stringify(filter)}|${q.page}|${q.limit}`, () => findPage<TalentDoc>(Talent, filter, { date: -1 }, q));
  const { docs, total } = found!;
  return { items: docs.map(talentView), total, page: q.page, limit: q.limit };
}

/**
 * Exports (crud.ts RecordService.cursor): every record of the list's filter (listFilter: nothing for those who may
 * see none) in its order (findPage's, `_id` last), from one database cursor, each made the view `list` makes; the
 * list's page cache is not used (an export reads every record once).
 */
async function* cursor(actor: Actor | undefined, q: TalentQuery): AsyncGenerator<TalentView> {
  const filter = listFilter(actor, q);
  if (!filter) return;
  yield* eachOf(Talent.find(filter).sort({ date: -1, _id: -1 }).lean<TalentDoc[]>().cursor({ batchSize: 1_000 }), (d: TalentDoc) => talentView(d));
}

/** The record if the actor may see it; to anyone else it does not exist, for reading and for writing alike. */
async function visible(actor: Actor | undefined, id: string): Promise<TalentDoc> {
  const doc = await loadTalent(id);
  talentPolicy.authorize(actor, 'view', doc);
  return doc;
}

async function get(actor: Actor | undefined, id: string) {
  const doc = await visible(actor, id);
  return { ...talentView(doc), permissions: permissionsOf(actor, doc) };
}

function mayRecord(actor: Actor, employer: string): void {
  if (isOrganizer(actor) || (actor.role === 'broker' && actor.status === 'active')) return;
  if (actor.role === 'enterprise' && actor.status === 'active') {
    if (actor.profile?.kind !== 'enterprise') throw new Conflict('请先登记企业信息，再登记人才引进。');
    if (employer !== actor.profile.id) throw new Forbidden('企业账户只能登记本企业引进的人才。');
    return;
  }
  throw new Forbidden('只有区科技局、技术经纪人和用人企业可以登记人才引进。');
}

async function employerFields(id: string): Promise<Record<string, unknown>> {
  const employer = await findLive<EnterpriseDoc>(Enterprise, id);
  if (!employer) throw new Invalid({ employer: '所选用人企业不存在。' });
  return { employer: id, employerName: employer.name, town: employer.town };
}

async function checkCampaign(source: TalentInput['source']): Promise<void> {
  if (source?.campaign && !(await findLive(Campaign, source.campaign))) throw new Invalid({ 'source.campaign': '所选活动不存在。' });
}

async function create(actor: Actor, input: TalentInput): Promise<TalentView> {
  mayRecord(actor, input.employer);
  await checkCampaign(input.source);
  const organizer = isOrganizer(actor);
  const now = clock.now();
  const doc = await Talent.create({
    ...input,
    ...(await employerFields(input.employer)),
    year: yearOf(input.date),
    source: input.source ?? {},
    verified: organizer,
    ...(organizer ? { verifiedAt: now, verifiedBy: actor.id, verifiedByName: nameWithRole(actor) } : {}),
    createdBy: actor.id,
    createdByName: nameWithRole(actor),
  });
  const view = talentView(doc.toObject() as TalentDoc);
  await audit.record({ actor, action: 'talent.create', target: { kind: 'talent', id: view.id, label: view.label } });
  if (!organizer) await notifyUsers(await organizers(), { kind: 'talent.pending', title: `待核实的人才引进：${view.employer.name}`, link: `/talents/${view.id}` });
  return view;
}

async function update(actor: Actor, id: string, input: Partial<TalentInput>): Promise<TalentView> {
  const doc = await visible(actor, id);
  talentPolicy.authorize(actor, 'edit', doc);
  const set: Record<string, unknown> = {};
  const unset: Record<string, 1> = {};
  for (const key of ['name', 'degree', 'category', 'mode', 'industry'] as const) if (input[key] !== undefined) set[key] = input[key];
  if ('title' in input) {
    if (input.title === undefined) unset.title = 1;
    else set.title = input.title;
  }
  if (input.employer && input.employer !== doc.employer) {
    mayRecord(actor, input.employer);
    Object.assign(set, await employerFields(input.employer));
  }
  if (input.date) Object.assign(set, { date: input.date, year: yearOf(input.date) });
  if ('source' in input) {
    await checkCampaign(input.source);
    set.source = input.source ?? {};
  }
  if (!isOrganizer(actor)) set.verified = false;
  await Talent.updateOne({ _id: id }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  await audit.record({ actor, action: 'talent.update', target: { kind: 'talent', id, label: doc.name }, detail: Object.keys({ ...set, ...unset }).join(', ') });
  return talentView(await loadTalent(id));
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await visible(actor, id);
  talentPolicy.authorize(actor, 'delete', doc);
  await Talent.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  await audit.record({ actor, action: 'talent.delete', target: { kind: 'talent', id, label: doc.name } });
}

export const talents: RecordService<TalentView, TalentInput, TalentQuery> = { list, cursor, get, create, update, remove };

export async function verify(actor: Actor, id: string): Promise<TalentView> {
  const doc = await loadTalent(id); // the route is organizers' only (routes.ts); the rule is checked again here
  talentPolicy.authorize(actor, 'verify', doc);
  const res = await Talent.updateOne({ _id: id, verified: false }, { $set: { verified: true, verifiedAt: clock.now(), verifiedBy: actor.id, verifiedByName: nameWithRole(actor) } });
  if (res.modifiedCount !== 1) throw new Conflict('该记录刚刚被其他人核实。');
  await audit.record({ actor, action: 'talent.verify', target: { kind: 'talent', id, label: doc.name } });
  await notifyUsers(doc.createdBy ? [doc.createdBy] : [], { kind: 'talent.verified', title: `人才引进记录（${doc.employerName}）已核实`, link: `/talents/${id}` });
  return talentView(await loadTalent(id));
}
