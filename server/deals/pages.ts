// Contract pages on the record kit, the verify action, and the export of what the list shows.
import type { RequestHandler } from 'express';
import type { RecordDef } from '../platform/http/crud.ts';
import { wanToYuan, yuanToWan } from '../platform/http/fields.ts';
import { idParam } from '../platform/http/params.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { isoDate } from '../platform/time.ts';
import { labelOf, optionsOf } from '../vocabulary/index.ts';
import { campaignOptions, roadshowOptions } from './sources.ts';
import { contracts, partyOptions, prefillFromMatch, verify, type ContractView } from './service.ts';
import { contractInput, contractPatch, contractQuery, verifyInput, type ContractInput, type ContractQuery } from './schema.ts';
import { parse } from '../platform/http/validate.ts';
import { Invalid } from '../platform/errors.ts';

const SELLER_KIND_LABELS: Record<string, string> = { institution: '高校院所', expert: '专家', enterprise: '企业', outside: '平台外单位' };
export const DIRECTION_LABELS: Record<string, string> = { absorb: '技术吸纳', export: '技术输出', both: '技术吸纳、技术输出' };

const wan = (v?: number | null) => (v == null ? '' : v / 10_000);
const idOrUndefined = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{24}$/i.test(v) ? v : undefined);

const filled = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** "institution:<id>" from the seller select → { kind, id }; "outside" → the name and code typed below it. */
function sellerFrom(body: Record<string, unknown>): unknown {
  const value = body.seller;
  if (value === 'outside') return { kind: 'outside', name: filled(body.sellerOutsideName), creditCode: filled(body.sellerOutsideCode) };
  if (typeof value !== 'string' || value === '') return undefined;
  const [kind, id] = value.split(':');
  return { kind, id };
}

/** The buyer select's enterprise, or "outside" → the name and code typed below it. */
function buyerFrom(body: Record<string, unknown>): unknown {
  if (body.buyer === 'outside') return { name: filled(body.buyerOutsideName), creditCode: filled(body.buyerOutsideCode) };
  return body.buyer === '' ? undefined : body.buyer;
}

export const contractDef: RecordDef<ContractView, ContractInput, ContractQuery> = {
  base: '/contracts',
  noun: '技术合同',
  section: 'contracts',
  views: { list: 'contracts/list', show: 'contracts/show', form: 'contracts/form' },
  // the list reads the 'ledger' page cache and vocabulary only (service.ts), and writes no CSRF token
  keepListBodies: 'ledger',
  service: contracts,
  schemas: { create: contractInput, update: contractPatch, list: contractQuery },
  fromForm(body) {
    const input: Record<string, unknown> = {
      title: body.title,
      type: body.type,
      buyer: buyerFrom(body),
      seller: sellerFrom(body),
      amount: body.amount,
      techIncome: body.techIncome,
      signedAt: body.signedAt,
      registration: { number: body.registrationNumber, date: body.registrationDate },
      source: { match: body.sourceMatch, roadshow: body.sourceRoadshow, campaign: body.sourceCampaign },
      note: body.note,
    };
    if (body.broker !== undefined) input.broker = body.broker;
    return wanToYuan(input, ['amount', 'techIncome']);
  },
  toForm: (v) => ({
    title: v.title,
    type: v.type,
    buyer: v.buyer.kind === 'outside' ? 'outside' : v.buyer.id,
    buyerOutsideName: v.buyer.kind === 'outside' ? v.buyer.name : '',
    buyerOutsideCode: v.buyer.kind === 'outside' ? (v.buyer.creditCode ?? '') : '',
    seller: v.seller.kind === 'outside' ? 'outside' : `${v.seller.kind}:${v.seller.id}`,
    sellerOutsideName: v.seller.kind === 'outside' ? v.seller.name : '',
    sellerOutsideCode: v.seller.kind === 'outside' ? (v.seller.creditCode ?? '') : '',
    broker: v.broker?.id ?? '',
    amount: yuanToWan(v.amount),
    techIncome: yuanToWan(v.techIncome),
    signedAt: isoDate(v.signedAt),
    registrationNumber: v.registration?.number ?? '',
    registrationDate: isoDate(v.registration?.date),
    sourceMatch: v.source.match ?? '',
    sourceRoadshow: v.source.roadshow ?? '',
    sourceCampaign: v.source.campaign ?? '',
    note: v.note ?? '',
  }),
  async prefill(query, actor) {
    const fromMatch = idOrUndefined(query.match) ? await prefillFromMatch(actor, query.match as string) : {};
    return { ...fromMatch, sourceRoadshow: idOrUndefined(query.roadshow) ?? '', sourceCampaign: idOrUndefined(query.campaign) ?? '' };
  },
  async formLocals(actor) {
    return {
      typeOptions: optionsOf('contractType'),
      ...(await partyOptions()),
      campaignOptions: await campaignOptions(),
      roadshowOptions: await roadshowOptions(),
      chooseBroker: isOrganizer(actor),
      needsProfile: actor.role === 'broker' && !actor.profile,
    };
  },
  listLocals: (q, actor) => ({
    typeOptions: optionsOf('contractType'),
    industryOptions: optionsOf('industry'),
    townOptions: optionsOf('town'),
    stateOptions: [
      { value: 'verified', label: '已核实' },
      { value: 'pending', label: '待核实' },
      { value: 'unregistered', label: '未登记' },
    ],
    byOptions: [
      { value: 'registered', label: '按登记年份' },
      { value: 'signed', label: '按签订年份' },
    ],
    sortOptions: [{ value: 'amount', label: '成交额从高到低' }],
    canPost: !!actor && actor.status === 'active' && (actor.role === 'organizer' || actor.role === 'broker'),
    heading: isOrganizer(actor) ? '技术合同登记' : '我的技术合同',
  }),
  export: {
    sheet: '技术合同',
    columns: [
      { header: '合同名称', width: 36 },
      { header: '合同类型' },
      { header: '委托方（买方）', width: 28 },
      { header: '委托方类型' },
      { header: '所在镇街' },
      { header: '受托方（卖方）', width: 28 },
      { header: '受托方类型' },
      { header: '技术经纪人' },
      { header: '合同成交额（万元）' },
      { header: '技术交易额（万元）' },
      { header: '签订日期' },
      { header: '认定登记号', width: 20 },
      { header: '登记日期' },
      { header: '状态' },
      { header: '登记人' },
    ],
    row: (v: ContractView) => [
      v.title,
      labelOf('contractType', v.type),
      v.buyer.name,
      v.buyer.kind === 'outside' ? '平台外单位' : '企业',
      labelOf('town', v.town),
      v.seller.name,
      SELLER_KIND_LABELS[v.seller.kind],
      v.broker?.name ?? '',
      wan(v.amount),
      wan(v.techIncome),
      isoDate(v.signedAt),
      v.registration?.number ?? '',
      isoDate(v.registration?.date),
      v.verified ? '已核实' : '待核实',
      v.createdByName ?? '',
    ],
  },
};

/** The verify form on a contract's page: the registration fields, when filled, are recorded in the same step. */
export const verifyPage: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  try {
    const input = parse(verifyInput, { registration: { number: body.registrationNumber, date: body.registrationDate } });
    const view = await verify(req.user!, id, input);
    req.flash('success', view.registeredYear ? `已核实技术合同“${view.title}”，计入 ${view.registeredYear} 年技术合同成交额。` : `已核实技术合同“${view.title}”，尚未登记：登记后计入技术合同成交额。`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
  }
  res.redirect(303, `/contracts/${id}`);
};

export const verifyApi: RequestHandler = async (req, res) => {
  res.json(await verify(req.user!, idParam(req), parse(verifyInput, req.body ?? {})));
};
