// Browser journeys through the real pages, as people would click them (issue 9): an enterprise registers,
// posts a need, sees matches with reasons and asks for a contact; a broker claims it, shortlists a result,
// moves it on and records the contract; the organizer verifies it and the target dashboard moves. An
// organizer schedules roadshows and meets the clash messages; the search page answers as you type.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildTestApp } from '../support/app.ts';
import { go, login, shot, textOf, useBrowser } from '../support/browser.ts';
import { creditCodeFor, dayFromToday, PASSWORD, seedFixtures, thisYear, TITLES, today, type Fixtures } from './fixtures.ts';

const t = buildTestApp();
const b = useBrowser(t.app);
let fx: Fixtures;

beforeAll(async () => {
  fx = await seedFixtures();
  await t.settle(); // lists, matches and search read the index
});

/** The figure in the 完成 column of a dashboard row (the first line: what is counted), in 万元. */
async function dashboardFigure(page: Page, indicator: string, scope: string): Promise<number> {
  await page.goto(`/targets?year=${thisYear()}`);
  const row = page.locator('table.progress-table tbody tr').filter({ has: page.locator('td[data-label="指标"]', { hasText: indicator }) }).filter({ has: page.locator('td[data-label="范围"]', { hasText: scope }) });
  await row.waitFor();
  const done = (await textOf(row.locator('td[data-label="完成"]'))).split('\n')[0]!.trim();
  if (done === '—') return 0;
  const m = /^([\d.,]+)\s*(万元|亿元)$/.exec(done);
  if (!m) throw new Error(`unexpected figure "${done}" in the row ${indicator} · ${scope}`);
  const n = Number(m[1]!.replace(/,/g, ''));
  return m[2] === '亿元' ? n * 10_000 : n;
}

describe('an enterprise, a broker and the district bureau', () => {
  it('when an enterprise posts a need and a broker records the deal that the bureau verifies, then the target dashboard moves by its amount', async () => {
    const J = 'deal';
    const year = thisYear();

    // ---- the bureau sets this year's contract-value target and reads the dashboard --------------------------
    const bureau = await b.page();
    await login(bureau, fx.organizer.email, PASSWORD);
    await bureau.goto('/targets/plan/new');
    await bureau.getByLabel('指标').selectOption({ label: '技术合同成交额（万元）' });
    await bureau.getByRole('radio', { name: '单一年度' }).check();
    await bureau.locator('#f-year').fill(String(year));
    await bureau.getByLabel('范围').selectOption({ label: '全区' });
    await bureau.locator('#f-value').fill('5000');
    await go(bureau, bureau.getByRole('button', { name: '保存' }));
    await bureau.waitForURL(/\/targets\/plan\/[0-9a-f]{24}$/);
    await bureau.getByRole('heading', { level: 1, name: /技术合同成交额/ }).waitFor();
    const before = await dashboardFigure(bureau, '技术合同成交额', '全区');
    await shot(bureau, J, 'dashboard-before');

    // ---- an enterprise registers, records its company and posts a need --------------------------------------
    const company = await b.page();
    await company.goto('/');
    await go(company, company.getByRole('banner').getByRole('button', { name: '注册' })); // a link styled as a button
    await company.getByLabel('账户类型').selectOption({ label: '企业' });
    await company.getByLabel('姓名或单位名称').fill('湖北东宝新材料有限公司');
    await company.getByLabel('邮箱').fill('xincailiao@example.cn');
    await company.locator('#f-password').fill(PASSWORD);
    await company.getByLabel('再次输入密码').fill(PASSWORD);
    await shot(company, J, 'register');
    await go(company, company.getByRole('main').getByRole('button', { name: '注册' }));
    expect(new URL(company.url()).pathname).toBe('/account');
    await company.getByRole('banner').getByRole('link', { name: '湖北东宝新材料有限公司' }).waitFor(); // logged in
    await go(company, company.getByRole('button', { name: '登记企业信息' }));
    await company.getByLabel('企业名称').fill('湖北东宝新材料有限公司');
    await company.getByLabel('统一社会信用代码').fill(creditCodeFor(2));
    await company.getByLabel('所属行业').selectOption({ label: '磷化工与新材料' });
    await company.getByLabel('所在乡镇（街道、园区）').selectOption({ label: '石桥驿镇' });
    await company.getByLabel('联系人').fill('王经理');
    await company.getByLabel('联系电话').fill('13972600002');
    await go(company, company.getByRole('button', { name: '保存' }));
    await company.waitForURL(/\/enterprises\/[0-9a-f]{24}$/);
    await company.getByRole('heading', { level: 1, name: '湖北东宝新材料有限公司' }).waitFor();

    await company.goto('/demands/new');
    await company.getByLabel('需求名称').fill('磷石膏高值化利用');
    await company.getByLabel('所属行业').selectOption({ label: '磷化工与新材料' });
    await company.getByLabel('需求类型').selectOption({ label: '技术难题攻关' });
    await company.getByLabel('需求描述').fill('公司每年副产磷石膏约 80 万吨，堆存压力大，希望引进磷石膏净化和制备高强石膏的成熟技术，综合利用率提高到 70% 以上。');
    await company.getByLabel('关键词').fill('磷石膏、综合利用、高强石膏');
    await company.getByRole('checkbox', { name: '合作开发' }).check();
    await company.getByRole('checkbox', { name: '技术转让' }).check();
    await company.getByLabel('预算下限（万元）').fill('50');
    await company.getByLabel('预算上限（万元）').fill('200');
    await company.getByLabel('公开范围').selectOption({ label: '公开' });
    await shot(company, J, 'need-form');
    await go(company, company.getByRole('button', { name: '发布', exact: true }));
    await company.waitForURL(/\/demands\/[0-9a-f]{24}$/);
    const needUrl = new URL(company.url()).pathname;
    const needId = needUrl.split('/').pop()!;

    // ---- it sees matched results and experts, each with its reasons, and asks for a contact -----------------
    const resultMatches = company.getByRole('region', { name: '匹配的科技成果' });
    const top = resultMatches.locator('li').filter({ hasText: TITLES.result }).first();
    await top.waitFor();
    const reasons = await top.locator('.reasons li').allInnerTexts();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(' ')).toContain('磷石膏');
    await expect.poll(() => resultMatches.getByText(TITLES.unrelated).count()).toBe(0);
    const expertMatches = company.getByRole('region', { name: '可对接的专家' });
    const expertItem = expertMatches.locator('li').filter({ hasText: fx.expert.name }).first();
    await expertItem.waitFor();
    expect((await expertItem.locator('.reasons li').allInnerTexts()).length).toBeGreaterThan(0);
    await shot(company, J, 'need-with-matches');

    await go(company, top.getByRole('button', { name: '申请对接' }));
    expect(new URL(company.url()).pathname).toBe(needUrl);
    await go(company, company.getByRole('link', { name: TITLES.result }).first());
    await company.getByText(/^已申请对接，等待对方答复/).waitFor();
    await company.goto('/contact-requests');
    await company.locator('li').filter({ hasText: TITLES.result }).getByText('等待答复').waitFor();
    await shot(company, J, 'contact-requested');

    // ---- a broker claims the need, shortlists the result and moves it to a meeting --------------------------
    const broker = await b.page();
    await login(broker, fx.broker.email, PASSWORD);
    await broker.goto('/broker');
    const waiting = broker.locator('table.unassigned tbody tr').filter({ has: broker.getByRole('link', { name: '磷石膏高值化利用' }) });
    await shot(broker, J, 'broker-queue');
    await go(broker, waiting.getByRole('button', { name: '认领' }));
    expect(new URL(broker.url()).pathname).toBe(`/demands/${needId}/pipeline`);
    await broker.getByRole('main').getByText(`经纪人：${fx.broker.name}`).waitFor();

    const suggestion = broker.locator('ol.match-list > li').filter({ hasText: TITLES.result });
    expect((await suggestion.locator('.reasons li').allInnerTexts()).length).toBeGreaterThan(0);
    await go(broker, suggestion.getByRole('button', { name: '列入对接清单' }));
    const card = broker.locator('ol.pipeline > li').filter({ hasText: TITLES.result });
    await card.locator('.status').filter({ hasText: '已入围' }).waitFor();
    for (const [step, label] of [['contacted', '已联系'], ['meeting', '已约见']] as const) {
      await card.getByLabel('下一步').selectOption(step);
      await card.getByLabel('说明').fill(step === 'contacted' ? '已电话联系学院科技处' : '约定下周到企业现场交流');
      await go(broker, card.getByRole('button', { name: '更新' }));
      await card.locator('.status').filter({ hasText: label }).waitFor();
    }
    await shot(broker, J, 'pipeline-meeting');

    // ---- … and records the contract from the pipeline; it waits for the bureau -----------------------------
    await go(broker, card.getByRole('button', { name: '登记技术合同' }));
    await broker.waitForURL(/\/contracts\/new\?match=/);
    await broker.getByText('来自对接记录').waitFor();
    expect(await broker.getByLabel('合同名称').inputValue()).toContain('磷石膏高值化利用');
    expect(await broker.locator('#f-buyer option:checked').innerText()).toContain('湖北东宝新材料有限公司');
    expect(await broker.locator('#f-seller option:checked').innerText()).toContain('荆楚理工学院（测试）');
    await broker.getByLabel('合同类型').selectOption({ label: '技术开发' });
    await broker.getByLabel('合同成交额（万元）').fill('120');
    await broker.getByLabel('技术交易额（万元）').fill('100');
    await broker.getByLabel('签订日期').fill(today());
    await broker.getByLabel('登记号').fill(`${year}4208020001`);
    await broker.getByLabel('登记日期').fill(today());
    await shot(broker, J, 'contract-form');
    await go(broker, broker.getByRole('button', { name: '保存' }));
    await broker.waitForURL(/\/contracts\/[0-9a-f]{24}$/);
    const contractPath = new URL(broker.url()).pathname;
    await broker.getByText('待区科技局核实，暂不计入目标').waitFor();
    await shot(broker, J, 'contract-recorded');

    // Not counted yet: the dashboard shows it as pending only.
    expect(await dashboardFigure(bureau, '技术合同成交额', '全区')).toBe(before);

    // ---- the bureau verifies it; the dashboard moves by the contract's amount -------------------------------
    await bureau.goto('/contracts');
    await go(bureau, bureau.getByRole('link', { name: '磷石膏高值化利用' }).first());
    expect(new URL(bureau.url()).pathname).toBe(contractPath);
    expect(await bureau.getByLabel('认定登记号').inputValue()).toBe(`${year}4208020001`); // as the broker entered it
    await go(bureau, bureau.getByRole('button', { name: '核实', exact: true }));
    await bureau.getByText(`已核实，计入 ${year} 年目标`).waitFor();
    const after = await dashboardFigure(bureau, '技术合同成交额', '全区');
    expect(after).toBeCloseTo(before + 120, 1);
    await shot(bureau, J, 'dashboard-after');

    // The need and the match are now marked as contracted.
    await company.goto(needUrl);
    await company.locator('.status').filter({ hasText: '已签约' }).first().waitFor();
  }, 240_000);
});

describe('roadshows', () => {
  it('when an organizer books a venue or a presenter twice, then the form comes back with the clash next to the field, and a free slot saves', async () => {
    const J = 'roadshow';
    const day = dayFromToday(21);
    const venue = '东宝工业园科技服务中心一楼路演厅';
    const page = await b.page();
    await login(page, fx.organizer.email, PASSWORD);

    const fill = async (title: string, where: string, from: string, to: string, slotAt: string) => {
      await page.goto('/roadshows/new');
      await page.getByLabel('所属活动').selectOption({ label: fx.campaign.name });
      await page.getByLabel('路演名称').fill(title);
      await page.getByLabel('路演地点').fill(where);
      await page.getByLabel('容纳企业数').fill('60');
      await page.getByLabel('开始时间（北京时间）').fill(`${day}T${from}`);
      await page.getByLabel('结束时间（北京时间）').fill(`${day}T${to}`);
      const first = page.getByRole('group', { name: '第 1 项' });
      await first.getByLabel('类型').selectOption({ label: '专家报告' });
      await first.getByLabel('路演内容').fill(fx.expert.id);
      await first.getByLabel('开始时间').fill(slotAt);
      await first.getByLabel('时长（分钟）').fill('30');
    };

    // The first session saves.
    await fill('磷化工与新材料专场', venue, '09:00', '11:30', '09:30');
    await shot(page, J, 'first-form');
    await go(page, page.getByRole('button', { name: '保存' }));
    await page.waitForURL(/\/roadshows\/[0-9a-f]{24}$/);
    await page.getByRole('heading', { level: 1, name: '磷化工与新材料专场' }).waitFor();
    await page.getByRole('table').getByRole('link', { name: /李磷石/ }).waitFor();

    // Same room at an overlapping time, and the expert on stage in both: each message sits under its field.
    await fill('绿色建材专场', venue, '09:30', '12:00', '09:45');
    await go(page, page.getByRole('button', { name: '保存' }));
    const venueField = page.getByLabel('路演地点');
    await expect.poll(() => venueField.getAttribute('aria-invalid')).toBe('true');
    const venueError = await textOf(page.locator('[id="e-venue"]'));
    expect(venueError).toContain(`场地“${venue}”`);
    expect(venueError).toContain('已有“磷化工与新材料专场”');
    expect(await venueField.getAttribute('aria-describedby')).toBe('e-venue');
    const row = page.getByRole('group', { name: '第 1 项' });
    const presenterError = () => textOf(row.locator('.field-error'));
    expect(await presenterError()).toMatch(/李磷石.*时间冲突/);
    expect(await textOf(page.locator('.form-errors'))).toContain('排期冲突');
    await shot(page, J, 'venue-and-presenter-clash');

    // Another room: the venue is fine now, the expert is still booked.
    await venueField.fill('东宝工业园电子信息产业园报告厅');
    await go(page, page.getByRole('button', { name: '保存' }));
    expect(await presenterError()).toMatch(/李磷石.*已安排在.*磷化工与新材料专场.*时间冲突/);
    expect(await row.getByLabel('路演内容').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[id="e-venue"]').count()).toBe(0);
    await shot(page, J, 'presenter-clash');

    // The expert's talk moved after the first session's: saved.
    await row.getByLabel('开始时间').fill('10:30');
    await go(page, page.getByRole('button', { name: '保存' }));
    await page.waitForURL(/\/roadshows\/[0-9a-f]{24}$/);
    await page.getByRole('heading', { level: 1, name: '绿色建材专场' }).waitFor();
    await shot(page, J, 'second-saved');
  }, 120_000);
});

describe('search as you type', () => {
  it('when a visitor types 磷石膏 into the search box, then Chinese results appear without submitting the form', async () => {
    const J = 'search';
    const page = await b.page();
    await page.goto('/search');
    // A mark on the window: if the page navigated (a submit), it would be gone.
    await page.evaluate(() => Object.assign(globalThis, { stillHere: true }));
    const box = page.getByRole('searchbox', { name: '关键词' });
    await box.pressSequentially('磷石膏', { delay: 120 });

    const results = page.locator('#search-results');
    await results.getByText('“磷石膏” 共找到').waitFor();
    await results.getByRole('link', { name: TITLES.result }).waitFor();
    await results.getByRole('link', { name: TITLES.result2 }).waitFor();
    await results.getByRole('link', { name: TITLES.need }).waitFor();
    expect(await results.getByRole('link', { name: TITLES.unrelated }).count()).toBe(0);
    expect(await results.locator('mark').first().innerText()).toContain('磷石膏');
    expect(await page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe('磷石膏'); // the address follows, for bookmarks
    await shot(page, J, 'typed');

    // A filter applies at once too: only results (科技成果) remain.
    await page.getByLabel('类型').selectOption({ label: '科技成果' });
    await expect.poll(() => results.getByRole('link', { name: TITLES.need }).count()).toBe(0);
    await results.getByRole('link', { name: TITLES.result }).waitFor();
    expect(new URL(page.url()).searchParams.get('kind')).toBe('result');

    // Typing on narrows or changes the results the same way: 香菇 finds the other result.
    await box.fill('');
    await box.pressSequentially('香菇', { delay: 120 });
    await results.getByRole('link', { name: TITLES.unrelated }).waitFor();
    await expect.poll(() => results.getByRole('link', { name: TITLES.result }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true);
    await shot(page, J, 'retyped');
  }, 60_000);
});
