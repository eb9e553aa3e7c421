// Spreadsheet import and export of technology brokers. The export uses the same columns, so an exported
// file can be corrected and imported back. An existing broker is recognised by name and organisation.
import { columnsOf, insertOrUpdate, type ImportSpec } from '../platform/io/import.ts';
import { contactColumns, contactRow } from '../contacts/columns.ts';
import { contactFromFields } from '../contacts/form.ts';
import { trusted } from '../platform/db/connection.ts';
import type { Contact } from '../contacts/model.ts';
import { codeFrom, codesFrom, labelOf } from '../vocabulary/index.ts';
import { Broker, type BrokerDoc } from './model.ts';
import { brokerInput, type BrokerInput } from './schema.ts';
import type { BrokerView } from './service.ts';


/** "初级" is accepted for "初级技术经纪人", as people write it in spreadsheets. */
const levelFrom = (text: string | undefined) => {
  const t = text?.trim();
  return codeFrom('brokerLevel', t && /^[初中高]级$/.test(t) ? `${t}技术经纪人` : t);
};

const identity = (r: { name: string; organization: string }) => `${r.name}\t${r.organization}`;

export const brokerImport: ImportSpec<BrokerInput, BrokerInput> = {
  kind: 'brokers',
  label: '技术经纪人',
  columns: [
    { header: '姓名', field: 'name', required: true },
    { header: '等级', field: 'level', required: true, aliases: ['经纪人等级', '资格等级'], hint: '初级技术经纪人、中级技术经纪人 或 高级技术经纪人' },
    { header: '服务机构', field: 'organization', required: true, aliases: ['所在机构', '单位'] },
    { header: '擅长领域', field: 'specialties', required: true, aliases: ['领域', '产业领域'], hint: '1–3 项，用顿号分隔，如：磷化工与新材料、电子信息' },
    { header: '个人简介', field: 'bio', aliases: ['简介'] },
    ...contactColumns,
  ],
  schema: brokerInput,
  prepare: (c) => ({
    name: c.name,
    level: levelFrom(c.level),
    organization: c.organization,
    specialties: codesFrom('industry', c.specialties),
    bio: c.bio,
    contact: contactFromFields(c),
  }),
  async preload() {
    const docs = await Broker.find({ deletedAt: null }).select('name organization').lean<BrokerDoc[]>();
    return new Map(docs.map((d) => [identity(d), String(d._id)]));
  },
  async resolve(input, lookups) {
    return { ready: input, existingId: (lookups as Map<string, string>).get(identity(input)) };
  },
  keyOf: identity,
  labelOf: (r) => `${r.name}（${r.organization}）`,
  write: (chunk, batch) => insertOrUpdate(Broker, chunk, batch, { searchMark: true }),
  rollback: async (batch) => (await Broker.deleteMany({ importBatch: batch })).deletedCount,
};


export const brokerExport = {
  sheet: '技术经纪人名录',
  columns: columnsOf(brokerImport),
  async contactsOf(ids: string[]): Promise<Map<string, Contact>> {
    const docs = await Broker.find({ _id: trusted({ $in: ids }) }).select('contact').lean<{ _id: unknown; contact?: Contact }[]>();
    return new Map(docs.filter((d) => d.contact).map((d) => [String(d._id), d.contact!]));
  },
  row: (v: BrokerView, c?: Contact) => [
    v.name,
    labelOf('brokerLevel', v.level),
    v.organization,
    v.specialties.map((s) => labelOf('industry', s)).join('、'),
    v.bio ?? '',
    ...contactRow(c),
  ],
};
