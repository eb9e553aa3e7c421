// Inputs of invitations and claims: one zod schema each, for forms and the API alike.
import { z } from 'zod';
import { cleanString, displayName, emailAddress, optionalText } from '../platform/http/fields.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { newPassword } from '../accounts/schema.ts';
import { passwordProblem } from '../accounts/passwords.ts';
import { CLAIM_KINDS, CLAIM_STATUSES, RECORD_KINDS } from './model.ts';

const email = emailAddress;

const recordKind = z.enum(RECORD_KINDS, { error: '记录类型必须是 enterprise、institution、expert 或 broker。' });
const id = z.string({ error: '请指定记录。' }).regex(/^[0-9a-f]{24}$/i, '记录编号无效。');

export const invitationInput = z.object({ kind: recordKind, id, email });

export const invitationFormInput = z.object({ email });

export const bulkInput = z.object({
  kind: recordKind,
  ids: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(24)).max(1000, '一次选择的记录过多。')),
});

export const candidateQuery = pageQuery.extend({
  kind: recordKind.catch('enterprise'),
  /** the page lists records without accounts unless asked for all ("all=1") */
  all: z.preprocess((v) => v === '1' || v === 'true', z.boolean()),
});

/** Setting up the invited account: the registration's name and password rules. */
export function acceptInput(forEmail: string) {
  return z
    .object({
      name: displayName('姓名', 2, 60),
      password: newPassword,
      passwordConfirm: z.string().optional(),
    })
    .superRefine((v, ctx) => {
      if (typeof v.password === 'string' && !passwordProblem(v.password)) {
        const problem = passwordProblem(v.password, { email: forEmail });
        if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
      }
      if (v.passwordConfirm !== undefined && v.passwordConfirm !== v.password) ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: '两次输入的密码不一致。' });
    }, { when: () => true });
}

export const claimInput = z.object({
  kind: z.enum(CLAIM_KINDS, { error: '请选择要加入的单位类型。' }),
  entered: cleanString('统一社会信用代码或单位名称', { required: '请填写统一社会信用代码（企业）或单位全称（高校院所）。' }).min(2, '请填写完整。').max(60, '不能超过 60 个字。'),
  message: optionalText('说明', 500),
});

export const claimDecision = z.object({ reason: optionalText('理由', 300) });

export const claimListQuery = pageQuery.extend({ status: z.enum(CLAIM_STATUSES).optional().catch(undefined) });
