// Inputs for experts — forms, API and imports alike.
import { z } from 'zod';
import { codeList, displayName, flag, objectId, optionalText, termList, text } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { contactInput } from '../contacts/schema.ts';
import { industry } from '../vocabulary/index.ts';


export const expertInput = z.strictObject({
  name: displayName('姓名', 2, 30),
  title: text('职称', 2, 20),
  // An institution on the platform (its name and city are copied); "" or null means "not on the platform".
  institution: z.preprocess((v) => (v === '' ? null : v), objectId('所在单位').nullable().optional()),
  institutionName: optionalText('所在单位名称', 60),
  industries: codeList(industry.keys, '产业领域', 1, 3),
  keywords: termList('专长关键词', { min: 1, max: 10, maxLength: 20 }),
  bio: optionalText('个人简介', 1000),
  availableForVisits: flag.optional(),
  contact: contactInput,
});
export type ExpertInput = z.output<typeof expertInput>;
export const expertPatch = expertInput.partial();

export const expertQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  industry: z.enum(industry.keys).optional().catch(undefined),
  availableForVisits: z.enum(['1']).optional().catch(undefined),
  institution: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
});
export type ExpertQuery = z.output<typeof expertQuery>;
