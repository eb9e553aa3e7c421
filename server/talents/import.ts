// Spreadsheet import of talent introductions (人才引进台账), in the columns of the talent list's export. The
// employer is a registered enterprise (name or 统一社会信用代码); the industry, when blank, is the employer's.
// A row for the same person, employer and date updates that record. Imports are the bureau's (only organizers
// may import): new records count at once, marked as verified by the import; the job and its audit entry say who.
import { insertOrUpdate, type ImportSpec } from '../platform/io/import.ts';
import { isoDate, yearOf } from '../platform/time.ts';
import { codeFrom } from '../vocabulary/index.ts';
import type { EnterpriseDoc } from '../organizations/model.ts';
import { enterprisesByReference } from '../organizations/import.ts';
import { Talent, type TalentDoc } from './model.ts';
import { talentRow, type TalentRow } from './schema.ts';
import { clock } from '../platform/clock.ts';

interface Ready {
  name: string;
  degree: string;
  title?: string | undefined;
  category: string;
  mode: string;
  employer: string;
  employerName: string;
  town?: string | undefined;
  industry: string;
  date: Date;
  year: number;
  source: { note?: string | undefined };
}

interface Lookups {
  enterprises: Map<string, EnterpriseDoc>;
  existing: Map<string, string>;
}

const identity = (name: string, employer: string, date: Date) => `${name}|${employer}|${isoDate(date)}`;

export const talentImport: ImportSpec<TalentRow, Ready> = {
  kind: 'talents',
  label: '人才引进',
  columns: [
    { header: '姓名', field: 'name', required: true },
    { header: '学历学位', field: 'degree', required: true, aliases: ['学历', '学位'], hint: '博士、硕士、学士或其他' },
    { header: '职称或职务', field: 'title', aliases: ['职称', '职务'] },
    { header: '人才类别', field: 'category', required: true, hint: '高层次紧缺人才、高端创新人才或硕博及高端人才' },
    { header: '引进方式', field: 'mode', required: true, hint: '全职引进、柔性引进或科技副总' },
    { header: '用人企业', field: 'employer', required: true, aliases: ['引进单位', '企业'], hint: '企业名称或统一社会信用代码，须已登记' },
    { header: '所属行业', field: 'industry', hint: '空白时取用人企业的行业' },
    { header: '引进日期', field: 'date', required: true, type: 'date', hint: '如 2026-03-15、2026/3/15、2026年3月15日或 Excel 日期' },
    { header: '来源说明', field: 'source', aliases: ['备注'] },
  ],
  schema: talentRow,
  prepare(c) {
    return {
      name: c.name,
      degree: codeFrom('degree', c.degree),
      title: c.title,
      category: codeFrom('talentCategory', c.category),
      mode: codeFrom('talentMode', c.mode),
      employer: c.employer,
      industry: codeFrom('industry', c.industry),
      date: c.date,
      source: c.source,
    };
  },
  async preload(): Promise<Lookups> {
    const enterprises = await enterprisesByReference();
    const talents = await Talent.find({ deletedAt: null }).select('name employer date').lean<TalentDoc[]>();
    return { enterprises, existing: new Map(talents.map((t) => [identity(t.name, t.employer, t.date), String(t._id)])) };
  },
  async resolve(input, lookups) {
    const l = lookups as Lookups;
    const employer = l.enterprises.get(input.employer) ?? l.enterprises.get(input.employer.toUpperCase());
    if (!employer) return { errors: { employer: `企业“${input.employer}”尚未登记，请先导入企业名录。` } };
    const ready: Ready = {
      name: input.name,
      degree: input.degree,
      title: input.title,
      category: input.category,
      mode: input.mode,
      employer: String(employer._id),
      employerName: employer.name,
      town: employer.town,
      industry: input.industry ?? employer.industry,
      date: input.date,
      year: yearOf(input.date),
      source: input.source ? { note: input.source } : {},
    };
    return { ready, existingId: l.existing.get(identity(ready.name, ready.employer, ready.date)) };
  },
  keyOf: (r) => identity(r.name, r.employer, r.date),
  labelOf: (r) => r.name,
  // New records count at once, as the bureau's; an update corrects the facts and leaves the verification be.
  write: (chunk, batch) => insertOrUpdate(Talent, chunk, batch, { onCreate: { verified: true, verifiedAt: clock.now(), verifiedByName: '数据导入', createdByName: '数据导入' } }),
  rollback: async (batch) => (await Talent.deleteMany({ importBatch: batch })).deletedCount,
};
