// Input of a contact, shared by every form, the API and imports.
import { z } from 'zod';
import { optionalText } from '../platform/http/fields.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const contactInput = z
  .object({
    name: optionalText('联系人', 30),
    phone: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .regex(/^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, '请填写 11 位手机号或带区号的座机号。')
        .optional(),
    ),
    email: z.preprocess(blank, z.string().trim().max(254).pipe(z.email({ error: '邮箱格式不正确。' })).optional()),
    wechat: z.preprocess(blank, z.string().trim().regex(/^[A-Za-z][-_A-Za-z0-9]{5,19}$/, '微信号为 6–20 位字母、数字、下划线或减号，以字母开头。').optional()),
  })
  .optional();

export type ContactInput = z.output<typeof contactInput>;
