// Inputs of the campaigns module — forms and API alike: campaigns and their goals, roadshows with slots,
// registrations, check-in codes, outcomes, visit itineraries, visit reports and follow-up needs.
import { z } from 'zod';
import { code, dateOnly, flag, objectId, optionalText, text, textProblem } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { campaignKind } from '../vocabulary/index.ts';
import { GOAL_KEYS, SLOT_KINDS, type GoalKey } from './model.ts';
import { parseInstant } from './times.ts';

type CampaignKind = (typeof campaignKind.keys)[number];

/** Goal labels and units, and the kinds of campaign each goal belongs to: the form shows those first and the others
 *  behind 更多目标 (any goal may be set for any kind). */
export const GOALS: Record<GoalKey, { label: string; unit: string; kinds: readonly CampaignKind[] }> = {
  universities: { label: '对接高校院所', unit: '所', kinds: ['hundred-universities', 'institute-tour'] },
  results: { label: '征集科技成果', unit: '项', kinds: ['hundred-universities', 'institute-tour', 'exhibition'] },
  matches: { label: '成果对接', unit: '项', kinds: ['hundred-universities', 'institute-tour', 'exhibition', 'fair'] },
  contracts: { label: '签约技术合同', unit: '份', kinds: campaignKind.keys },
  experts: { label: '参与专家', unit: '人', kinds: ['expert-visit'] },
  visits: { label: '专家走访', unit: '人次', kinds: ['expert-visit'] },
  enterprises: { label: '服务企业', unit: '家', kinds: ['expert-visit'] },
  problems: { label: '收集技术问题', unit: '个', kinds: ['expert-visit'] },
  followUps: { label: '形成跟进需求', unit: '项', kinds: ['expert-visit'] },
  roadshows: { label: '举办路演', unit: '场', kinds: ['hundred-universities', 'exhibition', 'fair', 'roadshow'] },
  attendees: { label: '签到企业', unit: '家次', kinds: ['exhibition', 'fair', 'roadshow'] },
  intentions: { label: '达成合作意向', unit: '项', kinds: ['exhibition', 'fair', 'roadshow'] },
};

const blank = (v: unknown) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v);

const count = (label: string, min: number, max: number) =>
  z.coerce.number({ error: `请填写${label}。` }).int(`${label}应为整数。`).min(min, `${label}不能小于 ${min}。`).max(max, `${label}不能超过 ${max}。`);

/** A required calendar date. */
const day = (label: string) => dateOnly(label).refine((v) => v instanceof Date, `请填写${label}。`).transform((v) => v as Date);

/** A moment: "2026-12-05T09:00" in Beijing time, or ISO 8601 with an offset. */
export const instant = (label: string) =>
  z.union([z.string(), z.date()], { error: `请填写${label}。` }).transform((v, ctx): Date => {
    if (v instanceof Date) return v;
    const parsed = parseInstant(v);
    if (parsed) return parsed;
    ctx.addIssue({ code: 'custom', message: v.trim() === '' ? `请填写${label}。` : `${label}格式应为 年-月-日 时:分，如 2026-12-05T09:00。` });
    return z.NEVER;
  });

/** Text with one item per line (forms) or an array (API); empty lines dropped. */
const lines = (label: string, max: number, maxLength: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? [] : typeof v === 'string' ? v.split(/\r?\n/) : v),
    z
      .array(z.string({ error: `${label}格式不正确。` }), { error: `${label}格式不正确。` })
      .transform((items) => items.map((s) => s.normalize('NFC').trim()).filter((s) => s !== ''))
      .superRefine((items, ctx) => {
        const problem = items.map((s) => textProblem(s, label)).find(Boolean);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .refine((items) => items.length <= max, `${label}最多 ${max} 条。`)
      .refine((items) => items.every((s) => Array.from(s).length <= maxLength), `每条${label}不能超过 ${maxLength} 个字。`),
  );

// ---- campaigns ------------------------------------------------------------------------------------------------

const goalsInput = z.strictObject(
  Object.fromEntries(GOAL_KEYS.map((k) => [k, z.preprocess(blank, count(`${GOALS[k].label}目标`, 0, 1_000_000).optional())])) as unknown as Record<
    GoalKey,
    z.ZodType<number | undefined>
  >,
);

export const participantInput = z.strictObject({
  institution: objectId('高校院所'),
  contactedOn: dateOnly('联系日期'),
});

const campaignFields = {
  kind: code(campaignKind.keys, '活动类型'),
  name: text('活动名称', 2, 60),
  startsOn: day('开始日期'),
  endsOn: day('结束日期'),
  description: optionalText('活动说明', 2000),
  goals: goalsInput.optional(),
  institutions: z.array(participantInput, { error: '参与高校院所格式不正确。' }).max(500, '参与高校院所最多 500 所。').optional(),
};

function periodOrder(v: { startsOn?: Date | undefined; endsOn?: Date | undefined }, ctx: z.RefinementCtx): void {
  if (v.startsOn && v.endsOn && v.endsOn < v.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: '结束日期不能早于开始日期。' });
}

export const campaignInput = z.strictObject(campaignFields).superRefine(periodOrder);
export const campaignPatch = z.strictObject(campaignFields).partial().superRefine(periodOrder);
export type CampaignInput = z.output<typeof campaignInput>;

export const campaignQuery = pageQuery.extend({
  kind: z.enum(campaignKind.keys).optional().catch(undefined),
  q: z.string().trim().max(60).optional(),
});
export type CampaignQuery = z.output<typeof campaignQuery>;

export const tagInput = z.strictObject({
  kind: z.enum(['result', 'demand'], { error: '请选择成果或需求。' }),
  ids: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(objectId('成果或需求'), { error: '请选择成果或需求。' }).min(1, '请选择成果或需求。').max(200, '一次最多 200 项。')),
});

/** Several results and needs in one request: the campaign page's ticked choices ("result:<id>"), or the API's
 *  `items: [{ kind, id }]`. */
export const tagItemsInput = z.strictObject({
  items: z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.strictObject({ kind: z.enum(['result', 'demand'], { error: '请选择成果或需求。' }), id: objectId('成果或需求') }, { error: '所选项格式不正确。' }), { error: '请勾选成果或需求。' })
      .min(1, '请至少勾选一项成果或需求。')
      .max(200, '一次最多 200 项。'),
  ),
});
export type TagItemsInput = z.output<typeof tagItemsInput>;

// ---- roadshows ------------------------------------------------------------------------------------------------

export const slotInput = z.strictObject({
  kind: z.enum(SLOT_KINDS, { error: '请选择路演内容类型。' }),
  ref: objectId('路演内容'),
  startsAt: instant('开始时间'),
  minutes: count('时长（分钟）', 5, 240),
  presenter: optionalText('主讲人', 30),
});
export type SlotInput = z.output<typeof slotInput>;

const roadshowFields = {
  campaign: objectId('所属活动'),
  title: text('路演名称', 2, 60),
  venue: text('路演地点', 2, 60),
  startsAt: instant('开始时间'),
  endsAt: instant('结束时间'),
  capacity: count('容纳企业数', 1, 2000),
  description: optionalText('路演说明', 2000),
};

const slotList = z.array(slotInput, { error: '路演议程格式不正确。' }).max(40, '议程最多 40 项。');

function sessionOrder(v: { startsAt?: Date | undefined; endsAt?: Date | undefined }, ctx: z.RefinementCtx): void {
  if (!v.startsAt || !v.endsAt) return;
  if (v.endsAt <= v.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '结束时间应晚于开始时间。' });
  else if (v.endsAt.getTime() - v.startsAt.getTime() > 7 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '一场路演不能超过 7 天。' });
}

export const roadshowInput = z.strictObject({ ...roadshowFields, slots: slotList.default([]) }).superRefine(sessionOrder);
// No defaults in a patch: a missing agenda is left as it is, not emptied.
export const roadshowPatch = z.strictObject({ ...roadshowFields, slots: slotList }).partial().superRefine(sessionOrder);
export type RoadshowInput = z.output<typeof roadshowInput>;

export const roadshowQuery = pageQuery.extend({
  campaign: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  when: z.enum(['upcoming', 'past']).optional().catch(undefined),
});
export type RoadshowQuery = z.output<typeof roadshowQuery>;

export const registrationInput = z.strictObject({
  /** the enterprise registering; an enterprise account may leave it out (its own is used) */
  enterprise: z.preprocess(blank, objectId('报名企业').optional()),
  attendee: optionalText('参会人', 30),
});
export type RegistrationInput = z.output<typeof registrationInput>;

/** The check-in alphabet: no 0/O, 1/I/L or U/V look-alikes. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const CODE_LENGTH = 6;

export const checkinInput = z.strictObject({
  code: z
    .string({ error: '请输入签到码。' })
    .transform((v) => v.normalize('NFKC').toUpperCase().replace(/[\s-]/g, ''))
    .refine((v) => v !== '', '请输入签到码。')
    .refine((v) => v === '' || (v.length === CODE_LENGTH && [...v].every((c) => CODE_ALPHABET.includes(c))), `签到码应为 ${CODE_LENGTH} 位字母或数字（不含 0、1、I、O 等易混字符），请核对。`),
  /** an organizer checking in outside the check-in window says why (recorded and audited) */
  override: z.strictObject({ reason: text('补签原因', 2, 200) }, { error: '补签信息应为 { reason: 补签原因 }。' }).optional(),
});
export type CheckinInput = z.output<typeof checkinInput>;

export const outcomeInput = z.strictObject({
  kind: z.enum(['intention', 'contract'], { error: '请选择成果类型。' }),
  enterprise: z.preprocess(blank, objectId('企业').optional()),
  demand: z.preprocess(blank, objectId('技术需求').optional()),
  candidate: z
    .preprocess(blank, z.strictObject({ kind: z.enum(['result', 'expert'], { error: '请选择对接对象类型。' }), id: objectId('对接对象') }, { error: '请选择对接对象。' }).optional()),
  note: optionalText('说明', 300),
}).superRefine((v, ctx) => {
  if (!v.enterprise && !v.demand && !v.candidate && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: '请至少关联企业、需求或对接对象，或填写说明。' });
});
export type OutcomeInput = z.output<typeof outcomeInput>;

// ---- visits -------------------------------------------------------------------------------------------------------

export const stopInput = z.strictObject({
  enterprise: objectId('走访企业'),
  startsAt: instant('走访时间'),
  minutes: count('停留时长（分钟）', 15, 480),
});

const visitFields = {
  campaign: objectId('所属活动'),
  expert: objectId('专家'),
  title: optionalText('行程名称', 60),
  travelMinutes: z.preprocess(blank, count('路程间隔（分钟）', 0, 240).optional()),
  stops: z.array(stopInput, { error: '走访安排格式不正确。' }).min(1, '请至少安排一站走访。').max(30, '一个行程最多 30 站。'),
};

export const visitInput = z.strictObject(visitFields);
export const visitPatch = z.strictObject(visitFields).partial();
export type VisitInput = z.output<typeof visitInput>;

export const visitQuery = pageQuery.extend({
  campaign: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  expert: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  when: z.enum(['upcoming', 'past']).optional().catch(undefined),
});
export type VisitQuery = z.output<typeof visitQuery>;

export const reportInput = z
  .strictObject({
    stop: objectId('走访站点'),
    problems: lines('发现的问题', 20, 200),
    suggestions: optionalText('专家建议', 2000),
  })
  .superRefine((v, ctx) => {
    if (!v.problems.length && !v.suggestions) ctx.addIssue({ code: 'custom', path: ['problems'], message: '请填写发现的问题或专家建议。' });
  });
export type ReportInput = z.output<typeof reportInput>;

/** The visiting expert's remark on a visit and its reports (专家备注). */
export const remarkInput = z.strictObject({ remark: text('专家备注', 1, 500) });
export type RemarkInput = z.output<typeof remarkInput>;

/** A follow-up need from a stop's report: anything left out is filled from the report and the enterprise. */
export const followUpInput = z.strictObject({
  stop: objectId('走访站点'),
  problem: z.preprocess(blank, count('问题序号', 0, 19).optional()),
  title: z.preprocess(blank, z.string().optional()),
  description: z.preprocess(blank, z.string().optional()),
  keywords: z.unknown().optional(),
  industry: z.preprocess(blank, z.string().optional()),
  kind: z.preprocess(blank, z.string().optional()),
  publish: flag.optional(),
});
export type FollowUpInput = z.output<typeof followUpInput>;

// ---- calendar -------------------------------------------------------------------------------------------------

export const calendarQuery = z.object({
  view: z.enum(['week', 'month']).catch('week').default('week'),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  mine: z.enum(['1']).optional().catch(undefined),
});
export type CalendarQuery = z.output<typeof calendarQuery>;
