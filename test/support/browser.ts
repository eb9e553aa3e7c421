// Browser tests: the real app on a real port, Debian's Chromium driven by playwright-core (no browser
// downloads), full-page screenshots per journey step, and axe-core run inside the page.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import axe from 'axe-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launch } from './chromium.ts';
import { repoRoot } from './process.ts';
import { totpCode } from './agent.ts';

export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');
export const PHONE = { width: 390, height: 844 };

/** Listens on 127.0.0.1, on port `at` or a free one (the app never listens on its own: app.ts). */
export function serve(app: Express, at = 0): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(at, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}

export interface BrowserHarness {
  /** the app's address, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly browser: Browser;
  /** a fresh context (its own cookies): zh-CN, Beijing time, the app as base URL */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  /** a fresh context and a page in it */
  page(opts?: BrowserContextOptions): Promise<Page>;
}

/**
 * Serves the app and launches Chromium for the test file (beforeAll), and closes both (afterAll). Contexts
 * made through the harness are closed after each test. `port`: serve there rather than on a free port — for an
 * app whose BASE_URL must be known when it is built (absolute links in mail).
 */
export function useBrowser(app: Express, opts: { port?: number } = {}): BrowserHarness {
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await serve(app, opts.port);
    browser = await launch();
  });
  let contexts: BrowserContext[] = [];
  // After a failed test, every page it left open goes to the screenshots (FAILED-…), then its contexts close.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const name = task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
      const pages = contexts.flatMap((c) => c.pages());
      for (const [i, p] of pages.entries()) {
        await p.screenshot({ path: path.join(SCREENSHOT_DIR, `FAILED-${name}-${i + 1}.png`), fullPage: true }).catch(() => {});
      }
    }
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const harness: BrowserHarness = {
    get url() {
      if (!server) throw new Error('the app is not served yet (use the harness inside tests or hooks)');
      return server.url;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet (use the harness inside tests or hooks)');
      return browser;
    },
    async context(opts = {}) {
      const ctx = await harness.browser.newContext({ baseURL: harness.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...opts });
      // Fail fast inside a test's own timeout, with Playwright's message naming what it waited for.
      ctx.setDefaultTimeout(15_000);
      ctx.setDefaultNavigationTimeout(20_000);
      contexts.push(ctx);
      return ctx;
    },
    async page(opts = {}) {
      return (await harness.context(opts)).newPage();
    },
  };
  return harness;
}

// ---- journey helpers ------------------------------------------------------------------------------------------

const shotCounters = new Map<string, number>();

/** A full-page PNG of the page as it is: test-results/screenshots/<journey>-<nn>-<step>.png. */
export async function shot(page: Page, journey: string, step: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (!shotCounters.has(journey)) {
    // A journey's first shot in this run: drop its shots from earlier runs, so the folder shows one run.
    for (const f of readdirSync(SCREENSHOT_DIR)) if (f.startsWith(`${journey}-`) && f.endsWith('.png')) rmSync(path.join(SCREENSHOT_DIR, f));
  }
  const n = (shotCounters.get(journey) ?? 0) + 1;
  shotCounters.set(journey, n);
  const file = path.join(SCREENSHOT_DIR, `${journey}-${String(n).padStart(2, '0')}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Clicks a link or a submit button and waits for the next document to be shown — so what is checked next is
 * the new page, not the one the click left (after a form post the address can stay the same).
 */
export async function go(page: Page, target: Locator): Promise<void> {
  // The wait outlasts the click's own timeout, so a control that is not there is reported as such.
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 25_000 });
  await Promise.all([navigated, target.click()]);
  await page.waitForLoadState('domcontentloaded');
}

/** Logs in through the login form — and its code step, for accounts with two-step login — and waits to leave it. */
export async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await go(page, page.getByRole('button', { name: '登录' }));
  if (new URL(page.url()).pathname === '/login/totp') {
    await page.getByLabel('验证码').fill(await totpCode(email));
    await go(page, page.getByRole('button', { name: '验证并登录' }));
  }
  if (new URL(page.url()).pathname.startsWith('/login')) throw new Error(`login as ${email} failed: ${await page.locator('main').innerText()}`);
}

/** Logs out through the header's button. */
export async function logout(page: Page): Promise<void> {
  await go(page, page.getByRole('button', { name: '退出' }));
}

/** The text of a flash message (success or error) once it is shown. */
export async function flash(page: Page): Promise<string> {
  const message = page.locator('.flash').first();
  await message.waitFor();
  return (await message.innerText()).trim();
}

/** Waits until the locator is visible and returns its text. */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return (await locator.innerText()).trim();
}

// ---- in-page checks -------------------------------------------------------------------------------------------
// The page functions below run in Chromium; the project compiles for Node (no DOM lib), so they describe the
// few DOM pieces they use themselves.

interface PageElement {
  tagName: string;
  id: string;
  outerHTML: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number };
  open?: boolean;
}
interface PageWindow {
  innerWidth: number;
  document: { documentElement: { scrollWidth: number }; querySelectorAll(sel: string): ArrayLike<PageElement> };
  axe?: typeof axe;
}

export interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** the elements sticking out past the right edge, outermost first */
  culprits: string[];
}

/** Whether the page scrolls sideways (a phone layout must not), naming what sticks out. */
export async function horizontalOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    const doc = w.document;
    const culprits: string[] = [];
    if (doc.documentElement.scrollWidth > w.innerWidth) {
      for (const el of Array.from(doc.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > w.innerWidth + 1) culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} (right ${Math.round(r.right)}): ${el.outerHTML.slice(0, 120)}`);
        if (culprits.length >= 8) break;
      }
    }
    return { scrollWidth: doc.documentElement.scrollWidth, innerWidth: w.innerWidth, culprits };
  });
}

/** Opens every <details> but the header menu, so the checks see the forms folded inside them. */
export async function openAllDetails(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageWindow;
    // The header's 管理 menu stays folded: open, it lies over the header's second row by design (a menu), which
    // axe would count as overlapping touch targets.
    for (const d of Array.from(w.document.querySelectorAll('details:not(.nav-menu)'))) d.open = true;
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  helpUrl: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.x A/AA and best practices) in the page; returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, which the app's CSP (no inline script) does not block; a <script>
  // tag (addScriptTag) would be, and bypassCSP would test a page the users never get.
  const loaded = await page.evaluate(() => !!(globalThis as unknown as PageWindow).axe);
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const a = (globalThis as unknown as PageWindow).axe!;
    const results = await a.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

export const SEVERE = new Set(['serious', 'critical']);

export function describeViolations(where: string, violations: AxeViolation[]): string {
  if (!violations.length) return `${where}: no violations`;
  return [
    `${where}: ${violations.length} accessibility violation(s)`,
    ...violations.map((v) => `  [${v.impact}] ${v.id} — ${v.help}\n    ${v.helpUrl}\n    ${v.targets.slice(0, 6).join('\n    ')}${v.targets.length > 6 ? `\n    … and ${v.targets.length - 6} more` : ''}`),
  ].join('\n');
}

const CONTROL_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'button', 'menuitemcheckbox', 'menuitemradio']);

/**
 * Form controls without a label: no accessible name, or one taken only from a placeholder or a title (hints
 * that vanish or need a mouse), as Chromium's own accessibility tree computes it — what a screen reader is
 * given, so this check does not rely on axe. Each as "role <tag id name type>: why".
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    // The controls Chromium draws itself inside a date input (its picker button, in a user-agent shadow root)
    // are the browser's, named by the browser: only the page's own controls are checked.
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const browsers = new Set<number>();
    type DomNode = typeof root;
    const walk = (n: DomNode, inUserAgent: boolean): void => {
      if (inUserAgent) browsers.add(n.backendNodeId);
      for (const c of n.children ?? []) walk(c, inUserAgent);
      for (const s of n.shadowRoots ?? []) walk(s, inUserAgent || s.shadowRootType === 'user-agent');
    };
    walk(root, false);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const unnamed: string[] = [];
    for (const node of nodes) {
      const role = String(node.role?.value ?? '');
      if (node.ignored || !CONTROL_ROLES.has(role)) continue;
      if (node.backendDOMNodeId && browsers.has(node.backendDOMNodeId)) continue;
      const name = String(node.name?.value ?? '').trim();
      // The source Chromium took the name from: the first one with a value that nothing superseded.
      const source = node.name?.sources?.find((src) => src.value && !src.superseded);
      const weak = source && (source.type === 'placeholder' || source.attribute === 'title');
      if (name && !weak) continue;
      const why = name ? `named only by its ${source!.attribute} "${name}"` : 'no accessible name';
      let where = `backend node ${node.backendDOMNodeId}`;
      if (node.backendDOMNodeId) {
        const { node: dom } = await cdp.send('DOM.describeNode', { backendNodeId: node.backendDOMNodeId });
        const attrs = new Map<string, string>();
        for (let i = 0; i + 1 < (dom.attributes ?? []).length; i += 2) attrs.set(dom.attributes![i]!, dom.attributes![i + 1]!);
        where = `<${dom.localName}${['id', 'name', 'type'].map((k) => (attrs.has(k) ? ` ${k}="${attrs.get(k)}"` : '')).join('')}>`;
      }
      unnamed.push(`${role} ${where}: ${why}`);
    }
    return unnamed;
  } finally {
    await cdp.detach();
  }
}
