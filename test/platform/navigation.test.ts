// The header's navigation by role: each role's own entries; the organizer's administration pages sit in one
// 管理 menu (a <details>, so it opens without JavaScript) that marks the page being viewed.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { loginAgent, makeUser } from '../support/agent.ts';

const { app } = buildTestApp();

const header = (html: string) => html.slice(html.indexOf('<header'), html.indexOf('</header>'));
const ADMIN = ['/admin/users', '/admin/imports', '/admin/search', '/admin/audit', '/admin/mail'];

describe('navigation by role', () => {
  it('when an organizer opens an administration page, then the 管理 menu holds the five admin pages and marks the current one', async () => {
    const organizer = await makeUser('organizer');
    const agent = await loginAgent(app, organizer.email);
    const nav = header((await agent.get('/admin/audit').expect(200)).text);
    const menu = nav.slice(nav.indexOf('<details class="dropdown nav-menu">'), nav.indexOf('</details>'));
    expect(menu).toContain('<summary>管理</summary>');
    for (const href of ADMIN) expect(menu).toContain(`href="${href}"`);
    expect(menu).toMatch(/<a href="\/admin\/audit" aria-current="page">审计日志<\/a>/);
    expect(menu).not.toMatch(/href="\/admin\/users" aria-current/);
    expect(nav).toContain('href="/contracts">合同与人才</a>');
  });

  it('when an enterprise or a visitor opens a page, then there is no 管理 menu and no admin link', async () => {
    const enterprise = await makeUser('enterprise');
    const agent = await loginAgent(app, enterprise.email);
    const mine = header((await agent.get('/demands').expect(200)).text);
    expect(mine).toContain('>我的需求</a>');
    const visitor = header((await (await import('supertest')).default(app).get('/demands').expect(200)).text);
    for (const nav of [mine, visitor]) {
      expect(nav).not.toContain('管理</summary>');
      for (const href of ADMIN) expect(nav).not.toContain(`href="${href}"`);
    }
  });
});
