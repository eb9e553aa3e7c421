// Campaign use cases: organizers create and edit campaigns, take universities on (联百校转千果) and tag results
// and needs into a campaign; everyone reads them with their progress, computed from the records.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer, assertOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Invalid, NotFound } from '../platform/errors.ts';
import type { GetOptions, ListResult, Permissions, RecordService, RecordView } from '../platform/http/crud.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { GOAL_KEYS, Campaign, Roadshow, Visit, type CampaignDoc, type GoalKey } from './model.ts';
import type { CampaignInput, CampaignQuery } from './schema.ts';
import { progressOf, type Progress } from './progress.ts';
import { clock } from '../platform/clock.ts';
import { findPage } from '../platform/db/page.ts';
import { calendarDate } from '../platform/time.ts';

export interface CampaignView extends RecordView {
  kind: string;
  name: string;
  startsOn: Date;
  endsOn: Date;
  description?: string | null | undefined;
  goals: Partial<Record<GoalKey, number>>;
  institutions: { id: string; name: string; contactedOn?: Date | null | undefined }[];
  createdAt: Date;
  progress?: Progress | undefined;
}

export function campaignView(doc: CampaignDoc): CampaignView {
  const stored = (doc.goals ?? {}) as Partial<Record<GoalKey, number | null>>;
  const goals: Partial<Record<GoalKey, number>> = {};
  for (const k of GOAL_KEYS) if (typeof stored[k] === 'number') goals[k] = stored[k];
  return {
    id: String(doc._id),
    label: doc.name,
    kind: doc.kind,
    name: doc.name,
    startsOn: calendarDate(doc.startsOn)!,
    endsOn: calendarDate(doc.endsOn)!,
    description: doc.description,
    goals,
    institutions: (doc.institutions ?? []).map((p) => ({ id: p.institution, name: p.name, contactedOn: calendarDate(p.contactedOn) })),
    createdAt: doc.createdAt,
  };
}

const permissions = (actor: Actor | undefined): Permissions => ({ edit: isOrganizer(actor), delete: isOrganizer(actor) });


export async function loadCampaign(id: string): Promise<CampaignDoc> {
  const doc = await findLive<CampaignDoc>(Campaign, id);
  if (!doc) throw new NotFound('活动不存在。');
  return doc;
}

/** The day after a campaign's last day: its period as a half-open span of instants. */
export const periodEnd = (doc: { endsOn: Date }) => new Date(doc.endsOn.getTime() + 86_400_000);

async function list(_actor: Actor | undefined, q: CampaignQuery): Promise<ListResult<CampaignView>> {
  const filter: Record<string, unknown> = { deletedAt: null };
  if (q.kind) filter.kind = q.kind;
  if (q.q) filter.name = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
  const { docs, total } = await findPage<CampaignDoc>(Campaign, filter, { startsOn: -1 }, q);
  return { items: docs.map(campaignView), total, page: q.page, limit: q.limit };
}

async function get(actor: Actor | undefined, id: string, _opts: GetOptions = {}) {
  const doc = await loadCampaign(id);
  return { ...campaignView(doc), progress: await progressOf(doc), permissions: permissions(actor) };
}

/** Participants with their institutions' names, refusing unknown ones field by field. */
async function participants(items: CampaignInput['institutions']): Promise<{ institution: string; name: string; contactedOn?: Date | undefined }[]> {
  if (!items?.length) return [];
  const ids = [...new Set(items.map((p) => p.institution))];
  const docs = await Institution.find({ _id: trusted({ $in: ids }) }).lean<InstitutionDoc[]>();
  const names = new Map(docs.filter((d) => !d.deletedAt).map((d) => [String(d._id), d.name]));
  const errors: Record<string, string> = {};
  items.forEach((p, i) => {
    if (!names.has(p.institution)) errors[`institutions.${i}.institution`] = '所选高校院所不存在。';
  });
  if (Object.keys(errors).length) throw new Invalid(errors);
  const seen = new Set<string>();
  return items
    .filter((p) => !seen.has(p.institution) && seen.add(p.institution))
    .map((p) => ({ institution: p.institution, name: names.get(p.institution)!, contactedOn: p.contactedOn }));
}

async function create(actor: Actor, input: CampaignInput): Promise<CampaignView> {
  assertOrganizer(actor, '创建活动');
  const doc = await Campaign.create({ ...input, goals: input.goals ?? {}, institutions: await participants(input.institutions), createdBy: actor.id });
  return campaignView(doc.toObject() as CampaignDoc);
}

async function update(actor: Actor, id: string, input: Partial<CampaignInput>): Promise<CampaignView> {
  assertOrganizer(actor, '编辑活动');
  const doc = await loadCampaign(id);
  const startsOn = input.startsOn ?? doc.startsOn;
  const endsOn = input.endsOn ?? doc.endsOn;
  if (endsOn < startsOn) throw new Invalid({ endsOn: '结束日期不能早于开始日期。' });
  const { institutions, ...fields } = input;
  const set: Record<string, unknown> = { ...fields };
  if (institutions !== undefined) set.institutions = await participants(institutions);
  await Campaign.updateOne({ _id: id }, { $set: set });
  if (input.name && input.name !== doc.name) {
    // The name is copied onto roadshows and visits for their pages.
    await Roadshow.updateMany({ campaign: id }, { $set: { campaignName: input.name } });
    await Visit.updateMany({ campaign: id }, { $set: { campaignName: input.name } });
  }
  return campaignView(await loadCampaign(id));
}

async function remove(actor: Actor, id: string): Promise<void> {
  assertOrganizer(actor, '删除活动');
  await loadCampaign(id);
  const [roadshows, visits] = await Promise.all([Roadshow.countDocuments({ campaign: id, deletedAt: null }), Visit.countDocuments({ campaign: id, deletedAt: null })]);
  if (roadshows || visits) throw new Conflict(`该活动下还有 ${roadshows} 场路演、${visits} 个走访行程，请先删除它们。`);
  await Campaign.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
}

export const campaigns: RecordService<CampaignView, CampaignInput, CampaignQuery> = { list, get, create, update, remove };

// ---- participating universities ---------------------------------------------------------------------------------

/** Adds (or re-dates) one participating institution. */
export async function addParticipant(actor: Actor, id: string, input: { institution: string; contactedOn?: Date | undefined }): Promise<CampaignView> {
  assertOrganizer(actor, '管理参与高校');
  const [participant] = await participants([input]).catch((err: unknown) => {
    if (err instanceof Invalid) throw new Invalid({ institution: '所选高校院所不存在。' });
    throw err;
  });
  return changeParticipants(id, (list) => [...list.filter((p) => p.institution !== input.institution), participant!]);
}

export async function removeParticipant(actor: Actor, id: string, institution: string): Promise<CampaignView> {
  assertOrganizer(actor, '管理参与高校');
  return changeParticipants(id, (list) => list.filter((p) => p.institution !== institution));
}

type Participant = { institution: string; name: string; contactedOn?: Date | null | undefined };

/** Load, change, save: compare-and-set on updatedAt, so two organizers' changes never overwrite each other. */
async function changeParticipants(id: string, change: (list: Participant[]) => Participant[]): Promise<CampaignView> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await loadCampaign(id);
    const next = change((doc.institutions ?? []).map((p) => ({ institution: p.institution, name: p.name, contactedOn: p.contactedOn })));
    const res = await Campaign.updateOne({ _id: id, updatedAt: doc.updatedAt }, { $set: { institutions: next } });
    if (res.modifiedCount === 1) return campaignView(await loadCampaign(id));
  }
  throw new Conflict('活动刚刚被其他人修改，请刷新后重试。');
}

// ---- tagging results and needs -------------------------------------------------------------------------------------

const taggable = { result: Result, demand: Demand } as const;
const nouns = { result: '科技成果', demand: '技术需求' } as const;

/** Puts results or needs into the campaign ($addToSet: tagging twice changes nothing). */
export async function tag(actor: Actor, id: string, kind: 'result' | 'demand', ids: string[]): Promise<number> {
  assertOrganizer(actor, '把成果和需求纳入活动');
  await loadCampaign(id);
  const model = taggable[kind] as typeof Result;
  const docs = await model.find({ _id: trusted({ $in: ids }) }).lean<(ResultDoc | DemandDoc)[]>();
  const live = new Set(docs.filter((d) => !d.deletedAt).map((d) => String(d._id)));
  const missing = ids.findIndex((i) => !live.has(i));
  if (missing >= 0) throw new Invalid({ ids: `第 ${missing + 1} 项${nouns[kind]}不存在。` });
  for (const recordId of new Set(ids)) await model.updateOne({ _id: recordId }, { $addToSet: { campaigns: { $each: [id] } } });
  return live.size;
}

/** Several results and needs at once (the campaign page's picker, the API's `items`): every unknown one is a
 *  field error naming its place in the list, and nothing is tagged unless all are found. */
export async function tagItems(actor: Actor, id: string, items: { kind: 'result' | 'demand'; id: string }[]): Promise<{ results: number; demands: number }> {
  assertOrganizer(actor, '把成果和需求纳入活动');
  await loadCampaign(id);
  const ids = (kind: 'result' | 'demand') => [...new Set(items.filter((i) => i.kind === kind).map((i) => i.id))];
  const live = async (kind: 'result' | 'demand') => {
    const list = ids(kind);
    if (!list.length) return new Set<string>();
    const docs = await (taggable[kind] as typeof Result).find({ _id: trusted({ $in: list }) }).lean<(ResultDoc | DemandDoc)[]>();
    return new Set(docs.filter((d) => !d.deletedAt && d.status !== 'draft').map((d) => String(d._id)));
  };
  const found = { result: await live('result'), demand: await live('demand') };
  const errors: Record<string, string> = {};
  items.forEach((item, i) => {
    if (!found[item.kind].has(item.id)) errors[`items.${i}`] = `第 ${i + 1} 项${nouns[item.kind]}不存在或未发布。`;
  });
  if (Object.keys(errors).length) throw new Invalid(errors);
  for (const kind of ['result', 'demand'] as const) {
    for (const recordId of ids(kind)) await (taggable[kind] as typeof Result).updateOne({ _id: recordId }, { $addToSet: { campaigns: { $each: [id] } } });
  }
  return { results: ids('result').length, demands: ids('demand').length };
}

/** Takes results or needs out of the campaign (the filtered array is assigned: no conditional $pull). */
export async function untag(actor: Actor, id: string, kind: 'result' | 'demand', ids: string[]): Promise<void> {
  assertOrganizer(actor, '调整活动中的成果和需求');
  const model = taggable[kind] as typeof Result;
  for (const recordId of new Set(ids)) {
    if (!mongoose.isValidObjectId(recordId)) continue;
    const doc = await model.findById(recordId).lean<ResultDoc>();
    if (doc?.campaigns?.includes(id)) await model.updateOne({ _id: recordId }, { $set: { campaigns: doc.campaigns.filter((c) => c !== id) } });
  }
}

export interface TaggedItem {
  id: string;
  title: string;
  owner: string;
}

/** The campaign's results and needs, for its page. */
export async function tagged(id: string): Promise<{ results: TaggedItem[]; demands: TaggedItem[] }> {
  const [results, demands] = await Promise.all([
    Result.find({ campaigns: id, deletedAt: null }).sort({ createdAt: -1, _id: -1 }).limit(500).lean<ResultDoc[]>(),
    Demand.find({ campaigns: id, deletedAt: null }).sort({ createdAt: -1, _id: -1 }).limit(500).lean<DemandDoc[]>(),
  ]);
  return {
    results: results.map((r) => ({ id: String(r._id), title: r.title, owner: r.institutionName })),
    demands: demands.filter((d) => d.status !== 'draft').map((d) => ({ id: String(d._id), title: d.title, owner: d.enterpriseName })),
  };
}

/** Campaigns for select boxes, newest first; `kind` narrows them. */
export async function campaignOptions(kind?: string): Promise<{ value: string; label: string }[]> {
  const filter: Record<string, unknown> = { deletedAt: null };
  if (kind) filter.kind = kind;
  const docs = await Campaign.find(filter).sort({ startsOn: -1, _id: -1 }).lean<CampaignDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: d.name }));
}
