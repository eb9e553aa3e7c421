// Inputs of the contracts module. Amounts are integer 元 (forms take 万元 and convert first); dates are
// calendar dates in Asia/Shanghai. The registration (技术合同认定登记) may come later than the signing.
import { z } from 'zod';
import { code, dateOnly, objectId, optionalText, text, yuan } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { contractType, industry, town } from '../vocabulary/index.ts';
import { creditCodeProblem } from '../organizations/credit-code.ts';
import { clock } from '../platform/clock.ts';
import { currentYear } from '../platform/time.ts';

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalId = (label: string) => z.preprocess(blank, objectId(label).optional());

/** 技术合同登记号: letters, digits and dashes, as the registration office prints it. */
const registrationNumber = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{6,30}$/, '登记号应为 6–30 位字母、数字或短横线，如 2026420502000123。')
    .optional(),
);

/** Signing and registration dates outside these years are typing errors (a ledger from 1926, a year 2206). */
const LEDGER_YEARS = { from: 2000, to: () => currentYear() + 1 };

/** A party outside the platform (某某大学 not yet listed, a company outside the district): its name, and credit code if known. */
function outsideParty(label: string) {
  return z.strictObject({
    name: text(`${label}名称`, 2, 100),
    creditCode: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .transform((v) => v.toUpperCase())
        .superRefine((v, ctx) => {
          const problem = creditCodeProblem(v);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
    ),
  });
}

const contractFields = {
  title: text('合同名称', 4, 80),
  type: code(contractType.keys, '合同类型'),
  // The buyer: an enterprise's id ("<id>" or { kind: "enterprise", id }), or a party outside the platform ({ name, creditCode? }).
  buyer: z.preprocess(
    (v) => (typeof v === 'string' ? { kind: 'enterprise', id: v } : v && typeof v === 'object' && !('kind' in v) ? { kind: 'outside', ...v } : v),
    z.discriminatedUnion(
      'kind',
      [z.strictObject({ kind: z.literal('enterprise'), id: objectId('委托方（买方）企业') }), outsideParty('委托方（买方）').extend({ kind: z.literal('outside') })],
      { error: '请选择委托方（买方）企业，或填写平台外委托方的名称。' },
    ),
  ),
  seller: z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.enum(['enterprise', 'institution', 'expert']), id: objectId('受托方（卖方）') }),
      outsideParty('受托方（卖方）').extend({ kind: z.literal('outside') }),
    ],
    { error: '请选择受托方（卖方），或填写平台外受托方的名称。' },
  ),
  broker: optionalId('技术经纪人'),
  amount: yuan('合同成交额').pipe(z.number({ error: '请填写合同成交额。' }).positive('合同成交额应大于 0。')),
  techIncome: yuan('技术交易额'),
  signedAt: dateOnly('签订日期', { years: LEDGER_YEARS }).pipe(z.date({ error: '请填写签订日期。' })),
  registration: z.preprocess(
    (v) => (v && typeof v === 'object' && Object.values(v).every((x) => x === '' || x === undefined || x === null) ? undefined : v),
    z
      .strictObject({ number: registrationNumber, date: dateOnly('登记日期', { years: LEDGER_YEARS }) }, { error: '登记信息格式不正确。' })
      .optional(),
  ),
  source: z.preprocess(
    (v) => (v && typeof v === 'object' && Object.values(v).every((x) => x === '' || x === undefined || x === null) ? undefined : v),
    z.strictObject({ match: optionalId('对接记录'), roadshow: optionalId('路演'), campaign: optionalId('活动') }, { error: '来源格式不正确。' }).optional(),
  ),
  note: optionalText('备注', 500),
};

type Draft = {
  amount?: number | undefined;
  techIncome?: number | undefined;
  signedAt?: Date | undefined;
  registration?: { number?: string | undefined; date?: Date | undefined } | undefined;
};

const isDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const isNumber = (n: unknown): n is number => typeof n === 'number';

/**
 * Rules across fields: technology income within the amount, registration complete and not before signing.
 * They run even when a field failed (so every problem is reported at once), so each checks its inputs.
 */
function consistent(v: Draft, ctx: z.RefinementCtx): void {
  if (isNumber(v.techIncome) && isNumber(v.amount) && v.techIncome > v.amount) {
    ctx.addIssue({ code: 'custom', path: ['techIncome'], message: '技术交易额不能超过合同成交额。' });
  }
  const reg = v.registration;
  if (reg && typeof reg === 'object') {
    if (!reg.number) ctx.addIssue({ code: 'custom', path: ['registration', 'number'], message: '已填登记日期，请同时填写登记号。' });
    if (!reg.date) ctx.addIssue({ code: 'custom', path: ['registration', 'date'], message: '已填登记号，请同时填写登记日期。' });
    if (isDate(reg.date) && isDate(v.signedAt) && reg.date < v.signedAt) {
      ctx.addIssue({ code: 'custom', path: ['registration', 'date'], message: '登记日期不能早于签订日期。' });
    }
  }
  const tomorrow = clock.ms() + 24 * 3600_000;
  if (isDate(v.signedAt) && v.signedAt.getTime() > tomorrow) ctx.addIssue({ code: 'custom', path: ['signedAt'], message: '签订日期不能晚于今天。' });
  if (reg && isDate(reg.date) && reg.date.getTime() > tomorrow) ctx.addIssue({ code: 'custom', path: ['registration', 'date'], message: '登记日期不能晚于今天。' });
}

const always = { when: () => true };

export const contractInput = z.strictObject(contractFields).superRefine(consistent, always);
export type ContractInput = z.output<typeof contractInput>;
/** A PATCH: any subset; the cross-field rules run again on the merged record in the service. */
export const contractPatch = z.strictObject(contractFields).partial();
export type ContractPatch = z.output<typeof contractPatch>;
export const checkContract = (merged: Draft) => z.custom<Draft>().superRefine(consistent, always).safeParse(merged);

/**
 * A row of a contract spreadsheet (技术合同登记台账): the parties by name (enterprises also by their 统一社会信用代码),
 * each party's kind when the name alone does not tell (a party outside the platform is always named so), amounts
 * already in 元. The same rules across fields.
 */
export const contractRow = z
  .strictObject({
    title: contractFields.title,
    type: contractFields.type,
    buyer: text('委托方（买方）', 2, 100),
    seller: text('受托方（卖方）', 2, 100),
    buyerKind: z.preprocess(blank, z.enum(['enterprise', 'outside'], { error: '委托方类型应为“企业”或“平台外单位”。' }).optional()),
    sellerKind: z.preprocess(blank, z.enum(['enterprise', 'institution', 'expert', 'outside'], { error: '受托方类型应为“高校院所”“专家”“企业”或“平台外单位”。' }).optional()),
    broker: optionalText('技术经纪人', 50),
    amount: contractFields.amount,
    techIncome: contractFields.techIncome,
    signedAt: contractFields.signedAt,
    registration: contractFields.registration,
    note: contractFields.note,
  })
  .superRefine(consistent, always);
export type ContractRow = z.output<typeof contractRow>;

/**
 * Verifying a contract, with its registration (认定登记号 and 登记日期) when the organizer has it: both or neither.
 * Without them the contract is verified but counts only once registered.
 */
export const verifyInput = z
  .strictObject({ registration: contractFields.registration })
  .partial()
  .superRefine((v, ctx) => {
    const reg = v.registration;
    if (reg && !reg.number) ctx.addIssue({ code: 'custom', path: ['registration', 'number'], message: '已填登记日期，请同时填写登记号。' });
    if (reg && !reg.date) ctx.addIssue({ code: 'custom', path: ['registration', 'date'], message: '已填登记号，请同时填写登记日期。' });
  }, always);
export type VerifyInput = z.output<typeof verifyInput>;

export const contractQuery = pageQuery.extend({
  q: z.string().trim().max(60).optional(),
  type: z.enum(contractType.keys).optional().catch(undefined),
  industry: z.enum(industry.keys).optional().catch(undefined),
  town: z.enum(town.keys).optional().catch(undefined),
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  /** which year counts: the registration year (the target's) or the signing year */
  by: z.enum(['registered', 'signed']).optional().catch(undefined),
  state: z.enum(['verified', 'pending', 'unregistered']).optional().catch(undefined),
  campaign: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  roadshow: z.string().regex(/^[0-9a-f]{24}$/i).optional().catch(undefined),
  sort: z.enum(['signed', 'amount']).optional().catch(undefined),
});
export type ContractQuery = z.output<typeof contractQuery>;
