// Inputs of matching: suggestion queries, pipeline steps, overrides, contact requests and the organizers' queue.
import { z } from 'zod';
import { emailAddress, objectId, optionalText, text } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { isMailAddress } from '../mail/service.ts';
import { DECLINE_REASONS, MATCH_STATUSES } from './model.ts';
import { industry, town } from '../vocabulary/index.ts';

export const matchesQuery = z.object({
  kind: z.enum(['result', 'expert']).catch('result').default('result'),
  limit: z.coerce.number().int().min(1).max(50).catch(10).default(10),
});

export const shortlistInput = z.strictObject({
  kind: z.enum(['result', 'expert'], { error: '请选择对接对象类型。' }),
  id: objectId('对接对象'),
  note: optionalText('说明', 300),
});

export const moveInput = z.strictObject({
  status: z.enum(MATCH_STATUSES, { error: '请选择下一步。' }),
  note: optionalText('说明', 300),
  reason: z.preprocess((v) => (v === '' ? undefined : v), z.enum(Object.keys(DECLINE_REASONS) as [keyof typeof DECLINE_REASONS, ...(keyof typeof DECLINE_REASONS)[]], { error: '请选择原因。' }).optional()),
});

/** The enterprise confirms a step its broker recorded (service.ts confirmStep). */
export const confirmInput = z.strictObject({
  stage: z.enum(['intention', 'contracted'], { error: '请选择要确认的阶段：intention（达成意向）或 contracted（已签约）。' }),
});

export const overrideInput = z.strictObject({
  rank: z.coerce.number({ error: '请填写排序位置。' }).int('排序位置应为整数。').min(1, '排序位置从 1 开始。').max(100, '排序位置不能超过 100。'),
  reason: text('调整理由', 2, 200),
});

export const contactRequestInput = z.strictObject({
  kind: z.enum(['result', 'expert'], { error: '请选择对接对象类型。' }),
  id: objectId('对接对象'),
  demand: z.preprocess((v) => (v === '' ? undefined : v), objectId('关联需求').optional()),
  message: optionalText('留言', 500),
});

export const answerInput = z.strictObject({
  accept: z.preprocess((v) => v === true || v === 'true' || v === 'yes' || v === 'accept', z.boolean()),
  answer: optionalText('答复', 300),
});

/** An address an organizer forwards a request to (contact-queue.ts); it must also be one the outbox can send to. */
export const forwardInput = z.strictObject({
  email: emailAddress.refine(isMailAddress, '邮箱格式不正确。'),
});

/**
 * The broker's workbench (/broker): 待认领的需求 filtered by industry, town and a budget range in 万元 (needs whose
 * budget range meets it), sorted, a page at a time (ten by default: each row's best match score is looked up).
 */
export const workbenchQuery = pageQuery.extend({
  limit: z.coerce.number().int().min(1).max(50).catch(10).default(10),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  budgetMin: z.coerce.number().min(0).max(100_000).optional().catch(undefined),
  budgetMax: z.coerce.number().min(0).max(100_000).optional().catch(undefined),
  sort: z.enum(['newest', 'budget', 'deadline']).optional().catch(undefined),
});
export type WorkbenchQuery = z.output<typeof workbenchQuery>;

export const QUEUE_STATUSES = { pending: '待答复', accepted: '已同意', declined: '已拒绝', escalated: '已上报' } as const;
export type QueueStatus = keyof typeof QUEUE_STATUSES;

/** The organizers' queue: a status (escalated: still pending after a week) and a page. */
export const queueQuery = pageQuery.extend({
  status: z.enum(Object.keys(QUEUE_STATUSES) as [QueueStatus, ...QueueStatus[]]).optional().catch(undefined),
});

/** A response to a need (responses.ts): the results offered (ids; the form's checkboxes send one or several) and a message. */
export const responseInput = z.strictObject({
  results: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(objectId('科技成果'), { error: '请选择科技成果。' }).max(10, '一次最多提供 10 项科技成果。'),
  ),
  message: text('响应说明', 10, 2000),
});

export const responseAnswerInput = z.strictObject({
  accept: z.preprocess((v) => v === true || v === 'true' || v === 'yes' || v === 'accept', z.boolean()),
  answer: optionalText('答复', 300),
});
