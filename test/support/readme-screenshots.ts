// npm run screenshots: the README's pictures of the main pages. Starts the app as `npm start` does on a fresh
// DATA_DIR (the demo data loads itself), opens the pages in Chromium at desktop and phone sizes, logging in
// with the demo accounts where a page needs it, and writes views/assets/screenshots/*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../seeds/demo.ts';
import { clock } from '../../server/platform/clock.ts';
import { launch } from './chromium.ts';
import { repoRoot, startServer } from './process.ts';
import { currentYear } from '../../server/platform/time.ts';

const OUT = path.join(repoRoot, 'views', 'assets', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const YEAR = currentYear();

async function login(page: Page, email: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.getByRole('button', { name: '登录' }).click()]);
  if (new URL(page.url()).pathname === '/login/totp') {
    // The demo organizer signs in with the two-step secret the seed gives it (and prints).
    await page.getByLabel('验证码').fill(await generate({ secret: DEMO_TOTP_SECRET, epoch: Math.floor(clock.ms() / 1000) }));
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login/totp'), page.getByRole('button', { name: '验证并登录' }).click()]);
  }
}

async function save(page: Page, name: string): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`  ${path.relative(repoRoot, file)}\n`);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-screenshots-'));
process.stdout.write('Starting the app on fresh demo data…\n');
const server = await startServer({ DATA_DIR: dataDir, SEED_ON_EMPTY: 'true', LOG_LEVEL: 'warn', SESSION_SECRET: 'screenshots-secret-screenshots-secret-01' }, 240_000);
const browser = await launch();
try {
  mkdirSync(OUT, { recursive: true });
  const context = (viewport: { width: number; height: number }, phone = false) =>
    browser.newContext({ baseURL: server.url, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', isMobile: phone, hasTouch: phone, deviceScaleFactor: 1 });

  const visitor = await (await context(DESKTOP)).newPage();
  await visitor.goto('/');
  await save(visitor, 'home');
  await visitor.goto(`/search?q=${encodeURIComponent('磷石膏')}`);
  await save(visitor, 'search');

  // A need with its matched results and their reasons, as an enterprise sees it: a taller window, so the
  // need and its first matches are in one picture.
  const enterprise = await (await context({ width: DESKTOP.width, height: 1400 })).newPage();
  await login(enterprise, 'qiye@dongbao.demo');
  await enterprise.goto('/demands?industry=chemicals');
  await Promise.all([enterprise.waitForURL(/\/demands\/[0-9a-f]{24}$/), enterprise.locator('main a[href^="/demands/"]', { hasText: '磷石膏' }).first().click()]);
  await enterprise.getByRole('region', { name: '匹配的科技成果' }).waitFor();
  await save(enterprise, 'need-matches');

  // The bureau's dashboard (with its charts) and a roadshow's agenda.
  const organizer = await (await context({ width: DESKTOP.width, height: 1400 })).newPage();
  await login(organizer, 'kjj@dongbao.demo');
  await organizer.goto(`/targets?year=${YEAR}`);
  await save(organizer, 'dashboard');
  await organizer.goto('/roadshows');
  await Promise.all([organizer.waitForURL(/\/roadshows\/[0-9a-f]{24}$/), organizer.locator('main a[href^="/roadshows/"]', { hasText: '专场' }).first().click()]);
  await save(organizer, 'roadshow');

  const phone = await (await context(PHONE, true)).newPage();
  await phone.goto('/');
  await save(phone, 'phone-home');
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
