// Spreadsheet import and export of technical needs. Budgets are in 万元 in the sheet; the enterprise is named
// by its name or its 统一社会信用代码. An existing need (same enterprise, same title) is updated.
import { insertOrUpdate, yesCell, type ImportSpec } from '../platform/io/import.ts';
import { wanToYuan } from '../platform/http/fields.ts';
import { isoDate } from '../platform/time.ts';
import { codeFrom, codesFrom, labelOf } from '../vocabulary/index.ts';
import type { EnterpriseDoc } from '../organizations/model.ts';
import { enterprisesByReference } from '../organizations/import.ts';
import { Demand, type DemandDoc } from './model.ts';
import { demandRow, type DemandRow } from './schema.ts';
import type { DemandView } from './service.ts';
import { clock } from '../platform/clock.ts';

type Ready = Omit<DemandRow, 'enterprise' | 'draft'> & { enterprise: string; enterpriseName: string; town: string; status: 'published' | 'draft' };

interface Lookups {
  enterprises: Map<string, EnterpriseDoc>;
  existing: Map<string, string>;
}

const wan = (v?: number | null) => (v == null ? '' : v / 10_000);

export const demandImport: ImportSpec<DemandRow, Ready> = {
  kind: 'demands',
  label: '技术需求',
  columns: [
    { header: '需求名称', field: 'title', required: true, aliases: ['需求标题', '标题'] },
    { header: '发布企业', field: 'enterprise', required: true, aliases: ['企业名称', '企业'], hint: '企业名称或统一社会信用代码，须已登记' },
    { header: '所属行业', field: 'industry', required: true, aliases: ['行业'] },
    { header: '需求类型', field: 'kind', hint: '如：技术难题攻关、工艺改进' },
    { header: '需求描述', field: 'description', required: true, aliases: ['描述'] },
    { header: '关键词', field: 'keywords', required: true, hint: '用顿号分隔' },
    { header: '合作方式', field: 'cooperationModes', hint: '如：合作开发、技术转让' },
    { header: '预算下限（万元）', field: 'budgetMin', type: 'money', aliases: ['预算下限'] },
    { header: '预算上限（万元）', field: 'budgetMax', type: 'money', aliases: ['预算上限'] },
    { header: '截止日期', field: 'deadline', type: 'date', hint: '如 2026-12-31' },
    { header: '揭榜挂帅', field: 'jiebang', hint: '是 / 否' },
    { header: '状态', field: 'status', hint: '已发布 或 草稿（默认已发布）' },
  ],
  schema: demandRow,
  prepare(c) {
    return wanToYuan(
      {
        title: c.title,
        description: c.description,
        industry: codeFrom('industry', c.industry),
        kind: codeFrom('demandKind', c.kind),
        keywords: c.keywords,
        cooperationModes: codesFrom('cooperationMode', c.cooperationModes),
        budgetMin: c.budgetMin,
        budgetMax: c.budgetMax,
        deadline: c.deadline,
        jiebang: yesCell(c.jiebang),
        draft: c.status?.trim() === '草稿' || c.status?.trim() === 'draft',
        enterprise: c.enterprise,
      },
      ['budgetMin', 'budgetMax'],
    );
  },
  async preload(): Promise<Lookups> {
    const enterprises = await enterprisesByReference();
    const existing = await Demand.find({ deletedAt: null }).select('enterprise title').lean<DemandDoc[]>();
    return { enterprises, existing: new Map(existing.map((d) => [`${d.enterprise}|${d.title}`, String(d._id)])) };
  },
  async resolve(input, lookups) {
    const { enterprises, existing } = lookups as Lookups;
    const ref = input.enterprise;
    const enterprise = enterprises.get(ref) ?? enterprises.get(ref.toUpperCase());
    if (!enterprise) return { errors: { enterprise: `企业“${ref}”尚未登记，请先导入企业名录。` } };
    const { draft, enterprise: _e, ...fields } = input;
    void _e;
    const ready: Ready = {
      ...fields,
      enterprise: String(enterprise._id),
      enterpriseName: enterprise.name,
      town: enterprise.town,
      status: draft ? 'draft' : 'published',
    };
    return { ready, existingId: existing.get(`${ready.enterprise}|${ready.title}`) };
  },
  keyOf: (r) => `${r.enterprise}|${r.title}`,
  labelOf: (r) => r.title,
  async write(chunk, batch) {
    const now = clock.now();
    await insertOrUpdate(Demand, chunk, batch, {
      onCreate: (r) => ({ publishedAt: r.status === 'published' ? now : undefined, statusHistory: [{ to: r.status, at: now, note: '批量导入' }] }),
      update: (r) => {
        const { status: _s, ...fields } = r; // an import never moves a need's status
        void _s;
        return { $set: fields };
      },
      searchMark: true,
    });
  },
  rollback: async (batch) => (await Demand.deleteMany({ importBatch: batch })).deletedCount,
};

export const demandExport = {
  sheet: '技术需求',
  columns: demandImport.columns.map((c) => ({ header: c.header })),
  row: (v: DemandView) => [
    v.title,
    v.enterprise.name,
    labelOf('industry', v.industry),
    labelOf('demandKind', v.kind),
    v.description,
    v.keywords.join('、'),
    v.cooperationModes.map((m) => labelOf('cooperationMode', m)).join('、'),
    wan(v.budgetMin),
    wan(v.budgetMax),
    isoDate(v.deadline),
    v.jiebang ? '是' : '否',
    v.status === 'draft' ? '草稿' : labelOf('demandStatus', v.status),
  ],
};
