// Inputs of the accounts module, one zod schema each, shared by forms, the API and the CLI. Unknown keys are
// stripped (mass assignment, docs/security.md 11): a registration cannot choose its status or become organizer.
import { z } from 'zod';
import { ROLES } from '../platform/auth/actor.ts';
import { cleanString, emailAddress, reservedNameProblem } from '../platform/http/fields.ts';
import { passwordProblem } from './passwords.ts';

export const SELF_SERVICE_ROLES = ['enterprise', 'institution', 'expert', 'broker'] as const;

const email = emailAddress;

const name = cleanString('名称', { required: '请填写姓名或单位名称。' }).min(2, '名称至少 2 个字。').max(60, '名称不能超过 60 个字。');

/** Only organizer accounts may be named like the bureau or its staff (fields.ts reservedNameProblem). */
function checkName(nameValue: unknown, role: unknown, ctx: z.RefinementCtx): void {
  if (typeof nameValue !== 'string' || role === 'organizer') return;
  const problem = reservedNameProblem(nameValue);
  if (problem) ctx.addIssue({ code: 'custom', path: ['name'], message: problem });
}

/** A new password, checked against the policy on its own (so its message shows beside other fields' errors). */
export const newPassword = z.string({ error: '请填写密码。' }).superRefine((password, ctx) => {
  const problem = passwordProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Cross-field checks run even when another field already failed, so every message shows at once.
const always = { when: () => true };

/** Adds the "contains the email name" message to `path`; the rest of the policy is on the field. */
function checkPassword(password: unknown, emailValue: unknown, ctx: z.RefinementCtx, path: string): void {
  if (typeof password !== 'string' || typeof emailValue !== 'string' || passwordProblem(password)) return;
  const problem = passwordProblem(password, { email: emailValue });
  if (problem) ctx.addIssue({ code: 'custom', path: [path], message: problem });
}

export const registerSchema = z
  .object({
    name,
    email,
    password: newPassword,
    passwordConfirm: z.string().optional(),
    role: z.enum(SELF_SERVICE_ROLES, { error: '请选择账户类型。' }),
  })
  .superRefine((v, ctx) => {
    checkName(v.name, 'self-service', ctx); // a registration is never an organizer's
    checkPassword(v.password, v.email, ctx, 'password');
    if (v.passwordConfirm !== undefined && v.passwordConfirm !== v.password) {
      ctx.addIssue({ code: 'custom', path: ['passwordConfirm'], message: '两次输入的密码不一致。' });
    }
  }, always);
export type RegisterInput = z.output<typeof registerSchema>;

export const createUserSchema = z
  .object({ name, email, password: newPassword, role: z.enum(ROLES, { error: '角色必须是 enterprise、institution、expert、broker 或 organizer。' }) })
  .superRefine((v, ctx) => {
    checkName(v.name, v.role, ctx);
    checkPassword(v.password, v.email, ctx, 'password');
  }, always);
export type CreateUserInput = z.output<typeof createUserSchema>;

export const loginSchema = z.object({
  email: z.string({ error: '请填写邮箱。' }).trim().min(1, '请填写邮箱。').max(254),
  password: z.string({ error: '请填写密码。' }).min(1, '请填写密码。').max(1024),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: '请填写当前密码。' }).min(1, '请填写当前密码。').max(1024),
    newPassword,
    newPasswordConfirm: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.newPasswordConfirm !== undefined && v.newPasswordConfirm !== v.newPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPasswordConfirm'], message: '两次输入的新密码不一致。' });
    }
    if (v.currentPassword === v.newPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: '新密码不能与当前密码相同。' });
    }
  }, always);

export const tokenSchema = z.object({
  name: cleanString('令牌名称', { required: '请给令牌起个名字。' }).min(1, '请给令牌起个名字。').max(60, '名称不能超过 60 个字。'),
});

export const totpCodeSchema = z.object({
  code: z
    .string({ error: '请输入 6 位验证码。' })
    .trim()
    .regex(/^\d{6}$/, '请输入 6 位数字验证码。'),
});

export const roleChangeSchema = z.object({ role: z.enum(ROLES, { error: '请选择角色。' }) });

export const userListSchema = z.object({
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(['pending', 'active', 'disabled']).optional().catch(undefined),
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).catch(20).default(20),
});
export type UserListQuery = z.output<typeof userListSchema>;
