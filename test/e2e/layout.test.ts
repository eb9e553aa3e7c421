// Daily use on phones and desktops (the fixtures of test/e2e/fixtures.ts): signed in as each role, every page in that role's
// navigation (the header's links, the organizer's 管理 menu, the footer) fits 390, 1280 and 1366 px without
// scrolling sideways — a failure names the element that sticks out (tag#id.class and the start of its text). The
// header is one row on a desktop and a 菜单 button on a phone; on a phone a search shows its first result on the
// first screen, the calendar's month reads as a list, a need's long contact e-mail wraps, a roadshow sign-up shows
// its check-in QR code; axe finds nothing serious or critical on the phone's search page and opened menu.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Enterprise } from '../../server/organizations/model.ts';
import { roadshows } from '../../server/campaigns/roadshow-service.ts';
import { roadshowInput } from '../../server/campaigns/schema.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { buildTestApp } from '../support/app.ts';
import { owner } from '../support/directory.ts';
import { axeViolations, describeViolations, login, PHONE, SEVERE, shot, useBrowser } from '../support/browser.ts';
import { dayFromToday, PASSWORD, seedFixtures } from './fixtures.ts';

const WIDTHS = [390, 1280, 1366] as const;
const LONG_EMAIL = 'technology.cooperation.department.office@hubei-qiaoyi-phosphorus-chemical-group.example.cn';

const t = buildTestApp();
const b = useBrowser(t.app);
const ids = { need: '', roadshow: '', roadshowDay: '' };
const ACCOUNTS: Record<Exclude<Who, 'visitor'>, string> = { enterprise: '', institution: '', expert: '', broker: '', organizer: '' };

beforeAll(async () => {
  const fx = await seedFixtures();
  // An expert with an account of its own (the fixtures' expert has none to sign in with here).
  const expert = await owner('expert', { name: '严版面', title: '研究员', keywords: ['磷石膏'], industries: ['chemicals'] });
  Object.assign(ACCOUNTS, { enterprise: fx.enterprise.email, institution: fx.institution.email, expert: expert.user.email, broker: fx.broker.email, organizer: fx.organizer.email });
  // The enterprise's contact gets an address as long as real ones can be (the need page's contact card).
  await Enterprise.updateOne({ _id: fx.enterprise.id }, { $set: { 'contact.email': LONG_EMAIL } });
  ids.need = fx.enterprise.needId;
  ids.roadshowDay = dayFromToday(5);
  const show = await roadshows.create(
    fx.organizer.actor,
    parse(roadshowInput, {
      campaign: fx.campaign.id,
      title: '磷化工与新材料专场（版面测试）',
      venue: '东宝工业园科技服务中心一楼路演厅',
      startsAt: `${ids.roadshowDay}T09:00`,
      endsAt: `${ids.roadshowDay}T11:30`,
      capacity: 50,
      slots: [{ kind: 'expert', ref: fx.expert.id, startsAt: `${ids.roadshowDay}T09:00`, minutes: 30 }],
    }),
  );
  ids.roadshow = show.id;
  await t.settle();
});

type Who = 'visitor' | 'enterprise' | 'institution' | 'expert' | 'broker' | 'organizer';

// ---- in-page checks (run in Chromium; the project compiles without the DOM lib, so the pieces are described) ----

interface Box {
  left: number;
  right: number;
  top: number;
  width: number;
}
interface El {
  tagName: string;
  id: string;
  className: unknown;
  textContent: string | null;
  parentElement: El | null;
  children: ArrayLike<El>;
  getBoundingClientRect(): Box;
}
interface Win {
  innerWidth: number;
  getComputedStyle(el: El): { overflowX: string; position: string; display: string };
  document: { documentElement: { scrollWidth: number }; body: El; querySelectorAll(sel: string): ArrayLike<El> };
}

/** The page's width beyond the window, and the elements that stick out past the right edge (innermost first). */
async function sticksOut(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as Win;
    const doc = w.document;
    const limit = w.innerWidth + 1;
    const name = (el: El): string => {
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} "${text}" (right ${Math.round(el.getBoundingClientRect().right)})`;
    };
    // Inside a box that scrolls or clips sideways, sticking out does not widen the page.
    const clipped = (el: El): boolean => {
      for (let p = el.parentElement; p && p !== doc.body; p = p.parentElement) {
        const s = w.getComputedStyle(p);
        if (s.overflowX !== 'visible') return true;
      }
      return false;
    };
    const culprits: string[] = [];
    if (doc.documentElement.scrollWidth > w.innerWidth) {
      for (const el of Array.from(doc.querySelectorAll('body *'))) {
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.right <= limit || clipped(el)) continue;
        // the innermost: none of its children sticks out itself
        if (Array.from(el.children).some((c) => c.getBoundingClientRect().right > limit && c.getBoundingClientRect().width > 1)) continue;
        culprits.push(name(el));
        if (culprits.length >= 6) break;
      }
    }
    return { scrollWidth: doc.documentElement.scrollWidth, innerWidth: w.innerWidth, culprits };
  });
}

async function expectFits(page: Page, where: string, soft = false): Promise<void> {
  const o = await sticksOut(page);
  (soft ? expect.soft : expect)(o.scrollWidth, `${where} scrolls sideways (${o.scrollWidth}px > ${o.innerWidth}px); sticking out:\n  ${o.culprits.join('\n  ')}`).toBeLessThanOrEqual(o.innerWidth);
}

/** Every page the header (with its menus) and the footer link to, as the signed-in role sees them. */
async function navigationOf(page: Page): Promise<string[]> {
  const hrefs = await page.locator('header.site-header a[href^="/"], footer.site-footer a[href^="/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  return [...new Set(['/', ...hrefs])];
}

async function signedIn(who: Who, width: number): Promise<Page> {
  const page = await b.page({ viewport: { width, height: width === 390 ? PHONE.height : 800 } });
  if (who !== 'visitor') await login(page, ACCOUNTS[who], PASSWORD);
  await page.goto('/');
  return page;
}

describe('layout at 390, 1280 and 1366 px', () => {
  it.each(['visitor', 'enterprise', 'institution', 'expert', 'broker', 'organizer'] as const)(
    'when a %s opens every page of the navigation, then none scrolls sideways and the desktop header is one row',
    async (who) => {
      const page = await signedIn(who, 1366);
      const paths = await navigationOf(page);
      if (who === 'visitor') paths.push('/password/forgot');
      expect(paths.length).toBeGreaterThan(8);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: width === 390 ? PHONE.height : 800 });
        for (const path of paths) {
          const res = await page.goto(path);
          // Soft: every page is checked, and the run lists all that fail.
          expect.soft(res?.status(), `${path} as ${who}`).toBeLessThan(400);
          await expectFits(page, `${path} at ${width}px as ${who}`, true);
          const header = await page.locator('header.site-header').boundingBox();
          if (width === 390) {
            // A phone: brand, search box and 菜单 in one row.
            expect.soft(header!.height, `header height on ${path} at 390px as ${who}`).toBeLessThanOrEqual(72);
          } else {
            // A desktop: every link in one row, no menu button.
            expect.soft(await page.locator('.nav-toggle > summary').isVisible(), `menu button on ${path} at ${width}px`).toBe(false);
            // Wrapped: some link starts below where the first row ends.
            const wrapped = await page.locator('.nav-toggle > .nav-links > li').evaluateAll((lis) => {
              const boxes = lis.map((li) => li.getBoundingClientRect());
              const rowEnd = Math.min(...boxes.map((r) => r.bottom));
              return lis.filter((_li, i) => boxes[i]!.top >= rowEnd - 1).map((li) => (li.textContent ?? '').trim());
            });
            expect.soft(wrapped, `header links on ${path} at ${width}px as ${who} wrap into a second row`).toEqual([]);
          }
        }
      }
    },
    300_000,
  );
});

describe('on a phone (390×844)', () => {
  it('when a visitor searches from the header, then the first result is on the first screen, the filters fold behind 筛选, and axe finds nothing serious', async () => {
    const J = 'layout-phone-search';
    const page = await b.page({ viewport: PHONE, isMobile: true, hasTouch: true });
    await page.goto('/');
    // The search box is in the header: one tap, type, search.
    const box = page.getByRole('banner').getByRole('searchbox', { name: '搜索需求、成果、专家' });
    expect(await box.isVisible()).toBe(true);
    await box.tap();
    await box.fill('磷石膏');
    await Promise.all([page.waitForURL(/\/search\?q=/), box.press('Enter')]);
    const first = page.locator('#search-results .cards > li').first();
    await first.waitFor();
    const top = (await first.boundingBox())!.y;
    expect(top, 'the first result starts within the first screen').toBeLessThan(PHONE.height - 100);
    // The filters are folded; opening 筛选 shows them.
    const industry = page.getByRole('combobox', { name: '行业' });
    expect(await industry.isVisible()).toBe(false);
    await page.locator('.filter-panel > summary').tap();
    expect(await industry.isVisible()).toBe(true);
    await expectFits(page, 'search at 390px');
    await shot(page, J, 'results');
    const severe = (await axeViolations(page)).filter((v) => SEVERE.has(v.impact ?? ''));
    expect(severe, describeViolations('search at 390px', severe)).toEqual([]);
  }, 60_000);

  it('when the menu button is tapped, then every link is on the screen and axe finds nothing serious', async () => {
    const page = await b.page({ viewport: PHONE, isMobile: true, hasTouch: true });
    await login(page, ACCOUNTS.organizer, PASSWORD);
    await page.goto('/');
    const nav = page.getByRole('banner').getByRole('navigation');
    expect(await nav.getByRole('link', { name: '需求大厅' }).isVisible()).toBe(false);
    await nav.locator('.nav-toggle > summary').tap();
    for (const name of ['需求大厅', '成果库', '专家库', '活动与路演', '目标看板', '对接申请', '通知']) {
      const link = nav.getByRole('link', { name, exact: true });
      const bounds = await link.boundingBox();
      expect(bounds, `menu link ${name}`).not.toBeNull();
      expect(bounds!.x).toBeGreaterThanOrEqual(0);
      expect(bounds!.x + bounds!.width).toBeLessThanOrEqual(PHONE.width);
    }
    await nav.getByRole('button', { name: '退出' }).waitFor();
    await expectFits(page, 'open menu at 390px');
    await shot(page, 'layout-phone-menu', 'open');
    const severe = (await axeViolations(page)).filter((v) => SEVERE.has(v.impact ?? ''));
    expect(severe, describeViolations('open menu at 390px', severe)).toEqual([]);
  }, 60_000);

  it('when the calendar, a need with a long contact e-mail and a roadshow sign-up are opened, then they read on a phone and at 1280 px', async () => {
    const page = await signedIn('enterprise', 390);
    await page.goto(`/calendar?view=month&date=${ids.roadshowDay}`);
    await expectFits(page, 'month calendar at 390px');
    // The month reads as a list of days; an event's time never breaks ("09:0 / 0").
    const event = page.locator('.cal-month .cal-events a').first();
    await event.waitFor();
    const timeBoxes = await event.evaluate((a) => {
      const d = (globalThis as unknown as { document: { createRange(): { setStart(n: unknown, o: number): void; setEnd(n: unknown, o: number): void; getClientRects(): ArrayLike<unknown> } } }).document;
      const range = d.createRange();
      range.setStart(a.firstChild, 0);
      range.setEnd(a.firstChild, 5);
      return range.getClientRects().length;
    });
    expect(timeBoxes, 'the time of a month event on a phone is on one line').toBe(1);
    await shot(page, 'layout-phone-calendar', 'month');
    await page.goto(`/calendar?view=week&date=${ids.roadshowDay}`);
    await expectFits(page, 'week calendar at 390px');

    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto(`/demands/${ids.need}`);
      await page.getByText(LONG_EMAIL).waitFor();
      await expectFits(page, `a need with a long contact e-mail at ${width}px`);
    }

    await page.setViewportSize(PHONE);
    await page.goto(`/roadshows/${ids.roadshow}`);
    const signup = page.locator('#signup');
    if (!(await signup.locator('.code').count())) {
      await signup.getByRole('button', { name: /报名/ }).click();
      await page.waitForLoadState('domcontentloaded');
    }
    const qr = page.locator('#signup svg[role="img"]');
    await qr.waitFor();
    expect(await qr.getAttribute('aria-label')).toMatch(/^签到二维码，签到码 [A-Z0-9]{6}$/);
    await expectFits(page, 'a roadshow with a sign-up at 390px');
    await shot(page, 'layout-phone-roadshow', 'signup');
  }, 90_000);
});
