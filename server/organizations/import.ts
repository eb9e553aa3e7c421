// Spreadsheet import and export of enterprises and institutions. The export uses the same columns, so an
// exported file can be corrected and imported back.
import { trusted } from '../platform/db/connection.ts';
import type { Contact } from '../contacts/model.ts';
import { columnsOf, insertOrUpdate, yesCell, type ImportSpec } from '../platform/io/import.ts';
import { contactColumns, contactRow } from '../contacts/columns.ts';
import { contactFromFields } from '../contacts/form.ts';
import { codeFrom, labelOf } from '../vocabulary/index.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from './model.ts';
import { enterpriseInput, institutionInput, type EnterpriseInput, type InstitutionInput } from './schema.ts';
import type { EnterpriseView } from './enterprise-service.ts';
import type { InstitutionView } from './institution-service.ts';


/** Every registered enterprise under its name and its 统一社会信用代码: how other sheets name an enterprise. */
export async function enterprisesByReference(): Promise<Map<string, EnterpriseDoc>> {
  const map = new Map<string, EnterpriseDoc>();
  for (const d of await Enterprise.find({ deletedAt: null }).lean<EnterpriseDoc[]>()) {
    map.set(d.name, d);
    map.set(d.creditCode, d);
  }
  return map;
}

export const enterpriseImport: ImportSpec<EnterpriseInput, EnterpriseInput> = {
  kind: 'enterprises',
  label: '企业',
  columns: [
    { header: '企业名称', field: 'name', required: true },
    { header: '统一社会信用代码', field: 'creditCode', required: true, aliases: ['信用代码'] },
    { header: '所属行业', field: 'industry', required: true, aliases: ['行业'], hint: '如：电子信息、磷化工与新材料' },
    { header: '所在乡镇', field: 'town', required: true, aliases: ['乡镇', '所在乡镇（街道、园区）'], hint: '如：石桥驿镇、东宝工业园' },
    { header: '企业规模', field: 'scale', hint: '规上 或 规下' },
    { header: '高新技术企业', field: 'highTech', hint: '是 / 否' },
    { header: '科技型中小企业', field: 'techSme', hint: '是 / 否' },
    { header: '企业简介', field: 'intro', aliases: ['简介'] },
    ...contactColumns,
  ],
  schema: enterpriseInput,
  prepare: (c) => ({
    name: c.name,
    creditCode: c.creditCode,
    industry: codeFrom('industry', c.industry),
    town: codeFrom('town', c.town),
    scale: codeFrom('scale', c.scale),
    highTech: yesCell(c.highTech),
    techSme: yesCell(c.techSme),
    intro: c.intro,
    contact: contactFromFields(c),
  }),
  async preload() {
    const docs = await Enterprise.find({ deletedAt: null }).select('creditCode').lean<EnterpriseDoc[]>();
    return new Map(docs.map((d) => [d.creditCode, String(d._id)]));
  },
  async resolve(input, lookups) {
    return { ready: input, existingId: (lookups as Map<string, string>).get(input.creditCode) };
  },
  keyOf: (r) => r.creditCode,
  labelOf: (r) => r.name,
  write: (chunk, batch) => insertOrUpdate(Enterprise, chunk, batch),
  rollback: async (batch) => (await Enterprise.deleteMany({ importBatch: batch })).deletedCount,
};

export const institutionImport: ImportSpec<InstitutionInput, InstitutionInput> = {
  kind: 'institutions',
  label: '高校院所',
  columns: [
    { header: '机构名称', field: 'name', required: true, aliases: ['名称'] },
    { header: '机构类型', field: 'kind', required: true, aliases: ['类型'], hint: '高校、科研院所 或 新型研发机构' },
    { header: '所在省份', field: 'province', required: true, aliases: ['省份'] },
    { header: '所在城市', field: 'city', required: true, aliases: ['城市'] },
    { header: '机构简介', field: 'intro', aliases: ['简介'] },
    ...contactColumns,
  ],
  schema: institutionInput,
  prepare: (c) => ({ name: c.name, kind: codeFrom('institutionKind', c.kind), province: c.province, city: c.city, intro: c.intro, contact: contactFromFields(c) }),
  async preload() {
    const docs = await Institution.find({ deletedAt: null }).select('name').lean<InstitutionDoc[]>();
    return new Map(docs.map((d) => [d.name, String(d._id)]));
  },
  async resolve(input, lookups) {
    return { ready: input, existingId: (lookups as Map<string, string>).get(input.name) };
  },
  keyOf: (r) => r.name,
  labelOf: (r) => r.name,
  write: (chunk, batch) => insertOrUpdate(Institution, chunk, batch),
  rollback: async (batch) => (await Institution.deleteMany({ importBatch: batch })).deletedCount,
};

const yesNo = (b: boolean) => (b ? '是' : '否');

async function contactsOf(model: typeof Enterprise | typeof Institution, ids: string[]): Promise<Map<string, Contact>> {
  const docs = await (model as typeof Enterprise).find({ _id: trusted({ $in: ids }) }).select('contact').lean<{ _id: unknown; contact?: Contact }[]>();
  return new Map(docs.filter((d) => d.contact).map((d) => [String(d._id), d.contact!]));
}

export const enterpriseExport = {
  sheet: '企业名录',
  columns: columnsOf(enterpriseImport),
  contactsOf: (ids: string[]) => contactsOf(Enterprise, ids),
  row: (v: EnterpriseView, c?: Contact) => [
    v.name,
    v.creditCode,
    labelOf('industry', v.industry),
    labelOf('town', v.town),
    labelOf('scale', v.scale),
    yesNo(v.highTech),
    yesNo(v.techSme),
    v.intro ?? '',
    ...contactRow(c),
  ],
};

export const institutionExport = {
  sheet: '高校院所名录',
  columns: columnsOf(institutionImport),
  contactsOf: (ids: string[]) => contactsOf(Institution, ids),
  row: (v: InstitutionView, c?: Contact) => [
    v.name,
    labelOf('institutionKind', v.kind),
    v.province,
    v.city,
    v.intro ?? '',
    ...contactRow(c),
  ],
};
