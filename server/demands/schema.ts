// Inputs of the demands module: the need itself, its broker-assisted clarification, status changes and
// list queries. Money is integer 元 here; forms and imports convert from 万元 first.
import { z } from 'zod';
import { cleanString, code, codeList, dateOnly, flag, objectId, optionalText, termList, text, yuan } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { cooperationMode, demandKind, demandStatus, industry, maturity, town } from '../vocabulary/index.ts';

const always = { when: () => true };

export const demandFields = {
  title: text('需求名称', 5, 60),
  description: text('需求描述', 20, 3000),
  industry: code(industry.keys, '所属行业'),
  keywords: termList('关键词', { min: 1, max: 10, maxLength: 20 }),
  kind: z.preprocess((v) => (v === '' || v === undefined ? 'tech-problem' : v), code(demandKind.keys, '需求类型')),
  cooperationModes: codeList(cooperationMode.keys, '合作方式'),
  budgetMin: yuan('预算下限'),
  budgetMax: yuan('预算上限'),
  deadline: dateOnly('截止日期'),
  jiebang: flag.optional(),
  visibility: z.preprocess((v) => (v === '' || v === undefined ? 'public' : v), z.enum(['public', 'members'], { error: '请选择公开范围。' })),
  /** The enterprise posting the need; an enterprise account may leave it out (its own is used). */
  enterprise: objectId('发布企业').optional(),
  /** Save as a draft instead of publishing. */
  draft: flag.optional(),
};

function budgetOrder(v: { budgetMin?: number | undefined; budgetMax?: number | undefined }, ctx: z.RefinementCtx): void {
  if (typeof v.budgetMin === 'number' && typeof v.budgetMax === 'number' && v.budgetMin > v.budgetMax) {
    ctx.addIssue({ code: 'custom', path: ['budgetMax'], message: '预算上限不能低于下限。' });
  }
}

export const demandInput = z.strictObject(demandFields).superRefine(budgetOrder, always);

/** A spreadsheet row: the same fields, with the enterprise named by its name or credit code. */
export const demandRow = z
  .strictObject({ ...demandFields, enterprise: cleanString('发布企业').min(1, '请填写发布企业。').max(60, '发布企业不能超过 60 个字。') })
  .superRefine(budgetOrder, always);
export type DemandRow = z.output<typeof demandRow>;
export type DemandInput = z.output<typeof demandInput>;
export const demandPatch = z.strictObject(demandFields).partial().superRefine(budgetOrder, always);

export const clarificationInput = z.strictObject({
  indicator: optionalText('关键技术指标', 300),
  bottleneck: optionalText('当前瓶颈', 500),
  targetMaturity: z.preprocess((v) => (v === '' ? undefined : v), code(maturity.keys, '期望成熟度').optional()),
  budgetNote: optionalText('预算说明', 200),
  deadlineNote: optionalText('时间要求', 200),
});
export type ClarificationInput = z.output<typeof clarificationInput>;

export const transitionInput = z.strictObject({
  status: code(demandStatus.keys, '目标状态'),
  note: optionalText('说明', 300),
});

export const assignBrokerInput = z.strictObject({
  broker: z.preprocess((v) => (v === '' ? null : v), z.union([objectId('技术经纪人'), z.null()])),
});

export const demandQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  kind: z.enum(demandKind.keys).optional().catch(undefined),
  status: z.enum(demandStatus.keys).optional().catch(undefined),
  /** smallest acceptable budget, in 万元 (needs whose upper budget reaches it) */
  budget: z.coerce.number().min(0).max(100_000).optional().catch(undefined),
  jiebang: z.enum(['1']).optional().catch(undefined),
  enterprise: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  broker: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  /** only the viewer's own needs (their enterprise's, or assigned to them as broker) */
  mine: z.enum(['1']).optional().catch(undefined),
  sort: z.enum(['newest', 'budget', 'deadline']).optional().catch(undefined),
});
export type DemandQuery = z.output<typeof demandQuery>;
