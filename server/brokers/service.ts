// Broker use cases. A broker account (once an organizer has approved it) keeps its own profile, linked as
// its profile; organizers manage all. A broker with needs still in hand cannot be deleted.
import { findLive } from '../platform/db/live.ts';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Forbidden, NotFound } from '../platform/errors.ts';
import { brokerPolicy, visibleFilter } from './policy.ts';
import type { ListResult, Permissions, RecordService, RecordView, GetOptions } from '../platform/http/crud.ts';
import { reveal } from '../contacts/policy.ts';
import type { Contact } from '../contacts/model.ts';
import { linkProfile } from '../accounts/service.ts';
import { Demand } from '../demands/model.ts';
import { Broker, DEFAULT_CLAIM_LIMIT, type BrokerDoc } from './model.ts';
import * as audit from '../audit/service.ts';
import type { SearchIndex, SearchQuery } from '../platform/search/port.ts';
import { indexList, sortOf } from '../search/lists.ts';
import type { BrokerInput, BrokerQuery } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { findPage } from '../platform/db/page.ts';
import { eachOf } from '../platform/db/each.ts';

export interface BrokerView extends RecordView {
  name: string;
  level: string;
  organization: string;
  specialties: string[];
  bio?: string | null | undefined;
  ownerId?: string | null | undefined;
  contact?: Contact | undefined;
  createdAt: Date;
}

export function brokerView(doc: BrokerDoc, contact?: Contact): BrokerView {
  return {
    id: String(doc._id),
    label: doc.name,
    name: doc.name,
    level: doc.level,
    organization: doc.organization,
    specialties: [...(doc.specialties ?? [])],
    bio: doc.bio,
    ownerId: doc.owner,
    contact,
    createdAt: doc.createdAt,
  };
}

export const brokerSubject = (doc: BrokerDoc) => ({ kind: 'broker' as const, id: String(doc._id), label: doc.name, ownerId: doc.owner });

export { isBrokerOwner } from './policy.ts';

const permissions = (actor: Actor | undefined, doc: BrokerDoc): Permissions => brokerPolicy.permissions(actor, doc, ['edit', 'delete'] as const);

export async function loadBroker(id: string): Promise<BrokerDoc> {
  if (!mongoose.isValidObjectId(id)) throw new NotFound('技术经纪人不存在。');
  const doc = await findLive<BrokerDoc>(Broker, id);
  if (!doc) throw new NotFound('技术经纪人不存在。');
  return doc;
}

/** Needs assigned to the broker that are still being worked (neither contracted nor closed). */
export async function hasOpenDemands(brokerId: string): Promise<boolean> {
  return !!(await Demand.exists({ broker: brokerId, deletedAt: null, status: trusted({ $nin: ['closed', 'contracted'] as const }) }));
}

function listFilter(actor: Actor | undefined, q: BrokerQuery): Record<string, unknown> {
  const filter: Record<string, unknown> = visibleFilter(actor);
  if (q.level) filter.level = q.level;
  if (q.specialty) filter.specialties = q.specialty;
  if (q.q) filter.name = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
  return filter;
}

async function list(_actor: Actor | undefined, q: BrokerQuery): Promise<ListResult<BrokerView>> {
  const { docs, total } = await findPage<BrokerDoc>(Broker, listFilter(_actor, q), { createdAt: -1 }, q, '-contact');
  return { items: docs.map((d) => brokerView(d)), total, page: q.page, limit: q.limit };
}

/**
 * Exports (crud.ts RecordService.cursor): every broker of the list's filter in its order (findPage's, `_id` last),
 * from one database cursor, each made the view `list` makes. Like `list`, a free-text `q` is a substring match of
 * the name in the database, where the page (the search index, when there is one) matches words and sorts by relevance.
 */
async function* cursor(actor: Actor | undefined, q: BrokerQuery): AsyncGenerator<BrokerView> {
  yield* eachOf(Broker.find(listFilter(actor, q)).select('-contact').sort({ createdAt: -1, _id: -1 }).lean<BrokerDoc[]>().cursor({ batchSize: 1_000 }), (d: BrokerDoc) => brokerView(d));
}

async function get(actor: Actor | undefined, id: string, opts: GetOptions = {}) {
  const doc = await loadBroker(id);
  const contact = await reveal(actor, brokerSubject(doc), doc.contact, opts);
  return { ...brokerView(doc, contact), permissions: permissions(actor, doc) };
}

async function create(actor: Actor, input: BrokerInput): Promise<BrokerView> {
  const organizer = isOrganizer(actor);
  if (!organizer) {
    if (actor.role !== 'broker' || actor.status !== 'active') throw new Forbidden('只有审核通过的技术经纪人账户可以登记经纪人信息。');
    if (actor.profile) throw new Conflict('您的账户已关联技术经纪人信息，请编辑已有的信息。');
  }
  const doc = await Broker.create({ ...input, owner: organizer ? undefined : actor.id, createdBy: actor.id });
  if (!organizer) {
    await linkProfile(actor.id, { kind: 'broker', id: String(doc._id) });
    actor.profile = { kind: 'broker', id: String(doc._id) };
  }
  return brokerView(doc.toObject() as BrokerDoc);
}

async function update(actor: Actor, id: string, input: Partial<BrokerInput>): Promise<BrokerView> {
  const doc = await loadBroker(id);
  brokerPolicy.authorize(actor, 'edit', doc);
  await Broker.updateOne({ _id: id }, { $set: input });
  const updated = await loadBroker(id);
  // Needs carry their broker's name (so lists and search need no join); keep it current.
  if (updated.name !== doc.name) await Demand.updateMany({ broker: id }, { $set: { brokerName: updated.name } });
  return brokerView(updated);
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await loadBroker(id);
  brokerPolicy.authorize(actor, 'delete', doc);
  if (await hasOpenDemands(id)) throw new Conflict('该技术经纪人还有正在对接的技术需求，请先将这些需求改派给其他经纪人或关闭后再删除。');
  await Broker.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
}

async function browse(search: SearchIndex, _actor: Actor | undefined, q: BrokerQuery) {
  const filters: NonNullable<SearchQuery['filters']> = { kind: 'broker' };
  if (q.level) filters.level = q.level;
  if (q.specialty) filters.industry = q.specialty;
  return indexList(search, { q: q.q, filters, sort: sortOf(undefined, q.q), page: q.page, limit: q.limit });
}

export const brokers: RecordService<BrokerView, BrokerInput, BrokerQuery> = { list, cursor, browse, get, create, update, remove };

/** Needs the broker claimed that nobody has confirmed yet (organizers' assignments are confirmed at once). */
export function unconfirmedClaims(brokerId: string): Promise<number> {
  return Demand.countDocuments({ broker: brokerId, brokerConfirmedAt: null, deletedAt: null });
}

/** The broker's unconfirmed claims and their limit, for the broker and organizers; undefined for others. */
export async function claimState(actor: Actor | undefined, doc: BrokerDoc): Promise<{ unconfirmed: number; limit: number; canSetLimit: boolean } | undefined> {
  if (!brokerPolicy.can(actor, 'seeClaims', doc)) return undefined;
  return { unconfirmed: await unconfirmedClaims(String(doc._id)), limit: doc.claimLimit ?? DEFAULT_CLAIM_LIMIT, canSetLimit: brokerPolicy.can(actor, 'setClaimLimit', doc) };
}

/** Organizers set how many unconfirmed claims the broker may hold at once (server/matching/service.ts claim). */
export async function setClaimLimit(actor: Actor, id: string, limit: number): Promise<{ id: string; claimLimit: number; unconfirmed: number }> {
  const doc = await loadBroker(id); // the route is organizers' only (routes.ts); the rule is checked again here
  brokerPolicy.authorize(actor, 'setClaimLimit', doc);
  await Broker.updateOne({ _id: id }, { $set: { claimLimit: limit } });
  await audit.record({ actor, action: 'broker.claim-limit', target: { kind: 'broker', id, label: doc.name }, detail: `${doc.claimLimit ?? DEFAULT_CLAIM_LIMIT} → ${limit}` });
  return { id, claimLimit: limit, unconfirmed: await unconfirmedClaims(id) };
}

/** The broker profile an account speaks for, if any. */
export async function brokerOf(actor: Actor | undefined): Promise<BrokerDoc | undefined> {
  if (actor?.profile?.kind !== 'broker') return undefined;
  return (await findLive<BrokerDoc>(Broker, actor.profile.id)) ?? undefined;
}

export async function brokerOptions(): Promise<{ value: string; label: string }[]> {
  const docs = await Broker.find({ deletedAt: null }).sort({ name: 1, _id: 1 }).select('name organization').lean<BrokerDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `${d.name}（${d.organization}）` }));
}
