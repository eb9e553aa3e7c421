// Inputs for technology brokers — forms, API and imports alike.
import { z } from 'zod';
import { code, codeList, displayName, optionalText, text } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { contactInput } from '../contacts/schema.ts';
import { brokerLevel, industry } from '../vocabulary/index.ts';

export const brokerInput = z.strictObject({
  name: displayName('姓名', 2, 30),
  level: code(brokerLevel.keys, '经纪人等级'),
  organization: text('服务机构', 2, 60),
  specialties: codeList(industry.keys, '擅长领域', 1, 3),
  bio: optionalText('个人简介', 1000),
  contact: contactInput,
});
export type BrokerInput = z.output<typeof brokerInput>;
export const brokerPatch = brokerInput.partial();

export const brokerQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  level: z.enum(brokerLevel.keys).optional().catch(undefined),
  specialty: z.enum(industry.keys).optional().catch(undefined),
});
export type BrokerQuery = z.output<typeof brokerQuery>;

/** An organizer's limit on the broker's unconfirmed claims (server/matching/service.ts claim). */
export const claimLimitInput = z.object({
  claimLimit: z.coerce
    .number({ error: '请填写认领上限。' })
    .int('认领上限须为整数。')
    .min(0, '认领上限不能小于 0。')
    .max(500, '认领上限不能超过 500。'),
});
