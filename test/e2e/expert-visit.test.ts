// Browser journey of a 专家东宝行 visit from the expert's side: the expert signs in, opens 我的行程 and confirms
// the visit planned for them; the organizer's visit page shows 已确认. The organizer then writes the stop's
// report, the expert finds the notice, opens the visit from it and adds a remark (专家备注), which the organizer
// sees on the visit page.
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { flash, go, login, shot, textOf, useBrowser } from '../support/browser.ts';
import { owner } from '../support/directory.ts';
import { clock } from '../../server/platform/clock.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { campaigns } from '../../server/campaigns/campaign-service.ts';
import { visits } from '../../server/campaigns/visit-service.ts';
import { campaignInput, visitInput } from '../../server/campaigns/schema.ts';
import { dayFromToday, PASSWORD, seedFixtures, ZONE, type Fixtures } from './fixtures.ts';

const t = buildTestApp();
const b = useBrowser(t.app);
let fx: Fixtures;
let expertEmail = '';
let visitId = '';

beforeAll(async () => {
  fx = await seedFixtures();
  const expert = await owner('expert', { name: '孙走访', title: '研究员', keywords: ['磷化工', '尾气治理'] });
  expertEmail = expert.user.email;
  const host = await owner('enterprise', { name: '东宝区走访接待化工公司' });
  const campaign = await campaigns.create(
    fx.organizer.actor,
    parse(campaignInput, { kind: 'expert-visit', name: '2026年专家东宝行（浏览器测试）', startsOn: dayFromToday(-1), endsOn: dayFromToday(30) }),
  );
  // The stop began a few minutes ago and lasts two hours: still open to an answer, and open to a report.
  const startsAt = DateTime.fromJSDate(clock.now(), { zone: ZONE }).minus({ minutes: 10 }).startOf('minute').toFormat("yyyy-MM-dd'T'HH:mm");
  visitId = (
    await visits.create(fx.organizer.actor, parse(visitInput, { campaign: campaign.id, expert: expert.id, title: '孙走访 专家东宝行（浏览器测试）', stops: [{ enterprise: host.id, startsAt, minutes: 120 }] }))
  ).id;
});

describe('an expert visit', () => {
  it('when the expert confirms in 我的行程, then the organizer sees 已确认; after the report, the expert adds a remark the organizer sees', async () => {
    const J = 'expert-visit';
    const expertPage = await b.page();
    await login(expertPage, expertEmail, PASSWORD);
    await expertPage.goto('/itinerary');
    const card = expertPage.locator('.itinerary > li').filter({ hasText: '孙走访 专家东宝行（浏览器测试）' });
    await card.getByText('东宝区走访接待化工公司').waitFor();
    await card.getByText('待确认').waitFor();
    await shot(expertPage, J, 'itinerary');
    await go(expertPage, card.getByRole('button', { name: '确认参加' }));
    expect(await flash(expertPage)).toContain('已确认');
    expect(await textOf(expertPage.locator('.itinerary > li').filter({ hasText: '孙走访 专家东宝行（浏览器测试）' }).locator('strong', { hasText: '已确认' }))).toBe('已确认');

    const organizerPage = await b.page();
    await login(organizerPage, fx.organizer.email, PASSWORD);
    await organizerPage.goto(`/visits/${visitId}`);
    const answer = organizerPage.locator('dt', { hasText: '专家确认' }).locator('xpath=following-sibling::dd[1]');
    expect(await textOf(answer)).toContain('已确认');
    await shot(organizerPage, J, 'organizer-sees-confirmed');

    // The organizer writes the stop's report.
    await organizerPage.getByLabel('发现的问题（每行一条）').fill('尾气吸收塔效率偏低\n缺少在线监测');
    await organizerPage.getByLabel('专家建议').fill('建议增设二级吸收并接入在线监测平台。');
    await go(organizerPage, organizerPage.getByRole('button', { name: '保存报告' }));
    expect(await flash(organizerPage)).toBe('已保存走访报告。');

    // The expert is told, opens the visit from the notice and adds a remark.
    await expertPage.goto('/notifications');
    const notice = expertPage.getByRole('link', { name: /区科技局填写了走访报告：东宝区走访接待化工公司/ });
    await shot(expertPage, J, 'notice');
    await go(expertPage, notice);
    expect(new URL(expertPage.url()).pathname).toBe(`/visits/${visitId}`);
    await expertPage.getByRole('listitem').filter({ hasText: '尾气吸收塔效率偏低' }).first().waitFor();
    const remark = expertPage.getByLabel('专家备注（仅区科技局和您本人可见）');
    await go(expertPage, expertPage.getByRole('button', { name: '添加备注' })); // empty: a field error, nothing kept
    expect(await textOf(expertPage.locator('#e-remark'))).toBe('请填写专家备注。');
    await remark.fill('企业已同意下月送样检测，我会跟进二级吸收改造方案。');
    await go(expertPage, expertPage.getByRole('button', { name: '添加备注' }));
    expect(await flash(expertPage)).toContain('已保存专家备注');
    await shot(expertPage, J, 'remark-added');

    // The organizer is told, and sees the remark on the visit page.
    await organizerPage.goto('/notifications');
    await go(organizerPage, organizerPage.getByRole('link', { name: /孙走访添加了专家备注/ }));
    const section = organizerPage.locator('#remark');
    expect(await textOf(section)).toContain('企业已同意下月送样检测，我会跟进二级吸收改造方案。');
    expect(await section.locator('textarea').count()).toBe(0); // the bureau reads it, only the expert writes it
    await shot(organizerPage, J, 'organizer-sees-remark');
  }, 120_000);
});
