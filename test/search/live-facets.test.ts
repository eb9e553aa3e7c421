// The search page in a browser: as you type, the facets change with the list (views/assets/app.js swaps both
// parts of the fragment), and their links still lead to the page.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { useBrowser } from '../support/browser.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';

const t = buildTestApp();
const b = useBrowser(t.app);

beforeAll(async () => {
  const ent = await owner('enterprise');
  const inst = await owner('institution');
  await demandOf(ent.actor, { title: '铝灰渣无害化处置需求', keywords: ['铝灰渣'] });
  await demandOf(ent.actor, { title: '铝灰渣提取氧化铝需求', keywords: ['铝灰渣'] });
  await resultOf(inst.actor, { title: '铝灰渣制备净水剂技术', keywords: ['铝灰渣', '净水剂'] });
  await t.settle();
});

describe('search as you type, with facets', () => {
  it('when a visitor types, then the facet counts follow the list without a page load', async () => {
    const page = await b.page();
    await page.goto('/search');
    await page.evaluate(() => Object.assign(globalThis, { stillHere: true }));
    const box = page.getByRole('searchbox', { name: '关键词' });
    const facets = page.locator('#search-facets');
    await box.pressSequentially('铝灰渣', { delay: 100 });
    await page.locator('#search-results').getByText('“铝灰渣” 共找到 3 条结果').waitFor();
    await facets.getByRole('link', { name: '技术需求（2）' }).waitFor();
    await facets.getByRole('link', { name: '科技成果（1）' }).waitFor();

    await box.pressSequentially('净水剂', { delay: 100 });
    await page.locator('#search-results').getByText('共找到 1 条结果').waitFor();
    await facets.getByRole('link', { name: '科技成果（1）' }).waitFor();
    await expect.poll(() => facets.getByRole('link', { name: /技术需求/ }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { stillHere?: boolean }).stillHere)).toBe(true);

    // A facet link from the swapped-in facets opens the page (not a bare fragment).
    await facets.getByRole('link', { name: '科技成果（1）' }).click();
    await page.waitForURL(/kind=result/);
    expect(new URL(page.url()).searchParams.get('fragment')).toBeNull();
    await page.locator('h1', { hasText: '搜索' }).waitFor();
  }, 60_000);
});
