// Spreadsheet import and export of experts. The export uses the same columns, so an exported file can be
// corrected and imported back. 所在单位 becomes a link to the institution when one of that exact name is on
// the platform; an existing expert is recognised by name and unit.
import { columnsOf, insertOrUpdate, yesCell, type ImportSpec } from '../platform/io/import.ts';
import { contactColumns, contactRow } from '../contacts/columns.ts';
import { contactFromFields } from '../contacts/form.ts';
import { trusted } from '../platform/db/connection.ts';
import type { Contact } from '../contacts/model.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { codesFrom, labelOf } from '../vocabulary/index.ts';
import { Expert, type ExpertDoc } from './model.ts';
import { expertInput, type ExpertInput } from './schema.ts';
import type { ExpertView } from './service.ts';


export type ExpertReady = Omit<ExpertInput, 'institution'> & { institution?: string | undefined; city?: string | undefined };

interface ExpertLookups {
  institutions: Map<string, { id: string; city: string }>;
  experts: Map<string, string>;
}

const identity = (name: string, unit: string | null | undefined) => `${name}\t${unit ?? ''}`;

/** The update of an existing expert: linked to its institution, or with the link removed. */
/** An expert no longer at a listed institution loses the link (and the city that came with it). */
function updateOf(ready: ExpertReady) {
  if (ready.institution) return { $set: { ...ready } };
  const { institution: _institution, city: _city, ...rest } = ready;
  return { $set: rest, $unset: { institution: '', city: '' } };
}

export const expertImport: ImportSpec<ExpertInput, ExpertReady> = {
  kind: 'experts',
  label: '专家',
  columns: [
    { header: '姓名', field: 'name', required: true },
    { header: '职称', field: 'title', required: true },
    { header: '所在单位', field: 'institutionName', aliases: ['单位', '工作单位'], hint: '与平台上高校院所名称一致时自动关联' },
    { header: '产业领域', field: 'industries', required: true, aliases: ['领域', '行业'], hint: '1–3 项，用顿号分隔，如：磷化工与新材料、电子信息' },
    { header: '专长关键词', field: 'keywords', required: true, aliases: ['关键词'], hint: '1–10 个，用顿号分隔，每个不超过 20 字' },
    { header: '个人简介', field: 'bio', aliases: ['简介'] },
    { header: '可参加专家东宝行', field: 'availableForVisits', aliases: ['专家东宝行', '可参加“专家东宝行”'], hint: '是 / 否' },
    ...contactColumns,
  ],
  schema: expertInput,
  prepare: (c) => ({
    name: c.name,
    title: c.title,
    institutionName: c.institutionName,
    industries: codesFrom('industry', c.industries),
    keywords: c.keywords,
    bio: c.bio,
    availableForVisits: yesCell(c.availableForVisits),
    contact: contactFromFields(c),
  }),
  async preload(): Promise<ExpertLookups> {
    const [institutions, experts] = await Promise.all([
      Institution.find({ deletedAt: null }).select('name city').lean<InstitutionDoc[]>(),
      Expert.find({ deletedAt: null }).select('name institutionName').lean<ExpertDoc[]>(),
    ]);
    return {
      institutions: new Map(institutions.map((d) => [d.name, { id: String(d._id), city: d.city }])),
      experts: new Map(experts.map((d) => [identity(d.name, d.institutionName), String(d._id)])),
    };
  },
  async resolve(input, lookups) {
    const { institutions, experts } = lookups as ExpertLookups;
    const { institution: _institution, ...rest } = input;
    const inst = input.institutionName ? institutions.get(input.institutionName) : undefined;
    const ready: ExpertReady = inst ? { ...rest, institution: inst.id, city: inst.city } : rest;
    return { ready, existingId: experts.get(identity(input.name, input.institutionName)) };
  },
  keyOf: (r) => identity(r.name, r.institutionName),
  labelOf: (r) => (r.institutionName ? `${r.name}（${r.institutionName}）` : r.name),
  write: (chunk, batch) => insertOrUpdate(Expert, chunk, batch, { update: updateOf, searchMark: true }),
  rollback: async (batch) => (await Expert.deleteMany({ importBatch: batch })).deletedCount,
};


export const expertExport = {
  sheet: '专家名录',
  columns: columnsOf(expertImport),
  async contactsOf(ids: string[]): Promise<Map<string, Contact>> {
    const docs = await Expert.find({ _id: trusted({ $in: ids }) }).select('contact').lean<{ _id: unknown; contact?: Contact }[]>();
    return new Map(docs.filter((d) => d.contact).map((d) => [String(d._id), d.contact!]));
  },
  row: (v: ExpertView, c?: Contact) => [
    v.name,
    v.title,
    v.institutionName ?? '',
    v.industries.map((i) => labelOf('industry', i)).join('、'),
    v.keywords.join('、'),
    v.bio ?? '',
    v.availableForVisits ? '是' : '否',
    ...contactRow(c),
  ],
};
