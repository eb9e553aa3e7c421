// Inputs of the targets module: a target row of the breakdown table, a manual progress entry, and the
// progress and drill-down queries. A scope is written as people write it — "district" or 全区, a town's code
// or name, a responsible unit's name — and stored as { kind, code }.
import { z } from 'zod';
import { optionalText, termList } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { town, units } from '../vocabulary/index.ts';
import { INDICATOR_CODES, indicator } from './indicators.ts';

export type ScopeKind = 'district' | 'town' | 'unit';
export interface Scope {
  kind: ScopeKind;
  code: string;
}

export const DISTRICT: Scope = { kind: 'district', code: 'district' };

/** A scope from its written form; undefined when it names nothing known. */
export function scopeFrom(text: string): Scope | undefined {
  const t = text.trim();
  if (t === 'district' || t === '全区' || t === '东宝区') return DISTRICT;
  if ((town.keys as readonly string[]).includes(t)) return { kind: 'town', code: t };
  const byLabel = Object.entries(town.labels).find(([, label]) => label === t);
  if (byLabel) return { kind: 'town', code: byLabel[0] };
  if ((units as readonly string[]).includes(t)) return { kind: 'unit', code: t };
  return undefined;
}

/** The written form of a scope ("district", a town code, a unit name), as the API and forms use it. */
export const scopeKey = (s: Scope): string => (s.kind === 'district' ? 'district' : s.code);

export const scopeField = z.preprocess(
  (v) => (v === undefined || v === null || v === '' ? 'district' : v),
  z.string({ error: '范围应为 district（全区）、镇街园区或责任单位名称。' }).transform((v, ctx) => {
    const scope = scopeFrom(v);
    if (!scope) {
      ctx.addIssue({ code: 'custom', message: `范围“${v}”无效：应为 district（全区）、镇街园区（如 lixi 或 栗溪镇）或责任单位（如 区科技局）。` });
      return z.NEVER;
    }
    return scope;
  }),
);

const year = (label: string) =>
  z.coerce.number({ error: `${label}应为年份，如 2026。` }).int(`${label}应为年份，如 2026。`).min(2000, `${label}不能早于 2000 年。`).max(2100, `${label}不能晚于 2100 年。`);
const optionalYear = (label: string) => z.preprocess((v) => (v === '' || v === null ? undefined : v), year(label).optional());

const targetFields = {
  indicator: z.enum(INDICATOR_CODES, { error: '请选择指标。' }),
  /** a single year … */
  year: optionalYear('年份'),
  /** … or a span such as 2021–2025 */
  startYear: optionalYear('起始年份'),
  endYear: optionalYear('截止年份'),
  scope: scopeField,
  value: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number({ error: '目标值必须是数字。' }).finite('目标值必须是数字。').positive('目标值应大于 0。').max(1e13, '目标值过大。'),
  ),
  lead: optionalText('牵头单位', 30),
  responsible: termList('责任单位', { max: 10, maxLength: 30 }).optional(),
  note: optionalText('备注', 200),
};

type TargetDraft = { indicator: string; year?: number | undefined; startYear?: number | undefined; endYear?: number | undefined; value?: number | undefined };

/** The period is a year or a span of at most ten years; counts are whole numbers, 元 amounts too. */
function periodAndValue(v: TargetDraft, ctx: z.RefinementCtx): void {
  // Runs even when fields failed: only well-typed values are compared.
  if ([v.year, v.startYear, v.endYear, v.value].some((x) => x !== undefined && typeof x !== 'number')) return;
  if (v.year === undefined) {
    if (v.startYear === undefined) ctx.addIssue({ code: 'custom', path: ['year'], message: '请填写年份，或起止年份（如 2021–2025）。' });
    else if (v.endYear === undefined) ctx.addIssue({ code: 'custom', path: ['endYear'], message: '请填写截止年份。' });
    else if (v.endYear < v.startYear) ctx.addIssue({ code: 'custom', path: ['endYear'], message: '截止年份不能早于起始年份。' });
    else if (v.endYear - v.startYear > 9) ctx.addIssue({ code: 'custom', path: ['endYear'], message: '目标期最长 10 年。' });
  } else if (v.startYear !== undefined || v.endYear !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['year'], message: '年份和起止年份只填一种。' });
  }
  const ind = indicator(v.indicator);
  if (ind && v.value !== undefined && (ind.format === 'count' || ind.format === 'money') && !Number.isInteger(v.value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: ind.format === 'money' ? '金额目标应为整数（元）。' : `目标值应为整数（${ind.unit}）。` });
  }
  if (ind?.format === 'percent' && v.value !== undefined && v.value > 100) ctx.addIssue({ code: 'custom', path: ['value'], message: '比例不能超过 100%。' });
}
const always = { when: () => true };

const normalise = <T extends TargetDraft>({ year: y, startYear, endYear, ...rest }: T) => ({
  ...rest,
  startYear: (y ?? startYear)!,
  endYear: (y ?? endYear)!,
});

export const targetInput = z.strictObject(targetFields).superRefine(periodAndValue, always).transform(normalise);
export type TargetInput = z.output<typeof targetInput>;
/** A PATCH: any subset; the service merges it with the stored row and checks the whole again. */
export const targetPatch = z.strictObject(targetFields).partial();
export type TargetPatch = z.output<typeof targetPatch>;

/** A manual progress entry for an indicator the platform does not record (R&D ratio, patents …). */
export const entryInput = z
  .strictObject({
    indicator: z.enum(INDICATOR_CODES, { error: '请选择指标。' }).refine((c) => indicator(c)?.source === 'manual', '该指标由平台根据登记的记录自动计算，不能手工填报。'),
    year: year('年份'),
    scope: scopeField,
    value: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.coerce.number({ error: '完成值必须是数字。' }).finite('完成值必须是数字。').min(0, '完成值不能为负数。').max(1e13, '完成值过大。')),
    note: optionalText('说明', 300),
  })
  .superRefine((v, ctx) => {
    if (typeof v.value !== 'number') return;
    const ind = indicator(v.indicator);
    if (ind?.format === 'percent' && v.value > 100) ctx.addIssue({ code: 'custom', path: ['value'], message: '比例不能超过 100%。' });
    if ((ind?.format === 'count' || ind?.format === 'money') && !Number.isInteger(v.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: '完成值应为整数。' });
  });
export type EntryInput = z.output<typeof entryInput>;

export const progressQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  scope: z.string().max(30).optional().catch(undefined),
  indicator: z.enum(INDICATOR_CODES).optional().catch(undefined),
});
export type ProgressQuery = z.output<typeof progressQuery>;

/** The records behind one figure: an indicator over years, in a scope. */
export const recordsQuery = pageQuery.extend({
  indicator: z.enum(INDICATOR_CODES, { error: '请指定指标。' }),
  from: year('起始年份'),
  to: year('截止年份'),
  scope: scopeField,
  /** contracts: which date counts */
  by: z.enum(['registered', 'signed']).optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(500).catch(100).default(100),
});
export type RecordsQuery = z.output<typeof recordsQuery>;

export const targetQuery = pageQuery.extend({
  indicator: z.enum(INDICATOR_CODES).optional().catch(undefined),
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(100).catch(100).default(100),
});
export type TargetQuery = z.output<typeof targetQuery>;
