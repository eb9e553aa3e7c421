// Field types shared by the zod schemas of every module: forms send strings, the API sends JSON and the
// importer sends spreadsheet cells, and one schema takes all three.
import { z } from 'zod';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Required text, trimmed, with a length range (characters, not bytes). */
export const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}。` })
    .trim()
    .min(1, `请填写${label}。`)
    .min(min, `${label}至少 ${min} 个字。`)
    .max(max, `${label}不能超过 ${max} 个字。`);

/** Optional text: empty means absent. */
export const optionalText = (label: string, max: number) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, `${label}不能超过 ${max} 个字。`).optional());

// Lists report their problems on the list itself ("keywords"), not on an item ("keywords.3"): a form shows
// the message next to the keyword box or the checkbox group. An absent list is an empty one.

/** A list of short terms, from an array or from text separated by 、，,；; or new lines; duplicates dropped. */
export const termList = (label: string, opts: { min?: number; max: number; maxLength: number }) =>
  z.preprocess(
    (v) => {
      const items = v === undefined || v === null ? [] : Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[、，,；;\n]+/) : v;
      return Array.isArray(items) ? items.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '') : items;
    },
    z.array(z.unknown(), { error: `${label}格式不正确。` }).transform((items, ctx): string[] => {
      const problem = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
      if (items.some((s) => typeof s !== 'string')) return problem(`${label}格式不正确。`);
      const unique = [...new Set(items as string[])];
      if (unique.some((s) => Array.from(s).length > opts.maxLength)) return problem(`每个${label}不能超过 ${opts.maxLength} 个字。`);
      if (unique.length < (opts.min ?? 0)) return problem(`请至少填写 ${opts.min} 个${label}。`);
      if (unique.length > opts.max) return problem(`${label}最多 ${opts.max} 个。`);
      return unique;
    }),
  );

/** One code of a vocabulary. */
export const code = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `请选择${label}。` });

/** Several codes (checkboxes send one string, an array, or nothing), between `min` and `max` of them. */
export const codeList = <T extends readonly [string, ...string[]]>(values: T, label: string, min = 0, max: number = values.length) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.unknown(), { error: `${label}格式不正确。` }).transform((items, ctx): T[number][] => {
      const problem = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
      if (items.some((s) => typeof s !== 'string' || !values.includes(s))) return problem(`${label}中有无效的选项。`);
      const unique = [...new Set(items as T[number][])];
      if (unique.length < min) return problem(`请至少选择一项${label}。`);
      if (unique.length > max) return problem(`${label}最多选择 ${max} 项。`);
      return unique;
    }),
  );

/** Money as an integer number of 元 (forms and imports convert from 万元 first, see wanToYuan). */
export const yuan = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${label}必须是数字。` })
      .int(`${label}必须是整数（元）。`)
      .min(0, `${label}不能为负数。`)
      .max(1e12, `${label}过大。`)
      .optional(),
  );

/** A checkbox or boolean: "on", "true", "1", "是" and true are yes; anything absent is no. */
export const flag = z.preprocess(
  (v) => v === true || v === 'on' || v === 'true' || v === '1' || v === '是' || v === 'yes',
  z.boolean(),
);

/** A calendar date "YYYY-MM-DD" (or an ISO timestamp), as a Date at midnight Asia/Shanghai. */
export const dateOnly = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .union([z.string(), z.date()], { error: `${label}格式应为 年-月-日。` })
      .transform((v, ctx) => {
        if (v instanceof Date) return v;
        const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(v.trim());
        const d = m ? new Date(`${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}T00:00:00+08:00`) : null;
        if (!d || Number.isNaN(d.getTime())) {
          ctx.addIssue({ code: 'custom', message: `${label}格式应为 年-月-日，如 2026-12-31。` });
          return z.NEVER;
        }
        return d;
      })
      .optional(),
  );

/** A record id. */
export const objectId = (label: string) =>
  z.string({ error: `请选择${label}。` }).trim().regex(/^[0-9a-f]{24}$/i, `${label}无效。`);

/**
 * Forms and spreadsheets give money in 万元; the schemas take integer 元. Converts the named fields in
 * place; anything that is not a number is left for the schema to report.
 */
export function wanToYuan(input: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out = { ...input };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v.trim().replace(/,/g, ''));
      if (Number.isFinite(n)) out[f] = Math.round(n * 10_000);
    } else if (typeof v === 'number') {
      out[f] = Math.round(v * 10_000);
    }
  }
  return out;
}

/** The other way, for filling a form from a stored record. */
export const yuanToWan = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v / 10_000));
