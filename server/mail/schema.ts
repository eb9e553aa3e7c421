// Inputs of the mail module: the outbox list's query and the /account preferences form.
import { z } from 'zod';
import { pageQuery } from '../platform/http/pager.ts';
import { MAIL_STATUSES } from './model.ts';
import { MAIL_CATEGORIES } from './messages.ts';

export const outboxQuery = pageQuery.extend({
  status: z.enum(MAIL_STATUSES).optional(),
});

const category = z.enum(Object.keys(MAIL_CATEGORIES) as [keyof typeof MAIL_CATEGORIES, ...(keyof typeof MAIL_CATEGORIES)[]]);

/** Checked boxes arrive as one value or a list; none checked → no field at all. */
export const preferencesInput = z.object({
  on: z
    .union([category, z.array(category).max(20)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

/** An unsubscribe token as it appears in the link (service.ts checks its signature). */
export const unsubscribeTokenParam = z.string().min(10).max(300).regex(/^[A-Za-z0-9._-]+$/);
