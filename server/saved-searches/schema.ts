// Input of a saved search, for the API (`{ q, filters, frequency }`) and the search page's form (flat fields,
// gathered into the same shape by pages.ts). Unlike the search page, which ignores a filter it does not know,
// a saved search refuses it, naming the field: a search saved with a typo would silently match everything.
import { z } from 'zod';
import { cleanString } from '../platform/http/fields.ts';
import { DOC_KINDS } from '../platform/search/port.ts';
import { FINDABLE } from '../search/visibility.ts';
import { industry, maturity, town } from '../vocabulary/index.ts';
import { FREQUENCIES } from './model.ts';

export const Q_MAX = 100;
export const FILTER_KEYS = ['kind', 'industry', 'town', 'maturity', 'status', 'budgetMin', 'budgetMax', 'priceMax'] as const;

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const oneOf = (values: readonly string[], label: string) =>
  z.preprocess(blank, z.enum(values as [string, ...string[]], { error: `未知的${label}。` }).optional());
const wan = (label: string) =>
  z.preprocess(
    blank,
    z.coerce.number({ error: `${label}必须是数字（万元）。` }).refine(Number.isFinite, `${label}必须是数字（万元）。`).min(0, `${label}不能为负数。`).max(1e6, `${label}不能超过 1000000 万元。`).optional(),
  );

export const savedFilters = z
  .strictObject(
    {
      kind: oneOf(DOC_KINDS, '类型'),
      industry: oneOf(industry.keys, '行业代码'),
      town: oneOf(town.keys, '乡镇代码'),
      maturity: oneOf(maturity.keys, '成熟度'),
      status: oneOf(FINDABLE, '状态（只能选择已发布、对接中、洽谈中或已签约）'),
      budgetMin: wan('最低预算'),
      budgetMax: wan('最高预算'),
      priceMax: wan('最高报价'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `不支持的筛选条件：${issue.keys.join('、')}。可用：${FILTER_KEYS.join('、')}。` : '筛选条件必须是一个对象。') },
  )
  .superRefine((f, ctx) => {
    if (f.budgetMin !== undefined && f.budgetMax !== undefined && f.budgetMin > f.budgetMax) {
      ctx.addIssue({ code: 'custom', path: ['budgetMax'], message: '最高预算不能低于最低预算。' });
    }
  });
export type SavedFilters = z.output<typeof savedFilters>;

export const savedSearchInput = z
  .object({
    q: z.preprocess((v) => (v === undefined || v === null ? '' : v), cleanString('关键词').max(Q_MAX, `关键词不能超过 ${Q_MAX} 个字。`)),
    filters: z.preprocess((v) => (v === undefined || v === null ? {} : v), savedFilters),
    frequency: z.enum(FREQUENCIES, { error: '请选择发送频率：daily（每天）或 weekly（每周）。' }),
  })
  .superRefine((v, ctx) => {
    if (!v.q && Object.values(v.filters ?? {}).every((x) => x === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['q'], message: '请填写关键词，或至少选择一个筛选条件。' });
    }
  });
export type SavedSearchInput = z.output<typeof savedSearchInput>;
