// Browser-like test clients: a cookie-keeping supertest agent that reads CSRF tokens from forms and completes
// two-step login, plus quick ways to make users (organizers enrolled in two-step login) and tokens through the
// real services.
import type { Express } from 'express';
import request from 'supertest';
import type { Actor, Role } from '../../server/platform/auth/actor.ts';
import * as accounts from '../../server/accounts/service.ts';
import { Credential } from '../../server/accounts/model.ts';
import { clock } from '../../server/platform/clock.ts';
import { generate } from 'otplib';
import { randomBytes } from 'node:crypto';

export type Agent = ReturnType<typeof request.agent>;

let seq = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}.${process.pid}.${randomBytes(3).toString('hex')}.${++seq}@example.cn`;
export const PASSWORD = '东宝区科技对接平台-测试口令-2026';

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}

/** GETs a page and returns its CSRF token (the agent keeps the matching cookie). */
export async function csrf(agent: Agent, path = '/login'): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** POSTs a form the way a browser would: with the page's CSRF token. */
export async function submit(agent: Agent, formPage: string, action: string, fields: Record<string, string | string[]>) {
  const token = await csrf(agent, formPage);
  return agent.post(action).type('form').send({ _csrf: token, ...fields });
}

export async function makeUser(role: Role, opts: { status?: 'active' | 'pending'; name?: string; email?: string; totp?: boolean } = {}) {
  const email = opts.email ?? uniqueEmail(role);
  const actor = await accounts.createUser({ name: opts.name ?? `测试${role}`, email, password: PASSWORD, role });
  if (opts.status === 'pending') {
    const { User } = await import('../../server/accounts/model.ts');
    await User.updateOne({ _id: actor.id }, { $set: { status: 'pending' } });
    actor.status = 'pending';
  }
  // Organizers must use two-step login (server/accounts/policy.ts); `totp: false` leaves one to enrol itself.
  if (role === 'organizer' && opts.totp !== false && actor.status === 'active') {
    await enrolTotp(actor);
    actor.totpEnabled = true;
  }
  return { ...actor, password: PASSWORD };
}

/**
 * Enrols the account in two-step login through the service layer, as the enrolment page does: a new secret,
 * confirmed with a real code. The code is the previous time step's (the server accepts one step of drift), so
 * the current step is still unused for the login that follows. Returns the secret.
 */
export async function enrolTotp(actor: Actor): Promise<string> {
  const { secret } = await accounts.beginTotp(actor);
  await accounts.confirmTotp(actor, secret, await generate({ secret, epoch: Math.floor(clock.ms() / 1000) - 30 }));
  return secret;
}

/**
 * A code for the account's next two-step login: the current time step's, or the next one's when the current
 * step was already used (one step of drift is accepted). When both were used — a third login of one account
 * within 30 s — the helper clears the account's replay guard rather than moving the test clock.
 */
export async function totpCode(email: string): Promise<string> {
  const user = await accounts.findByEmail(email);
  const credential = user ? await Credential.findById(user.id).lean() : null;
  if (!user || !credential?.totpSecret) throw new Error(`${email} has no two-step login`);
  const now = Math.floor(clock.ms() / 1000);
  const current = Math.floor(now / 30);
  const last = credential.totpLastStep ?? -1;
  if (last < current) return generate({ secret: credential.totpSecret, epoch: now });
  if (last === current) return generate({ secret: credential.totpSecret, epoch: now + 30 });
  await Credential.updateOne({ _id: user.id }, { $unset: { totpLastStep: 1 } });
  return generate({ secret: credential.totpSecret, epoch: now });
}

/** The code step of a login that asked for it (the agent is at /login/totp). */
export async function completeTotp(agent: Agent, email: string, headers: Record<string, string> = {}): Promise<void> {
  const form = await agent.get('/login/totp');
  const res = await agent.post('/login/totp').set(headers).type('form').send({ _csrf: csrfFrom(form.text), code: await totpCode(email) });
  if (res.status !== 303) throw new Error(`two-step login failed: ${res.status} ${res.text.slice(0, 200)}`);
}

/**
 * Logs in through the login form, and through the code step when the account has two-step login. An
 * organizer without it stays where the login sends it: at enrolment (/account/totp), able to do nothing else.
 */
export async function loginAgent(app: Express, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrf(agent, '/login');
  const res = await agent.post('/login').set(headers).type('form').send({ _csrf: token, email, password });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`);
  if (res.headers.location === '/login/totp') await completeTotp(agent, email, headers);
  return agent;
}

export async function userAgent(app: Express, role: Role, opts: Parameters<typeof makeUser>[1] = {}) {
  const user = await makeUser(role, opts);
  return { user, agent: await loginAgent(app, user.email) };
}

export async function apiToken(role: Role, opts: Parameters<typeof makeUser>[1] = {}) {
  const user = await makeUser(role, opts);
  const { token } = await accounts.createToken(user, 'test');
  return { user, token, auth: { Authorization: `Bearer ${token}` } };
}

/** The session cookie's value from a response, if it set one. */
function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.find((c: string) => c.startsWith(`${name}=`));
}

export const sessionCookie = (res: { headers: Record<string, unknown> }) => setCookie(res, 'dongbao.sid');
export const csrfCookie = (res: { headers: Record<string, unknown> }) => setCookie(res, 'dongbao.csrf');
