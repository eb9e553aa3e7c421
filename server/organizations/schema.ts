// Inputs for enterprises and institutions — forms, API and imports alike.
import { z } from 'zod';
import { code, displayName, flag, optionalText, text } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { contactInput } from '../contacts/schema.ts';
import { industry, institutionKind, scale, town } from '../vocabulary/index.ts';
import { creditCodeProblem } from './credit-code.ts';

export const enterpriseInput = z.strictObject({
  name: displayName('企业名称', 2, 60),
  creditCode: z
    .string({ error: '请填写统一社会信用代码。' })
    .trim()
    .transform((v) => v.toUpperCase())
    .superRefine((v, ctx) => {
      const problem = creditCodeProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  industry: code(industry.keys, '所属行业'),
  town: code(town.keys, '所在乡镇（街道、园区）'),
  scale: z.preprocess((v) => (v === '' ? undefined : v), code(scale.keys, '企业规模').optional()),
  highTech: flag.optional(),
  techSme: flag.optional(),
  intro: optionalText('企业简介', 1000),
  contact: contactInput,
});
export type EnterpriseInput = z.output<typeof enterpriseInput>;
export const enterprisePatch = enterpriseInput.partial();

export const enterpriseQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  scale: z.enum(scale.keys).optional().catch(undefined),
  highTech: z.enum(['1']).optional().catch(undefined),
});
export type EnterpriseQuery = z.output<typeof enterpriseQuery>;

export const institutionInput = z.strictObject({
  name: displayName('机构名称', 2, 60),
  kind: code(institutionKind.keys, '机构类型'),
  province: text('所在省份', 2, 20),
  city: text('所在城市', 2, 20),
  intro: optionalText('机构简介', 1000),
  contact: contactInput,
});
export type InstitutionInput = z.output<typeof institutionInput>;
export const institutionPatch = institutionInput.partial();

export const institutionQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  kind: z.enum(institutionKind.keys).optional().catch(undefined),
  province: z.string().trim().max(20).optional(),
});
export type InstitutionQuery = z.output<typeof institutionQuery>;
