// Spreadsheet import of technology contracts (技术合同登记台账), in the columns of the contract list's export,
// so a downloaded ledger can be corrected and imported again; the real ledger's headers and units are accepted too
// (amounts in 元, 万元 or 亿元, by the header or the cell; 万元 when neither says). The buyer is a listed enterprise
// (name or 统一社会信用代码) or, when 委托方类型 says 平台外单位, a party outside the platform; the seller a listed
// institution, expert or enterprise (by name; 受托方类型 decides when a name could be several) or an outside party.
// Each contract gets its direction for the district as on the form (service.ts directionOf). A row whose 认定登记号
// is already on a contract updates that contract, as does a row with the same title, buyer and signing date.
// Imports are the bureau's (only organizers may import), so new contracts count at once, marked as verified by the
// import; the job and its audit entry say who.
import { insertOrUpdate, type ImportSpec } from '../platform/io/import.ts';
import { wanToYuan } from '../platform/http/fields.ts';
import { isoDate, yearOf } from '../platform/time.ts';
import { codeFrom } from '../vocabulary/index.ts';
import { Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import { enterprisesByReference } from '../organizations/import.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Broker, type BrokerDoc } from '../brokers/model.ts';
import { Contract, type BuyerKind, type ContractDoc, type Direction, type SellerKind } from './model.ts';
import { directionOf, DISTRICT_CITY } from './parties.ts';
import { contractRow, type ContractRow } from './schema.ts';
import { clock } from '../platform/clock.ts';

interface Ready {
  title: string;
  type: string;
  buyer?: string | undefined;
  buyerName: string;
  buyerKind: BuyerKind;
  town?: string | undefined;
  industry?: string | undefined;
  seller: { kind: SellerKind; id?: string | undefined; name: string };
  direction: Direction;
  broker?: string | undefined;
  brokerName?: string | undefined;
  amount: number;
  techIncome?: number | undefined;
  signedAt: Date;
  signedYear: number;
  registration?: { number?: string | undefined; date?: Date | undefined } | undefined;
  registeredYear: number | null;
  note?: string | undefined;
}

interface Lookups {
  enterprises: Map<string, EnterpriseDoc>;
  institutions: Map<string, InstitutionDoc[]>;
  enterprisesByName: Map<string, EnterpriseDoc[]>;
  experts: Map<string, ExpertDoc[]>;
  brokers: Map<string, BrokerDoc[]>;
  byRegistration: Map<string, string>;
  byKey: Map<string, string>;
}

const OUTSIDE_WORDS = ['平台外单位', '平台外', '区外单位', '外部单位', 'outside'];
const SELLER_KINDS: Record<string, SellerKind> = {
  高校院所: 'institution', 高校: 'institution', 院所: 'institution', 机构: 'institution', institution: 'institution',
  专家: 'expert', expert: 'expert',
  企业: 'enterprise', enterprise: 'enterprise',
  ...Object.fromEntries(OUTSIDE_WORDS.map((w) => [w, 'outside' as const])),
};
const BUYER_KINDS: Record<string, BuyerKind> = { 企业: 'enterprise', enterprise: 'enterprise', ...Object.fromEntries(OUTSIDE_WORDS.map((w) => [w, 'outside' as const])) };
const kindFrom = <T extends string>(map: Record<string, T>, text: string | undefined): T | string | undefined => {
  const t = text?.trim();
  return t ? (map[t] ?? t) : undefined;
};

const identity = (buyer: string, title: string, signedAt: Date) => `${buyer}|${title}|${isoDate(signedAt)}`;

function byName<T extends { name: string }>(docs: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const d of docs) map.set(d.name, [...(map.get(d.name) ?? []), d]);
  return map;
}

type Party = { kind: BuyerKind | SellerKind; id?: string | undefined; name: string; enterprise?: EnterpriseDoc | undefined; district?: boolean };

/** The buyer: a listed enterprise (by name or credit code), or an outside party when the row says so. */
function resolveBuyer(input: ContractRow, l: Lookups, errors: Record<string, string>): (Party & { kind: BuyerKind }) | undefined {
  if (input.buyerKind === 'outside') return { kind: 'outside', name: input.buyer };
  const found = l.enterprises.get(input.buyer) ?? l.enterprises.get(input.buyer.toUpperCase());
  if (found) return { kind: 'enterprise', id: String(found._id), name: found.name, enterprise: found };
  errors.buyer = `企业“${input.buyer}”尚未登记。请先导入企业名录；如为平台外单位，请在“委托方类型”填写“平台外单位”。`;
  return undefined;
}

const KIND_WORDS: Record<string, string> = { institution: '高校院所', expert: '专家', enterprise: '企业' };

/** The seller: the one listed institution, expert or enterprise of that name (narrowed by 受托方类型), or an outside party. */
function resolveSeller(input: ContractRow, l: Lookups, errors: Record<string, string>): (Party & { kind: SellerKind }) | undefined {
  const kind = input.sellerKind;
  if (kind === 'outside') return { kind: 'outside', name: input.seller };
  const candidates: (Party & { kind: SellerKind })[] = [
    ...(!kind || kind === 'institution' ? (l.institutions.get(input.seller) ?? []).map((d) => ({ kind: 'institution' as const, id: String(d._id), name: d.name, district: d.city === DISTRICT_CITY })) : []),
    ...(!kind || kind === 'expert' ? (l.experts.get(input.seller) ?? []).map((d) => ({ kind: 'expert' as const, id: String(d._id), name: d.name })) : []),
    ...(!kind || kind === 'enterprise'
      ? (l.enterprisesByName.get(input.seller) ?? [l.enterprises.get(input.seller.toUpperCase())].filter((e): e is EnterpriseDoc => !!e)).map((d) => ({ kind: 'enterprise' as const, id: String(d._id), name: d.name, enterprise: d, district: true }))
      : []),
  ];
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    errors.seller = `受托方“${input.seller}”尚未登记为${kind ? KIND_WORDS[kind] : '高校院所、专家或企业'}；如为平台外单位，请在“受托方类型”填写“平台外单位”。`;
  } else {
    const kinds = [...new Set(candidates.map((c) => KIND_WORDS[c.kind]))];
    errors.seller = kinds.length > 1 ? `“${input.seller}”同时是${kinds.join('和')}，请在“受托方类型”中注明。` : `有多个名为“${input.seller}”的${kinds[0]}，请在平台上核对后逐条登记。`;
  }
  return undefined;
}

export const contractImport: ImportSpec<ContractRow, Ready> = {
  kind: 'contracts',
  label: '技术合同',
  columns: [
    { header: '合同名称', field: 'title', required: true, aliases: ['项目名称', '技术合同名称'] },
    {
      header: '合同类型',
      field: 'type',
      required: true,
      aliases: ['技术交易类型', '合同类别', '技术合同类别', '交易类型'],
      hint: '技术开发、技术转让、技术许可、技术咨询或技术服务（“技术开发合同”“委托开发”等写法也可）',
      // "技术开发合同", "技术开发（委托）", "委托开发", "专利权转让" → the five kinds, as ledgers word them
      normalise: (t) => {
        const kind = /^.{0,6}(开发|转让|许可|咨询|服务)$/.exec(t.normalize('NFKC').replace(/\s+/g, '').replace(/\(.*?\)/g, '').replace(/合同$/, ''))?.[1];
        return kind ? `技术${kind}` : t;
      },
    },
    { header: '委托方（买方）', field: 'buyer', required: true, aliases: ['委托方', '买方'], hint: '本区企业的名称或统一社会信用代码；平台外单位写名称并在“委托方类型”注明' },
    { header: '委托方类型', field: 'buyerKind', aliases: ['买方类型'], hint: '企业 或 平台外单位（空着即为已登记的企业）' },
    { header: '受托方（卖方）', field: 'seller', required: true, aliases: ['受托方', '卖方'], hint: '高校院所、专家或企业的名称；平台外单位写名称并在“受托方类型”注明' },
    { header: '受托方类型', field: 'sellerKind', aliases: ['卖方类型'], hint: '高校院所、专家、企业 或 平台外单位（名称可能重复或不在平台上时填写）' },
    { header: '技术经纪人', field: 'broker', hint: '姓名，须已登记（可空）' },
    {
      header: '合同成交额（万元）',
      field: 'amount',
      required: true,
      type: 'money',
      aliases: ['合同成交额', '成交额', '成交金额', '合同金额', '合同成交金额'],
      hint: '单位可写在列名中，如“成交金额（元）”，或单元格中，如“120万元”“1.2亿元”“1,200,000元”；都未注明时按万元',
    },
    { header: '技术交易额（万元）', field: 'techIncome', type: 'money', aliases: ['技术交易额', '技术交易金额'], hint: '单位同合同成交额' },
    { header: '签订日期', field: 'signedAt', required: true, type: 'date', aliases: ['合同签订日期'], hint: '如 2026-03-15、2026/3/15、2026年3月15日或 Excel 日期' },
    { header: '认定登记号', field: 'registrationNumber', aliases: ['登记号', '合同编号', '合同登记号', '登记编号'] },
    { header: '登记日期', field: 'registrationDate', type: 'date', aliases: ['认定登记日期'], hint: '与登记号一起填写' },
    { header: '所属乡镇', field: 'town', aliases: ['所在镇街', '所在乡镇'], hint: '仅供核对：按委托方企业登记的乡镇统计' },
    { header: '备注', field: 'note' },
  ],
  schema: contractRow,
  prepare(c) {
    const kind = c.sellerKind?.trim();
    return wanToYuan(
      {
        title: c.title,
        type: codeFrom('contractType', c.type),
        buyer: c.buyer,
        seller: c.seller,
        buyerKind: kindFrom(BUYER_KINDS, c.buyerKind),
        sellerKind: kindFrom(SELLER_KINDS, kind),
        broker: c.broker,
        amount: c.amount,
        techIncome: c.techIncome,
        signedAt: c.signedAt,
        registration: { number: c.registrationNumber, date: c.registrationDate },
        note: c.note,
      },
      ['amount', 'techIncome'],
    );
  },
  async preload(): Promise<Lookups> {
    const enterprises = await enterprisesByReference();
    const contracts = await Contract.find({ deletedAt: null }).select('title buyer signedAt registration').lean<ContractDoc[]>();
    return {
      enterprises,
      institutions: byName(await Institution.find({ deletedAt: null }).select('name city').lean<InstitutionDoc[]>()),
      enterprisesByName: byName([...new Map([...enterprises.values()].map((e) => [String(e._id), e])).values()]),
      experts: byName(await Expert.find({ deletedAt: null }).select('name').lean<ExpertDoc[]>()),
      brokers: byName(await Broker.find({ deletedAt: null }).select('name').lean<BrokerDoc[]>()),
      byRegistration: new Map(contracts.filter((d) => d.registration?.number).map((d) => [d.registration!.number!, String(d._id)])),
      byKey: new Map(contracts.map((d) => [identity(d.buyer ?? d.buyerName, d.title, d.signedAt), String(d._id)])),
    };
  },
  async resolve(input, lookups) {
    const l = lookups as Lookups;
    const errors: Record<string, string> = {};
    const buyer = resolveBuyer(input, l, errors);
    const seller = resolveSeller(input, l, errors);

    let broker: BrokerDoc | undefined;
    if (input.broker) {
      const found = l.brokers.get(input.broker) ?? [];
      if (found.length !== 1) errors.broker = found.length ? `有多位名为“${input.broker}”的技术经纪人。` : `技术经纪人“${input.broker}”尚未登记。`;
      else broker = found[0];
    }
    const direction = buyer && seller ? directionOf(buyer, seller) : undefined;
    if (buyer && seller && !direction) errors.buyer = `合同双方至少一方应为本区单位：委托方为本区企业，或受托方为本区企业、${DISTRICT_CITY}的高校院所。`;
    if (!buyer || !seller || !direction || Object.keys(errors).length) return { errors };

    const registration = input.registration?.number ? input.registration : undefined;
    const local = buyer.enterprise ?? seller.enterprise;
    const ready: Ready = {
      title: input.title,
      type: input.type,
      buyer: buyer.enterprise ? String(buyer.enterprise._id) : undefined,
      buyerName: buyer.name,
      buyerKind: buyer.kind,
      town: local?.town,
      industry: local?.industry,
      seller: { kind: seller.kind, id: seller.id, name: seller.name },
      direction,
      broker: broker ? String(broker._id) : undefined,
      brokerName: broker?.name,
      amount: input.amount,
      techIncome: input.techIncome,
      signedAt: input.signedAt,
      signedYear: yearOf(input.signedAt),
      registration,
      registeredYear: registration?.date ? yearOf(registration.date) : null,
      note: input.note,
    };
    // By its registration number, else by what identifies it before registration (so a ledger that adds the
    // number to a contract entered earlier updates that contract rather than adding a second one).
    const existingId = (registration?.number && l.byRegistration.get(registration.number)) || l.byKey.get(identity(ready.buyer ?? ready.buyerName, ready.title, ready.signedAt));
    return { ready, existingId };
  },
  keyOf: (r) => r.registration?.number ?? identity(r.buyer ?? r.buyerName, r.title, r.signedAt),
  labelOf: (r) => r.title,
  // New contracts count at once, as the bureau's; an update corrects the facts and leaves the verification be.
  write: (chunk, batch) => insertOrUpdate(Contract, chunk, batch, { onCreate: { verified: true, verifiedAt: clock.now(), verifiedByName: '数据导入', createdByName: '数据导入' } }),
  rollback: async (batch) => (await Contract.deleteMany({ importBatch: batch })).deletedCount,
};
