// Inputs of the results module. Asking price is integer 元 (forms and imports convert from 万元).
import { z } from 'zod';
import { cleanString, code, codeList, flag, objectId, termList, text, yuan } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { cooperationMode, industry, maturity } from '../vocabulary/index.ts';

const patent = z.strictObject({
  number: z
    .string({ error: '请填写专利号。' })
    .trim()
    .regex(/^(ZL|CN)?\s?\d{8,13}(\.[\dX]|[A-Z])?$/i, '专利号格式应如 ZL202110123456.7。'),
  title: cleanString('专利名称').max(100, '专利名称不能超过 100 个字。').optional(),
});

/** Patents from an array, or from text with one patent per line: "ZL202110123456.7 一种……方法". */
export const patentList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(/\n|；|;/)
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const [number = '', ...rest] = line.split(/\s+/);
            return { number, title: rest.join(' ') || undefined };
          })
      : v,
  z.array(patent, { error: '专利格式不正确。' }).max(20, '最多填写 20 项专利。'),
);

export const resultFields = {
  title: text('成果名称', 4, 60),
  abstract: text('成果简介', 20, 3000),
  industry: code(industry.keys, '所属行业'),
  keywords: termList('关键词', { min: 1, max: 10, maxLength: 20 }),
  maturity: code(maturity.keys, '成熟度'),
  institution: objectId('所属机构').optional(),
  leadExpert: z.preprocess((v) => (v === '' ? undefined : v), objectId('成果负责人').optional()),
  transferModes: codeList(cooperationMode.keys, '转化方式'),
  askingPrice: yuan('转让报价'),
  patents: patentList.optional(),
  draft: flag.optional(),
};

export const resultInput = z.strictObject(resultFields);
export type ResultInput = z.output<typeof resultInput>;
export const resultPatch = resultInput.partial();

/** A spreadsheet row: institution and lead expert by name. */
export const resultRow = z.strictObject({
  ...resultFields,
  institution: cleanString('所属机构').min(1, '请填写所属机构。').max(60, '所属机构不能超过 60 个字。'),
  leadExpert: z.preprocess((v) => (v === '' ? undefined : v), cleanString('成果负责人').max(30, '成果负责人不能超过 30 个字。').optional()),
});
export type ResultRow = z.output<typeof resultRow>;

export const resultQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  industry: z.enum(industry.keys).optional().catch(undefined),
  maturity: z.enum(maturity.keys).optional().catch(undefined),
  mode: z.enum(cooperationMode.keys).optional().catch(undefined),
  institution: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  /** highest acceptable asking price, in 万元 */
  price: z.coerce.number().min(0).max(100_000).optional().catch(undefined),
  mine: z.enum(['1']).optional().catch(undefined),
  sort: z.enum(['newest', 'price']).optional().catch(undefined),
});
export type ResultQuery = z.output<typeof resultQuery>;
