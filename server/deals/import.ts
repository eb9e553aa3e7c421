// Spreadsheet import of technology contracts (技术合同登记台账), in the columns of the contract list's export,
// so a downloaded ledger can be corrected and imported again. Amounts are in 万元; the buyer is a registered
// enterprise (name or 统一社会信用代码), the seller a registered institution or expert (by name; 受托方类型
// decides when a name could be either). A row whose 认定登记号 is already on a contract updates that contract,
// as does a row with the same title, buyer and signing date. Imports are the bureau's (only organizers may
// import), so new contracts count at once, marked as verified by the import; the job and its audit entry say who.
import { insertOrUpdate, type ImportSpec } from '../platform/io/import.ts';
import { wanToYuan } from '../platform/http/fields.ts';
import { isoDate, yearOf } from '../platform/time.ts';
import { codeFrom } from '../vocabulary/index.ts';
import { Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import { enterprisesByReference } from '../organizations/import.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Broker, type BrokerDoc } from '../brokers/model.ts';
import { Contract, type ContractDoc } from './model.ts';
import { contractRow, type ContractRow } from './schema.ts';
import { clock } from '../platform/clock.ts';

interface Ready {
  title: string;
  type: string;
  buyer: string;
  buyerName: string;
  town?: string | undefined;
  industry?: string | undefined;
  seller: { kind: 'institution' | 'expert'; id: string; name: string };
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
  experts: Map<string, ExpertDoc[]>;
  brokers: Map<string, BrokerDoc[]>;
  byRegistration: Map<string, string>;
  byKey: Map<string, string>;
}

const SELLER_KINDS: Record<string, 'institution' | 'expert'> = { 高校院所: 'institution', 高校: 'institution', 院所: 'institution', 机构: 'institution', institution: 'institution', 专家: 'expert', expert: 'expert' };

const identity = (buyer: string, title: string, signedAt: Date) => `${buyer}|${title}|${isoDate(signedAt)}`;

function byName<T extends { name: string }>(docs: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const d of docs) map.set(d.name, [...(map.get(d.name) ?? []), d]);
  return map;
}

export const contractImport: ImportSpec<ContractRow, Ready> = {
  kind: 'contracts',
  label: '技术合同',
  columns: [
    { header: '合同名称', field: 'title', required: true, aliases: ['项目名称'] },
    { header: '合同类型', field: 'type', required: true, hint: '技术开发、技术转让、技术许可、技术咨询或技术服务' },
    { header: '委托方（买方）', field: 'buyer', required: true, aliases: ['委托方', '买方'], hint: '企业名称或统一社会信用代码，须已登记' },
    { header: '受托方（卖方）', field: 'seller', required: true, aliases: ['受托方', '卖方'], hint: '高校院所或专家的名称，须已登记' },
    { header: '受托方类型', field: 'sellerKind', hint: '高校院所 或 专家（名称可能重复时填写）' },
    { header: '技术经纪人', field: 'broker', hint: '姓名，须已登记（可空）' },
    { header: '合同成交额（万元）', field: 'amount', required: true, aliases: ['合同成交额', '成交额'] },
    { header: '技术交易额（万元）', field: 'techIncome', aliases: ['技术交易额'] },
    { header: '签订日期', field: 'signedAt', required: true, hint: '如 2026-03-15' },
    { header: '认定登记号', field: 'registrationNumber', aliases: ['登记号'] },
    { header: '登记日期', field: 'registrationDate', hint: '与登记号一起填写' },
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
        sellerKind: kind ? (SELLER_KINDS[kind] ?? kind) : undefined,
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
      institutions: byName(await Institution.find({ deletedAt: null }).select('name').lean<InstitutionDoc[]>()),
      experts: byName(await Expert.find({ deletedAt: null }).select('name').lean<ExpertDoc[]>()),
      brokers: byName(await Broker.find({ deletedAt: null }).select('name').lean<BrokerDoc[]>()),
      byRegistration: new Map(contracts.filter((d) => d.registration?.number).map((d) => [d.registration!.number!, String(d._id)])),
      byKey: new Map(contracts.map((d) => [identity(d.buyer, d.title, d.signedAt), String(d._id)])),
    };
  },
  async resolve(input, lookups) {
    const l = lookups as Lookups;
    const errors: Record<string, string> = {};
    const buyer = l.enterprises.get(input.buyer) ?? l.enterprises.get(input.buyer.toUpperCase());
    if (!buyer) errors.buyer = `企业“${input.buyer}”尚未登记，请先导入企业名录。`;

    const institutions = input.sellerKind === 'expert' ? [] : (l.institutions.get(input.seller) ?? []);
    const experts = input.sellerKind === 'institution' ? [] : (l.experts.get(input.seller) ?? []);
    let seller: Ready['seller'] | undefined;
    if (institutions.length + experts.length === 0) {
      errors.seller = `受托方“${input.seller}”尚未登记为${input.sellerKind === 'expert' ? '专家' : input.sellerKind === 'institution' ? '高校院所' : '高校院所或专家'}。`;
    } else if (institutions.length + experts.length > 1) {
      errors.seller = institutions.length && experts.length ? `“${input.seller}”既是高校院所又是专家，请在“受托方类型”中注明。` : `有多位名为“${input.seller}”的${institutions.length ? '高校院所' : '专家'}，请在平台上核对后逐条登记。`;
    } else {
      const [doc, kind] = institutions.length ? [institutions[0]!, 'institution' as const] : [experts[0]!, 'expert' as const];
      seller = { kind, id: String(doc._id), name: doc.name };
    }

    let broker: BrokerDoc | undefined;
    if (input.broker) {
      const found = l.brokers.get(input.broker) ?? [];
      if (found.length !== 1) errors.broker = found.length ? `有多位名为“${input.broker}”的技术经纪人。` : `技术经纪人“${input.broker}”尚未登记。`;
      else broker = found[0];
    }
    if (!buyer || !seller || Object.keys(errors).length) return { errors };

    const registration = input.registration?.number ? input.registration : undefined;
    const ready: Ready = {
      title: input.title,
      type: input.type,
      buyer: String(buyer._id),
      buyerName: buyer.name,
      town: buyer.town,
      industry: buyer.industry,
      seller,
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
    const existingId = (registration?.number && l.byRegistration.get(registration.number)) || l.byKey.get(identity(ready.buyer, ready.title, ready.signedAt));
    return { ready, existingId };
  },
  keyOf: (r) => r.registration?.number ?? identity(r.buyer, r.title, r.signedAt),
  labelOf: (r) => r.title,
  // New contracts count at once, as the bureau's; an update corrects the facts and leaves the verification be.
  write: (chunk, batch) => insertOrUpdate(Contract, chunk, batch, { verified: true, verifiedAt: clock.now(), verifiedByName: '数据导入', createdByName: '数据导入' }),
  rollback: async (batch) => (await Contract.deleteMany({ importBatch: batch })).deletedCount,
};
