// Inputs of the talents module (人才引进). The person's name and degree are personal data: they are taken
// here and shown to organizers (and to whoever entered them) only.
import { z } from 'zod';
import { code, dateOnly, objectId, optionalText, text } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { degree, industry, talentCategory, talentMode, town } from '../vocabulary/index.ts';
import { clock } from '../platform/clock.ts';

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

const talentFields = {
  name: text('姓名', 2, 30),
  degree: code(degree.keys, '学历学位'),
  title: optionalText('职称或职务', 40),
  category: code(talentCategory.keys, '人才类别'),
  mode: code(talentMode.keys, '引进方式'),
  employer: objectId('用人企业'),
  industry: code(industry.keys, '所属行业'),
  date: dateOnly('引进日期').pipe(z.date({ error: '请填写引进日期。' })),
  source: z.preprocess(
    (v) => (v && typeof v === 'object' && Object.values(v).every((x) => x === '' || x === undefined || x === null) ? undefined : v),
    z.strictObject({ campaign: z.preprocess(blank, objectId('来源活动').optional()), note: optionalText('来源说明', 200) }, { error: '来源格式不正确。' }).optional(),
  ),
};

function notInFuture(v: { date?: Date | undefined }, ctx: z.RefinementCtx): void {
  if (v.date instanceof Date && v.date.getTime() > clock.ms() + 24 * 3600_000) ctx.addIssue({ code: 'custom', path: ['date'], message: '引进日期不能晚于今天。' });
}
const always = { when: () => true };

export const talentInput = z.strictObject(talentFields).superRefine(notInFuture, always);
export type TalentInput = z.output<typeof talentInput>;
export const talentPatch = z.strictObject(talentFields).partial().superRefine(notInFuture, always);

/** A row of a talent spreadsheet: the employer by name or 统一社会信用代码; the industry defaults to the employer's. */
export const talentRow = z
  .strictObject({
    ...talentFields,
    employer: text('用人企业', 2, 100),
    industry: z.preprocess(blank, code(industry.keys, '所属行业').optional()),
    source: optionalText('来源说明', 200),
  })
  .superRefine(notInFuture, always);
export type TalentRow = z.output<typeof talentRow>;

export const talentQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  category: z.enum(talentCategory.keys).optional().catch(undefined),
  mode: z.enum(talentMode.keys).optional().catch(undefined),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  state: z.enum(['verified', 'pending']).optional().catch(undefined),
});
export type TalentQuery = z.output<typeof talentQuery>;
