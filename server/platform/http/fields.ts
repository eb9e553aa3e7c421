// Field types shared by the zod schemas of every module: forms send strings, the API sends JSON and the
// importer sends spreadsheet cells, and one schema takes all three. Every user-typed text goes through the
// text hygiene below (`cleanString`), so what is stored is what is shown.
import { z } from 'zod';
import { parseCalendarDate, yearOf } from '../time.ts';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

// ---- text hygiene ----------------------------------------------------------------------------------------------
// Text is stored in Unicode NFC. Refused, with a message naming the field:
//   - NUL and the other C0/C1 control characters; line breaks and tabs only in long text (multi-line fields);
//   - bidirectional controls (embeddings, overrides, isolates, LRM/RLM/ALM), which make text display other
//     than it reads — U+202E followed by "局技科区宝东" shows as "东宝区科技局";
//   - text that is nothing but whitespace and invisible characters (zero-width space/joiners, word joiner, BOM);
//   - runs of more than 3 combining marks ("Zalgo" text that spills over the lines around it).

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK = /[\t\n\r\u2028\u2029]/;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF\u180E\u3164\u115F\u1160\uFFA0]/gu;
const STACKED_MARKS = /\p{M}{4,}/u;

/** Text longer than this may hold line breaks and tabs (descriptions, notes); shorter text is one line. */
export const MULTILINE_FROM = 100;

export interface TextOptions {
  /** line breaks and tabs allowed (default: when the field may be longer than MULTILINE_FROM characters) */
  multiline?: boolean;
}

/** What is wrong with a piece of user text (already NFC), as a Chinese message naming the field; undefined when fine. */
export function textProblem(value: string, label: string, opts: TextOptions = {}): string | undefined {
  if (value === '') return undefined;
  if (CONTROL.test(value)) return `${label}含有空字符等不可见的控制字符，请删除后重新输入。`;
  if (!opts.multiline && LINE_BREAK.test(value)) return `${label}只能填写一行，不能包含换行或制表符。`;
  if (BIDI.test(value)) return `${label}含有改变文字显示方向的控制字符（如“从右向左覆盖”），显示出的文字会与实际内容不同，请删除后重新输入。`;
  if (value.replace(INVISIBLE, '') === '') return `${label}只有空白或不可见字符，请填写实际内容。`;
  if (STACKED_MARKS.test(value)) return `${label}含有连续叠加的组合符号（超过 3 个），请删除多余的符号。`;
  return undefined;
}

const nfc = (v: string) => v.normalize('NFC');

/**
 * A user-typed string: NFC, trimmed, and refused when `textProblem` finds something. Chain length checks
 * after it; its message comes first, so the form shows why the text was refused rather than its length.
 */
export const cleanString = (label: string, opts: TextOptions & { required?: string } = {}) =>
  z
    .string({ error: opts.required ?? `请填写${label}。` })
    .overwrite(nfc)
    .trim()
    .superRefine((v, ctx) => {
      const problem = textProblem(v, label, opts);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

// Names that would pass for the bureau or the platform's staff. Only organizer accounts may carry them.
const RESERVED_NAME_PARTS = ['科技局', '科学技术局', '管理员'];

/**
 * "区科技局", "科技局", "管理员" in a name, however spaced, punctuated or written in compatibility forms:
 * the message, or undefined. For accounts that are not organizers, and for profiles shown beside actions.
 */
export function reservedNameProblem(name: string): string | undefined {
  const folded = name.normalize('NFKC').replace(/[\p{Z}\p{P}\p{S}\p{C}\p{M}\s]/gu, '');
  if (RESERVED_NAME_PARTS.some((part) => folded.includes(part))) return '名称不能包含“科技局”“管理员”等字样：只有区科技局的账户可以使用，以免他人冒充。';
  return undefined;
}

/** Required text, trimmed, with a length range (characters, not bytes). */
export const text = (label: string, min: number, max: number, opts: TextOptions = {}) =>
  cleanString(label, { multiline: max > MULTILINE_FROM, ...opts })
    .min(1, `请填写${label}。`)
    .min(min, `${label}至少 ${min} 个字。`)
    .max(max, `${label}不能超过 ${max} 个字。`);

/** The name of a person or organisation shown beside what it does: text that may not pose as the bureau. */
export const displayName = (label: string, min: number, max: number) =>
  text(label, min, max).superRefine((v, ctx) => {
    const problem = v === '' ? undefined : reservedNameProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Optional text: empty means absent. */
export const optionalText = (label: string, max: number, opts: TextOptions = {}) =>
  z.preprocess(blankToUndefined, cleanString(label, { multiline: max > MULTILINE_FROM, ...opts }).max(max, `${label}不能超过 ${max} 个字。`).optional());

/** Marks, in the API documentation's JSON Schema, a list that may be left out (it is then empty). */
export const EMPTY_WHEN_ABSENT = 'x-empty-when-absent';

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
      const unique = [...new Set((items as string[]).map(nfc))];
      for (const s of unique) {
        const bad = textProblem(s, label);
        if (bad) return problem(bad);
      }
      if (unique.some((s) => Array.from(s).length > opts.maxLength)) return problem(`每个${label}不能超过 ${opts.maxLength} 个字。`);
      if (unique.length < (opts.min ?? 0)) return problem(`请至少填写 ${opts.min} 个${label}。`);
      if (unique.length > opts.max) return problem(`${label}最多 ${opts.max} 个。`);
      return unique;
    }),
  ).meta({ type: 'array', items: { type: 'string', maxLength: opts.maxLength }, ...(opts.min ? { minItems: opts.min } : {}), maxItems: opts.max, [EMPTY_WHEN_ABSENT]: true }); // for the API documentation (http/api-docs.ts)

/** One code of a vocabulary. */
export const code = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `请选择${label}。` });

/** Several codes (checkboxes send one string, an array, or nothing), between `min` and `max` of them. */
export const codeList = <T extends readonly [string, ...string[]]>(values: T, label: string, min = 0, max: number = values.length) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : typeof v === 'string' ? [v] : v),
    z.array(z.unknown(), { error: `${label}格式不正确。` }).transform((items, ctx): T[number][] => {
      const problem = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
      if (items.some((s) => typeof s !== 'string' || !values.includes(s))) {
        ctx.addIssue({ code: 'custom', message: `${label}中有无效的选项。`, params: { allowed: values } });
        return z.NEVER;
      }
      const unique = [...new Set(items as T[number][])];
      if (unique.length < min) return problem(`请至少选择一项${label}。`);
      if (unique.length > max) return problem(`${label}最多选择 ${max} 项。`);
      return unique;
    }),
  ).meta({ type: 'array', items: { type: 'string', enum: [...values] }, ...(min ? { minItems: min } : {}), maxItems: max, [EMPTY_WHEN_ABSENT]: true }); // for the API documentation (http/api-docs.ts)

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

/**
 * A calendar date (server/platform/time.ts `parseCalendarDate`: "2026-12-03", "2026/12/3", "2026年12月3日", an
 * ISO instant, a spreadsheet's date cell), as the Date of midnight in Beijing. A day that does not exist is an
 * error, never rolled over; `years` bounds the year (signing and registration dates: 2000 to next year).
 */
export const dateOnly = (label: string, opts: { years?: { from: number; to: () => number } } = {}) =>
  z.preprocess(
    blankToUndefined,
    z
      .union([z.string(), z.date()], { error: `${label}格式应为 年-月-日，如 2026-12-31。` })
      .transform((v, ctx) => {
        const d = parseCalendarDate(v);
        if (!d) {
          ctx.addIssue({ code: 'custom', message: `${label}不是有效的日期，请写成 2026-12-31、2026/12/31 或 2026年12月31日。` });
          return z.NEVER;
        }
        const years = opts.years;
        if (years) {
          const year = yearOf(d);
          const to = years.to();
          if (year < years.from || year > to) {
            ctx.addIssue({ code: 'custom', message: `${label}应在 ${years.from} 年到 ${to} 年之间。` });
            return z.NEVER;
          }
        }
        return d;
      })
      .optional(),
  ).meta({ type: 'string', format: 'date' }); // for the API documentation (http/api-docs.ts)

/** An e-mail address a person types: trimmed, at most 254 characters, well formed. */
export const emailAddress = z
  .string({ error: '请填写邮箱。' })
  .trim()
  .min(1, '请填写邮箱。')
  .max(254, '邮箱过长。')
  .pipe(z.email({ error: '邮箱格式不正确。' }));

/** A record id. */
export const objectId = (label: string) =>
  z.string({ error: `请选择${label}。` }).trim().regex(/^[0-9a-f]{24}$/i, `${label}无效。`);

/** The money units people write, in 元. */
export const MONEY_UNITS = { 元: 1, 万元: 10_000, 亿元: 100_000_000 } as const;
export type MoneyUnit = keyof typeof MONEY_UNITS;

/** A unit written after an amount: 元, 万元, 亿元, or 万 / 亿 alone. */
export const UNIT_AFTER_AMOUNT = /(亿元|万元|元|亿|万)$/;

/**
 * An amount as people write it, in 元: "120" (in `unit`, 万元 unless said), "120万元", "1.2亿元", "1,200,000元",
 * "¥120万", full-width digits. Thousands separators must group by three ("1,2" is not an amount). Rounded to
 * whole 元; undefined when the text is not an amount.
 */
export function yuanFromText(text: string, unit: MoneyUnit = '万元'): number | undefined {
  let t = text.normalize('NFKC').replace(/\s+/g, '').replace(/^(?:人民币|¥|RMB)/i, '');
  const named = UNIT_AFTER_AMOUNT.exec(t)?.[1];
  if (named) t = t.slice(0, -named.length);
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(t)) return undefined;
  const factor = named ? MONEY_UNITS[(named.endsWith('元') ? named : `${named}元`) as MoneyUnit] : MONEY_UNITS[unit];
  return Math.round(Number(t) * factor);
}

/**
 * Forms and spreadsheets give money in 万元 unless the text names its unit ("120万元", "1.2亿元", "1,200,000元",
 * see yuanFromText); the schemas take integer 元. Converts the named fields in place; anything that is not an
 * amount is left for the schema to report.
 */
export function wanToYuan(input: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out = { ...input };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v.trim() !== '') {
      const yuanValue = yuanFromText(v);
      if (yuanValue !== undefined) out[f] = yuanValue;
    } else if (typeof v === 'number') {
      out[f] = Math.round(v * 10_000);
    }
  }
  return out;
}

/** The other way, for filling a form from a stored record. */
export const yuanToWan = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v / 10_000));
