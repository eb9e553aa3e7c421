// Spreadsheet import and export of research results: institution and lead expert by name, price in 万元,
// patents as "专利号 名称" separated by semicolons. An existing result (same institution and title) is updated.
import { insertOrUpdate, type ImportSpec, type Resolution } from '../platform/io/import.ts';
import { wanToYuan } from '../platform/http/fields.ts';
import { clock } from '../platform/clock.ts';
import { codeFrom, codesFrom, labelOf } from '../vocabulary/index.ts';
import { Institution, type InstitutionDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Result, type ResultDoc } from './model.ts';
import { resultRow, type ResultRow } from './schema.ts';
import type { ResultView } from './service.ts';

type Ready = Omit<ResultRow, 'institution' | 'leadExpert' | 'draft'> & {
  institution: string;
  institutionName: string;
  province: string;
  city: string;
  leadExpert?: string;
  leadExpertName?: string;
  status: 'published' | 'draft';
};

interface Lookups {
  institutions: Map<string, InstitutionDoc>;
  experts: Map<string, ExpertDoc>;
  existing: Map<string, string>;
}

export const resultImport: ImportSpec<ResultRow, Ready> = {
  kind: 'results',
  label: '科技成果',
  columns: [
    { header: '成果名称', field: 'title', required: true, aliases: ['名称', '标题'] },
    { header: '所属机构', field: 'institution', required: true, aliases: ['完成单位', '机构'], hint: '须已登记的高校院所名称' },
    { header: '所属行业', field: 'industry', required: true, aliases: ['行业'] },
    { header: '成熟度', field: 'maturity', required: true, hint: '实验室、小试、中试 或 产业化' },
    { header: '成果简介', field: 'abstract', required: true, aliases: ['简介', '摘要'] },
    { header: '关键词', field: 'keywords', required: true, hint: '用顿号分隔' },
    { header: '转化方式', field: 'transferModes', hint: '如：技术转让、技术许可' },
    { header: '转让报价（万元）', field: 'askingPrice', type: 'money', aliases: ['报价', '转让报价'], hint: '空白表示面议' },
    { header: '成果负责人', field: 'leadExpert', aliases: ['负责人'], hint: '已登记专家的姓名（可空）' },
    { header: '专利', field: 'patents', hint: '“专利号 名称”，多项用分号分隔' },
  ],
  schema: resultRow,
  prepare: (c) =>
    wanToYuan(
      {
        title: c.title,
        institution: c.institution,
        industry: codeFrom('industry', c.industry),
        maturity: codeFrom('maturity', c.maturity),
        abstract: c.abstract,
        keywords: c.keywords,
        transferModes: codesFrom('cooperationMode', c.transferModes),
        askingPrice: c.askingPrice,
        leadExpert: c.leadExpert,
        patents: c.patents || undefined,
      },
      ['askingPrice'],
    ),
  async preload(): Promise<Lookups> {
    const [institutions, experts, existing] = await Promise.all([
      Institution.find({ deletedAt: null }).lean<InstitutionDoc[]>(),
      Expert.find({ deletedAt: null }).select('name institution institutionName').lean<ExpertDoc[]>(),
      Result.find({ deletedAt: null }).select('institution title').lean<ResultDoc[]>(),
    ]);
    return {
      institutions: new Map(institutions.map((d) => [d.name, d])),
      // An expert is found by name within the result's institution, or by name alone when unique.
      experts: new Map(experts.flatMap((d) => [[`${d.institutionName ?? ''}|${d.name}`, d] as const, [d.name, d] as const])),
      existing: new Map(existing.map((d) => [`${d.institution}|${d.title}`, String(d._id)])),
    };
  },
  async resolve(input, lookups): Promise<Resolution<Ready>> {
    const { institutions, experts, existing } = lookups as Lookups;
    const institution = institutions.get(input.institution);
    if (!institution) return { errors: { institution: `机构“${input.institution}”尚未登记，请先导入高校院所名录。` } };
    const { institution: _i, leadExpert, draft, ...fields } = input;
    void _i;
    const ready: Ready = {
      ...fields,
      institution: String(institution._id),
      institutionName: institution.name,
      province: institution.province,
      city: institution.city,
      status: draft ? 'draft' : 'published',
    };
    if (leadExpert) {
      const expert = experts.get(`${institution.name}|${leadExpert}`) ?? experts.get(leadExpert);
      if (!expert) return { errors: { leadExpert: `专家“${leadExpert}”尚未登记。` } };
      ready.leadExpert = String(expert._id);
      ready.leadExpertName = expert.name;
    }
    return { ready, existingId: existing.get(`${ready.institution}|${ready.title}`) };
  },
  keyOf: (r) => `${r.institution}|${r.title}`,
  labelOf: (r) => r.title,
  async write(chunk, batch) {
    const now = clock.now();
    // A draft the file publishes gets its first publication time before the row is written (service.ts does the same).
    const firstPublished = chunk
      .filter((r) => r.existingId && r.ready.status === 'published')
      .map((r) => ({ updateOne: { filter: { _id: r.existingId, status: 'draft' as const, publishedAt: null }, update: { $set: { publishedAt: now } } } }));
    if (firstPublished.length) await Result.bulkWrite(firstPublished, { ordered: true });
    await insertOrUpdate(Result, chunk, batch, { onCreate: (r) => (r.status === 'published' ? { publishedAt: now } : {}), searchMark: true });
  },
  rollback: async (batch) => (await Result.deleteMany({ importBatch: batch })).deletedCount,
};

export const resultExport = {
  sheet: '科技成果',
  columns: resultImport.columns.map((c) => ({ header: c.header })),
  row: (v: ResultView) => [
    v.title,
    v.institution.name,
    labelOf('industry', v.industry),
    labelOf('maturity', v.maturity),
    v.abstract,
    v.keywords.join('、'),
    v.transferModes.map((m) => labelOf('cooperationMode', m)).join('、'),
    v.askingPrice == null ? '' : v.askingPrice / 10_000,
    v.leadExpert?.name ?? '',
    v.patents.map((p) => `${p.number}${p.title ? ' ' + p.title : ''}`).join('；'),
  ],
};
