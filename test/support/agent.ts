// Browser-like test clients: a cookie-keeping supertest agent that reads CSRF tokens from forms, plus quick
// ways to make users and tokens through the real services.
import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '../../server/platform/auth/actor.ts';
import * as accounts from '../../server/accounts/service.ts';

export type Agent = ReturnType<typeof request.agent>;

let seq = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}.${process.pid}.${Date.now().toString(36)}.${++seq}@example.cn`;
export const PASSWORD = '东宝区科技对接平台-测试口令-2026';

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}

/** GETs a page and returns its CSRF token (creating the session if needed). */
export async function csrf(agent: Agent, path = '/login'): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** POSTs a form the way a browser would: with the page's CSRF token. */
export async function submit(agent: Agent, formPage: string, action: string, fields: Record<string, string | string[]>) {
  const token = await csrf(agent, formPage);
  return agent.post(action).type('form').send({ _csrf: token, ...fields });
}

export async function makeUser(role: Role, opts: { status?: 'active' | 'pending'; name?: string; email?: string } = {}) {
  const email = opts.email ?? uniqueEmail(role);
  const actor = await accounts.createUser({ name: opts.name ?? `测试${role}`, email, password: PASSWORD, role });
  if (opts.status === 'pending') {
    const { User } = await import('../../server/accounts/model.ts');
    await User.updateOne({ _id: actor.id }, { $set: { status: 'pending' } });
    actor.status = 'pending';
  }
  return { ...actor, password: PASSWORD };
}

export async function loginAgent(app: Express, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrf(agent, '/login');
  const res = await agent.post('/login').set(headers).type('form').send({ _csrf: token, email, password });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`);
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
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.find((c: string) => c.startsWith('dongbao.sid='));
}
