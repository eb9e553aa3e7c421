// Technology contracts: brokers and organizers record them; an organizer's entry is verified at once, a
// broker's waits for an organizer. Contracts are seen by their parties (buyer, seller, broker, recorder) and
// organizers; the public sees only the ledger's totals. A contract from a match moves the match and its need
// to "contracted".
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { findLive } from '../platform/db/live.ts';
import { escapeRegex } from '../platform/db/regex.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, RecordService, RecordView, VerifiablePermissions } from '../platform/http/crud.ts';
import { fieldErrors } from '../platform/http/validate.ts';
import * as audit from '../audit/service.ts';
import { notifyUsers, organizers } from '../notifications/service.ts';
import { Broker, type BrokerDoc } from '../brokers/model.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { institutionOptions } from '../organizations/institution-service.ts';
import { expertOptions } from '../results/service.ts';
import { brokerOptions } from '../demands/service.ts';
import { contractMatch, matchForContract } from '../matching/service.ts';
import { contractPolicy, visibleFilter } from './policy.ts';
import type { MatchDoc } from '../matching/model.ts';
import { Campaign, Roadshow } from '../campaigns/model.ts';
import { calendarDate, yearOf } from '../platform/time.ts';
import { nameWithRole } from '../vocabulary/index.ts';
import { Contract, type BuyerKind, type ContractDoc, type Direction, type SellerKind } from './model.ts';
import { resolveParties } from './parties.ts';
import { checkContract, type ContractInput, type ContractQuery, type VerifyInput } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { eachOf } from '../platform/db/each.ts';

export interface ContractView extends RecordView {
  title: string;
  type: string;
  /** an enterprise on the platform (with its id), or a party outside it (kind "outside", by name) */
  buyer: { kind: BuyerKind; id?: string | undefined; name: string; creditCode?: string | undefined };
  town?: string | null | undefined;
  industry?: string | null | undefined;
  seller: { kind: SellerKind; id?: string | undefined; name: string; creditCode?: string | undefined };
  /** 技术吸纳 (absorb), 技术输出 (export) or both, for the district */
  direction?: Direction | undefined;
  broker?: { id: string; name: string } | undefined;
  amount: number;
  techIncome?: number | null | undefined;
  signedAt: Date;
  signedYear: number;
  registration?: { number: string; date: Date } | undefined;
  registeredYear?: number | null | undefined;
  source: { match?: string | undefined; demand?: { id: string; title: string } | undefined; roadshow?: string | undefined; campaign?: string | undefined };
  note?: string | null | undefined;
  verified: boolean;
  verifiedAt?: Date | null | undefined;
  verifiedByName?: string | null | undefined;
  createdByName?: string | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

export function contractView(doc: ContractDoc): ContractView {
  const reg = doc.registration;
  return {
    id: String(doc._id),
    label: doc.title,
    title: doc.title,
    type: doc.type,
    buyer: { kind: (doc.buyerKind ?? 'enterprise') as BuyerKind, id: doc.buyer ?? undefined, name: doc.buyerName, creditCode: doc.buyerCreditCode ?? undefined },
    town: doc.town,
    industry: doc.industry,
    seller: { kind: doc.seller.kind as SellerKind, id: doc.seller.id ?? undefined, name: doc.seller.name, creditCode: doc.seller.creditCode ?? undefined },
    direction: (doc.direction ?? undefined) as Direction | undefined,
    broker: doc.broker ? { id: doc.broker, name: doc.brokerName ?? '' } : undefined,
    amount: doc.amount,
    techIncome: doc.techIncome,
    signedAt: calendarDate(doc.signedAt)!,
    signedYear: doc.signedYear,
    registration: reg?.number && reg.date ? { number: reg.number, date: calendarDate(reg.date)! } : undefined,
    registeredYear: doc.registeredYear,
    source: {
      match: doc.source?.match ?? undefined,
      demand: doc.source?.demand ? { id: doc.source.demand, title: doc.source.demandTitle ?? '' } : undefined,
      roadshow: doc.source?.roadshow ?? undefined,
      campaign: doc.source?.campaign ?? undefined,
    },
    note: doc.note,
    verified: doc.verified,
    verifiedAt: doc.verifiedAt,
    verifiedByName: doc.verifiedByName,
    createdByName: doc.createdByName,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

// A broker corrects their own entry until it is verified; after that only organizers change it (policy.ts).
const permissionsOf = (actor: Actor | undefined, doc: ContractDoc): VerifiablePermissions => contractPolicy.permissions(actor, doc, ['edit', 'delete', 'verify'] as const);

export async function loadContract(id: string): Promise<ContractDoc> {
  const doc = await findLive<ContractDoc>(Contract, id);
  if (!doc) throw new NotFound('技术合同不存在。');
  return doc;
}

async function visible(actor: Actor | undefined, id: string): Promise<ContractDoc> {
  const doc = await loadContract(id);
  // Contracts are business records: to anyone else they do not exist.
  contractPolicy.authorize(actor, 'view', doc);
  return doc;
}

export function listFilter(actor: Actor | undefined, q: ContractQuery): Record<string, unknown> | null {
  const scope = visibleFilter(actor);
  if (!scope) return null;
  const and: Record<string, unknown>[] = [scope];
  if (q.type) and.push({ type: q.type });
  if (q.industry) and.push({ industry: q.industry });
  if (q.town) and.push({ town: q.town });
  if (q.year) and.push(q.by === 'signed' ? { signedYear: q.year } : { registeredYear: q.year });
  if (q.state === 'verified') and.push({ verified: true });
  if (q.state === 'pending') and.push({ verified: false });
  if (q.state === 'unregistered') and.push({ registeredYear: null });
  if (q.campaign) and.push({ 'source.campaign': q.campaign });
  if (q.roadshow) and.push({ 'source.roadshow': q.roadshow });
  if (q.q) {
    const re = trusted({ $regex: escapeRegex(q.q), $options: 'i' });
    and.push({ $or: [{ title: re }, { buyerName: re }, { 'seller.name': re }, { brokerName: re }, { 'registration.number': re }] });
  }
  return { $and: and };
}

const SORTS: Record<string, Record<string, 1 | -1>> = {
  signed: { signedAt: -1, _id: -1 },
  amount: { amount: -1, _id: -1 },
};

const contractPages = new SharedCache<{ docs: ContractDoc[]; total: number; sum: number }>('ledger', 1_000);

async function list(actor: Actor | undefined, q: ContractQuery): Promise<ListResult<ContractView> & { sum: number }> {
  const filter = listFilter(actor, q);
  if (!filter) return { items: [], total: 0, page: q.page, limit: q.limit, sum: 0 };
  // Lists are small (hundreds a year); the sum of the whole filtered list is shown under it. Any filter reads the
  // whole collection on FerretDB: a page is kept until a contract or talent is written anywhere (model.ts
  // announces 'ledger'; platform/db/shared-cache.ts).
  const key = `${JSON.stringify(filter)}|${q.sort ?? 'signed'}|${q.page}|${q.limit}`;
  const found = await contractPages.get(key, async () => {
    const all = await Contract.find(filter).select('amount').lean<{ amount: number }[]>();
    const docs = await Contract.find(filter)
      .sort(SORTS[q.sort ?? 'signed']!)
      .skip((q.page - 1) * q.limit)
      .limit(q.limit)
      .lean<ContractDoc[]>();
    return { docs, total: all.length, sum: all.reduce((s, d) => s + d.amount, 0) };
  });
  const { docs, total, sum } = found!;
  return { items: docs.map(contractView), total, page: q.page, limit: q.limit, sum };
}

/**
 * Exports (crud.ts RecordService.cursor): every contract of the list's filter (listFilter: nothing for those who
 * may see none) in its order, from one database cursor, each made the view `list` makes; the list's page cache is
 * not used (an export reads every record once).
 */
async function* cursor(actor: Actor | undefined, q: ContractQuery): AsyncGenerator<ContractView> {
  const filter = listFilter(actor, q);
  if (!filter) return;
  yield* eachOf(Contract.find(filter).sort(SORTS[q.sort ?? 'signed']!).lean<ContractDoc[]>().cursor({ batchSize: 1_000 }), (d: ContractDoc) => contractView(d));
}

async function get(actor: Actor | undefined, id: string) {
  const doc = await visible(actor, id);
  return { ...contractView(doc), permissions: permissionsOf(actor, doc) };
}

async function brokerFields(actor: Actor, requested: string | undefined): Promise<Record<string, unknown>> {
  if (!isOrganizer(actor)) {
    // A broker records their own deals.
    if (requested && requested !== actor.profile?.id) throw new Forbidden('只能登记本人经手的技术合同。');
    requested = actor.profile!.id;
  }
  if (!requested) return {};
  const broker = await findLive<BrokerDoc>(Broker, requested);
  if (!broker) throw new Invalid({ broker: '所选技术经纪人不存在。' });
  return { broker: String(broker._id), brokerName: broker.name };
}

async function checkSource(actor: Actor, source: ContractInput['source'], parties: { buyer?: string | undefined; seller?: { kind: string; id?: string | undefined } }): Promise<MatchDoc | undefined> {
  if (!source) return undefined;
  if (source.campaign && !(await findLive(Campaign, source.campaign))) throw new Invalid({ 'source.campaign': '所选活动不存在。' });
  if (source.roadshow && !(await findLive(Roadshow, source.roadshow))) throw new Invalid({ 'source.roadshow': '所选路演不存在。' });
  if (!source.match) return undefined;
  const match = await matchForContract(actor, source.match);
  if (parties.buyer && parties.buyer !== match.enterprise) throw new Invalid({ buyer: '委托方应为对接记录中发布需求的企业。' });
  const counterpart = match.counterpart;
  if (parties.seller && counterpart?.id && (parties.seller.kind !== counterpart.kind || parties.seller.id !== counterpart.id)) {
    throw new Invalid({ seller: '受托方应为对接记录中的成果所属机构或专家。' });
  }
  return match;
}

function sourceFields(source: ContractInput['source'], match: MatchDoc | undefined): Record<string, unknown> {
  return { ...source, ...(match ? { demand: match.demand, demandTitle: match.demandTitle } : {}) };
}

function mayRecord(actor: Actor): void {
  if (isOrganizer(actor)) return;
  if (actor.role !== 'broker' || actor.status !== 'active') throw new Forbidden('只有技术经纪人和区科技局可以登记技术合同。');
  if (actor.profile?.kind !== 'broker') throw new Conflict('请先完善技术经纪人资料，再登记技术合同。');
}

function years(signedAt: Date, registration?: { date?: Date | undefined } | null) {
  return { signedYear: yearOf(signedAt), registeredYear: registration?.date ? yearOf(registration.date) : null };
}

async function duplicateRegistration(number: string | undefined, except?: string): Promise<void> {
  if (!number) return;
  const same = await Contract.find({ 'registration.number': number, deletedAt: null }).select('_id title').lean<ContractDoc[]>();
  const other = same.find((d) => String(d._id) !== except);
  if (other) throw new Invalid({ 'registration.number': `登记号已用于合同“${other.title}”。` });
}

async function create(actor: Actor, input: ContractInput): Promise<ContractView> {
  mayRecord(actor);
  const parties = await resolveParties(input);
  const match = await checkSource(actor, input.source, { buyer: parties.buyer as string | undefined, seller: parties.seller as { kind: string; id?: string } });
  await duplicateRegistration(input.registration?.number);
  const organizer = isOrganizer(actor);
  const now = clock.now();
  const doc = await Contract.create({
    title: input.title,
    type: input.type,
    ...parties,
    ...(await brokerFields(actor, input.broker)),
    amount: input.amount,
    techIncome: input.techIncome,
    signedAt: input.signedAt,
    registration: input.registration,
    ...years(input.signedAt, input.registration),
    source: sourceFields(input.source, match),
    note: input.note,
    verified: organizer,
    ...(organizer ? { verifiedAt: now, verifiedBy: actor.id, verifiedByName: nameWithRole(actor) } : {}),
    createdBy: actor.id,
    createdByName: nameWithRole(actor),
  });
  const view = contractView(doc.toObject() as ContractDoc);
  await audit.record({ actor, action: 'contract.create', target: { kind: 'contract', id: view.id, label: view.title }, detail: `${view.amount} 元` });
  if (match) await contractMatch(actor, match, view.title);
  if (!organizer) {
    await notifyUsers(await organizers(), { kind: 'contract.pending', title: `待核实的技术合同：${view.title}`, link: `/contracts/${view.id}` });
  }
  return view;
}

// Writes check visibility before permission: to anyone who cannot see a contract, changing it answers exactly
// as a contract that does not exist (404), so no id can be probed; its parties are told why they may not.
async function update(actor: Actor, id: string, input: Partial<ContractInput>): Promise<ContractView> {
  const doc = await visible(actor, id);
  contractPolicy.authorize(actor, 'edit', doc);
  // The cross-field rules hold for the record as it will be.
  const merged = {
    amount: input.amount ?? doc.amount,
    techIncome: 'techIncome' in input ? input.techIncome : doc.techIncome ?? undefined,
    signedAt: input.signedAt ?? doc.signedAt,
    registration: 'registration' in input ? input.registration : doc.registration?.number ? { number: doc.registration.number, date: doc.registration.date ?? undefined } : undefined,
  };
  const checked = checkContract(merged);
  if (!checked.success) throw new Invalid(fieldErrors(checked.error));
  const set: Record<string, unknown> = await resolveParties(input, doc);
  const unset: Record<string, 1> = {};
  for (const key of ['title', 'type', 'amount', 'signedAt', 'note'] as const) if (input[key] !== undefined) set[key] = input[key];
  if ('techIncome' in input) {
    if (input.techIncome === undefined) unset.techIncome = 1;
    else set.techIncome = input.techIncome;
  }
  if ('registration' in input) {
    if (input.registration) {
      await duplicateRegistration(input.registration.number, id);
      set.registration = input.registration;
    } else unset.registration = 1;
  }
  if ('broker' in input && isOrganizer(actor)) {
    if (input.broker) Object.assign(set, await brokerFields(actor, input.broker));
    else Object.assign(unset, { broker: 1, brokerName: 1 });
  }
  if ('source' in input) {
    const buyer = 'buyerName' in set ? (set.buyer as string | undefined) : (doc.buyer ?? undefined);
    const seller = (set.seller as { kind: string; id?: string } | undefined) ?? { kind: doc.seller.kind, id: doc.seller.id ?? undefined };
    const match = await checkSource(actor, input.source, { buyer, seller });
    set.source = sourceFields(input.source, match);
    if (match && match.status !== 'contracted') await contractMatch(actor, match, (set.title as string | undefined) ?? doc.title);
  }
  const y = years(merged.signedAt, merged.registration);
  set.signedYear = y.signedYear;
  if (y.registeredYear === null) unset.registeredYear = 1;
  else set.registeredYear = y.registeredYear;
  // A broker's correction needs verifying again; an organizer's edit stands.
  if (!isOrganizer(actor)) Object.assign(set, { verified: false });
  await Contract.updateOne({ _id: id }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  await audit.record({ actor, action: 'contract.update', target: { kind: 'contract', id, label: doc.title }, detail: Object.keys({ ...set, ...unset }).join(', ') });
  return contractView(await loadContract(id));
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await visible(actor, id);
  contractPolicy.authorize(actor, 'delete', doc);
  await Contract.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  await audit.record({ actor, action: 'contract.delete', target: { kind: 'contract', id, label: doc.title } });
}

export const contracts: RecordService<ContractView, ContractInput, ContractQuery> & { list: typeof list } = {
  list,
  cursor,
  get,
  create,
  update,
  remove,
};

/**
 * An organizer confirms a contract against its papers, and records its registration (认定登记号, 登记日期) in the
 * same step when it has one. A verified contract counts toward the contract-value target from its registration
 * year; verified without a registration it waits ("已核实，待登记后计入").
 */
export async function verify(actor: Actor, id: string, input: VerifyInput = {}): Promise<ContractView> {
  const doc = await loadContract(id); // the route is organizers' only (routes.ts); the rule is checked again here
  contractPolicy.authorize(actor, 'verify', doc);
  const set: Record<string, unknown> = { verified: true, verifiedAt: clock.now(), verifiedBy: actor.id, verifiedByName: nameWithRole(actor) };
  const reg = input.registration;
  if (reg?.number && reg.date) {
    if (reg.date < doc.signedAt) throw new Invalid({ 'registration.date': '登记日期不能早于签订日期。' });
    if (reg.date.getTime() > clock.ms() + 24 * 3600_000) throw new Invalid({ 'registration.date': '登记日期不能晚于今天。' });
    await duplicateRegistration(reg.number, id);
    Object.assign(set, { registration: { number: reg.number, date: reg.date }, registeredYear: yearOf(reg.date) });
  }
  const res = await Contract.updateOne({ _id: id, verified: false }, { $set: set });
  if (res.modifiedCount !== 1) throw new Conflict('该合同刚刚被其他人核实。');
  const after = await loadContract(id);
  const counted = after.registeredYear ? `计入 ${after.registeredYear} 年` : '待登记后计入';
  await audit.record({ actor, action: 'contract.verify', target: { kind: 'contract', id, label: doc.title }, detail: reg?.number ? `${counted}，登记号 ${reg.number}` : counted });
  await notifyUsers(doc.createdBy ? [doc.createdBy] : [], { kind: 'contract.verified', title: `技术合同“${doc.title}”已核实（${counted}）`, link: `/contracts/${id}` });
  return contractView(after);
}

/** Values for the contract form: the buyer, seller and broker to choose from. */
export async function partyOptions() {
  const [buyerOptions, institutions, experts, brokers] = await Promise.all([enterpriseOptions(), institutionOptions(), expertOptions(), brokerOptions()]);
  const prefixed = (kind: string, options: { value: string; label: string }[]) => options.map((o) => ({ value: `${kind}:${o.value}`, label: o.label }));
  return {
    buyerOptions: [...buyerOptions, { value: 'outside', label: '平台外单位（在下方填写名称）' }],
    sellerGroups: [
      { label: '高校院所', options: prefixed('institution', institutions) },
      { label: '专家', options: prefixed('expert', experts) },
      { label: '本区企业（技术输出）', options: prefixed('enterprise', buyerOptions) },
      { label: '平台外单位', options: [{ value: 'outside', label: '平台外单位（在下方填写名称）' }] },
    ],
    brokerOptions: brokers,
  };
}

/** Form values from a match: buyer, seller and title already known. */
export async function prefillFromMatch(actor: Actor, matchId: string): Promise<Record<string, unknown>> {
  const match = await matchForContract(actor, matchId).catch(() => null);
  if (!match) return {};
  return {
    title: `${match.demandTitle}（${match.candidateTitle}）`,
    buyer: match.enterprise,
    seller: match.counterpart?.id ? `${match.counterpart.kind}:${match.counterpart.id}` : '',
    broker: match.broker ?? '',
    sourceMatch: String(match._id),
    matchLabel: `${match.demandTitle} ← ${match.candidateTitle}`,
  };
}
