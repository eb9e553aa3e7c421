// The same site on a phone (390×844, touch) and with JavaScript switched off (issue 9): on a phone the pages fit
// the screen's width, the navigation is there to tap and the forms submit; without JavaScript every page
// reads, and a need and a contact request go through the plain forms.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildTestApp } from '../support/app.ts';
import { go, horizontalOverflow, login, PHONE, shot, useBrowser } from '../support/browser.ts';
import { PASSWORD, seedContractTarget, seedFixtures, thisYear, TITLES, type Fixtures } from './fixtures.ts';

const t = buildTestApp();
const b = useBrowser(t.app);
let fx: Fixtures;

beforeAll(async () => {
  fx = await seedFixtures();
  await seedContractTarget(fx.organizer.actor);
  await t.settle();
});

/** Fails naming what sticks out when the page is wider than the screen. */
async function expectFitsWidth(page: Page): Promise<void> {
  const o = await horizontalOverflow(page);
  expect(o.scrollWidth, `${page.url()} scrolls sideways (${o.scrollWidth}px > ${o.innerWidth}px):\n${o.culprits.join('\n')}`).toBeLessThanOrEqual(o.innerWidth);
}

/** A need typed into /demands/new and published; returns the new need's path. */
async function postNeed(page: Page, title: string): Promise<string> {
  await page.goto('/demands/new');
  await page.getByLabel('需求名称').fill(title);
  await page.getByLabel('所属行业').selectOption({ label: '磷化工与新材料' });
  await page.getByLabel('需求描述').fill('湿法磷酸尾气含氟约 2 g/m³，现有水洗塔回收率偏低，希望引进氟硅酸回收制备氟化盐的技术，并改造现有吸收工段。');
  await page.getByLabel('关键词').fill('氟回收、氟硅酸、尾气');
  await page.getByRole('checkbox', { name: '委托开发' }).check();
  await page.getByLabel('公开范围').selectOption({ label: '公开' });
  await go(page, page.getByRole('button', { name: '发布', exact: true }));
  await page.waitForURL(/\/demands\/[0-9a-f]{24}$/);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  return new URL(page.url()).pathname;
}

describe('on a phone', () => {
  it('when a visitor and an enterprise use the site at 390×844, then no page scrolls sideways, the navigation works and a need can be posted', async () => {
    const J = 'phone';
    const page = await b.page({ viewport: PHONE, isMobile: true, hasTouch: true });

    await page.goto('/');
    await expectFitsWidth(page);
    await shot(page, J, 'home');
    // The navigation folds behind the header's 菜单 button (views/partials/header.hbs); opened, it is on the screen
    // (not cut off or hidden) and taps through.
    const nav = page.getByRole('banner').getByRole('navigation');
    await nav.locator('.nav-toggle > summary').tap();
    for (const name of ['需求大厅', '成果库', '专家库', '活动与路演', '目标看板', '搜索', '登录']) {
      const link = nav.getByRole('link', { name, exact: true });
      const box = await link.boundingBox();
      expect(box, `nav link ${name}`).not.toBeNull();
      expect(box!.x, `nav link ${name} starts on screen`).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, `nav link ${name} ends on screen`).toBeLessThanOrEqual(PHONE.width);
    }
    await Promise.all([page.waitForURL('**/demands'), nav.getByRole('link', { name: '需求大厅' }).tap()]);
    await page.getByRole('heading', { level: 1, name: '需求大厅' }).waitFor();
    await page.getByRole('link', { name: TITLES.need }).waitFor();
    await expectFitsWidth(page);
    await shot(page, J, 'needs');

    await go(page, page.getByRole('link', { name: TITLES.need }));
    await page.getByRole('heading', { level: 1, name: TITLES.need }).waitFor();
    await page.getByRole('region', { name: '匹配的科技成果' }).getByRole('link', { name: TITLES.result }).waitFor();
    await expectFitsWidth(page);
    await shot(page, J, 'need');

    // The search form submits from the phone's keyboard.
    await page.goto('/search');
    await page.getByRole('searchbox', { name: '关键词' }).fill('磷石膏');
    await go(page, page.getByRole('button', { name: '搜索', exact: true }));
    await page.locator('#search-results').getByRole('link', { name: TITLES.result }).waitFor();
    await expectFitsWidth(page);
    await shot(page, J, 'search');

    await page.goto(`/targets?year=${thisYear()}`);
    await page.locator('td[data-label="指标"]', { hasText: '技术合同成交额' }).first().waitFor();
    await expectFitsWidth(page);
    await shot(page, J, 'dashboard');

    // An enterprise logs in and posts a need, all on the phone.
    await login(page, fx.enterprise.email, PASSWORD);
    await page.goto('/demands/new');
    await expectFitsWidth(page);
    const needPath = await postNeed(page, '磷化工尾气氟回收技术需求');
    expect(needPath).toMatch(/^\/demands\/[0-9a-f]{24}$/);
    await expectFitsWidth(page);
    await shot(page, J, 'need-posted');
  }, 120_000);
});

describe('without JavaScript', () => {
  it('when scripts are off, then lists, pages and search read, and a need and a contact request post through the plain forms', async () => {
    const J = 'nojs';
    const context = await b.context({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Reading: lists, a need, a result, an expert, search.
    await page.goto('/');
    await go(page, page.getByRole('banner').getByRole('link', { name: '需求大厅' }));
    await go(page, page.getByRole('link', { name: TITLES.need }));
    await page.getByRole('heading', { level: 1, name: TITLES.need }).waitFor();
    await page.getByRole('region', { name: '匹配的科技成果' }).locator('.reasons li').first().waitFor();
    await shot(page, J, 'need');
    await go(page, page.getByRole('banner').getByRole('link', { name: '成果库' }));
    await go(page, page.getByRole('link', { name: TITLES.result2 }));
    await page.getByRole('heading', { level: 1, name: TITLES.result2 }).waitFor();
    await go(page, page.getByRole('banner').getByRole('link', { name: '专家库' }));
    await go(page, page.getByRole('link', { name: fx.expert.name }).first());
    await page.getByRole('heading', { level: 1, name: fx.expert.name }).waitFor();

    // Search submits as a normal form (no as-you-type without scripts).
    await page.goto('/search');
    await page.getByRole('searchbox', { name: '关键词' }).fill('香菇');
    await go(page, page.getByRole('button', { name: '搜索', exact: true }));
    expect(new URL(page.url()).searchParams.get('q')).toBe('香菇');
    await page.locator('#search-results').getByRole('link', { name: TITLES.unrelated }).waitFor();
    expect(await page.locator('#search-results').getByRole('link', { name: TITLES.result }).count()).toBe(0);
    await shot(page, J, 'search');

    // Posting: a need, then a contact request with a message from a result's page.
    await login(page, fx.enterprise.email, PASSWORD);
    await postNeed(page, '磷化工尾气氟回收技术需求');
    await shot(page, J, 'need-posted');

    await page.goto(`/results/${fx.results.phospho2}`);
    await page.getByLabel('给对方留言（可选）').fill('我公司有磷石膏综合利用需求，希望了解石膏板生产线的投资规模。');
    await go(page, page.getByRole('main').getByRole('button', { name: '申请对接' }));
    expect(new URL(page.url()).pathname).toBe(`/results/${fx.results.phospho2}`);
    await page.getByText(/^已申请对接，等待对方答复/).waitFor();
    await shot(page, J, 'contact-requested');

    // The institution sees the request with its message.
    const office = await b.page({ javaScriptEnabled: false });
    await login(office, fx.institution.email, PASSWORD);
    await office.goto('/contact-requests');
    const request = office.locator('li').filter({ hasText: TITLES.result2 });
    await request.getByText('石膏板生产线的投资规模').waitFor();
    await request.getByRole('button', { name: '同意并互换联系方式' }).waitFor();
  }, 120_000);
});
