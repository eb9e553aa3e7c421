// Browser journey (the broker's daily work): a broker claims a need from 待认领 on the workbench, the enterprise
// confirms the claim, the broker shortlists a result and an expert and reads, on the pipeline, the enterprise's
// contact and each candidate's — both sides, each reveal in the audit log. Then the broker records 达成意向 and the
// enterprise confirms it with one click on the notice.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { go, login, shot, textOf, useBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Audit } from '../../server/audit/model.ts';

const t = buildTestApp();
const b = useBrowser(t.app);

const NEED = '磷石膏净化制建材工艺需求';
const RESULT = '磷石膏水洗净化制纸面石膏板技术';
const EXPERT = '陈净化';
const PHONES = { enterprise: '13972611001', institution: '13972611002', expert: '13972611003' };

let fx: { broker: Awaited<ReturnType<typeof owner>>; enterprise: Awaited<ReturnType<typeof owner>>; institution: Awaited<ReturnType<typeof owner>>; expert: Awaited<ReturnType<typeof owner>>; need: string };

beforeAll(async () => {
  const broker = await owner('broker', { name: '吴经纪' });
  const enterprise = await owner('enterprise', { name: '东宝净化建材有限公司', contact: { name: '赵厂长', phone: PHONES.enterprise, email: 'zhao@jinghua.example.cn' } });
  const institution = await owner('institution', { name: '荆门职业技术学院（测试）', contact: { name: '钱老师', phone: PHONES.institution, email: 'qian@college.example.cn' } });
  const expert = await owner('expert', { name: EXPERT, keywords: ['磷石膏', '净化', '石膏板'], industries: ['chemicals', 'building'], contact: { name: EXPERT, phone: PHONES.expert, email: 'chen@expert.example.cn' } });
  await resultOf(institution.actor, { title: RESULT, keywords: ['磷石膏', '净化', '石膏板'], maturity: 'industrial' });
  const need = (await demandOf(enterprise.actor, { title: NEED, keywords: ['磷石膏', '净化', '石膏板'] })).id;
  fx = { broker, enterprise, institution, expert, need };
  await t.settle();
});

describe("a broker's daily work", () => {
  it('when the broker claims a need and the enterprise confirms, then the pipeline shows both sides\' contacts, each reveal audited, and the enterprise confirms 达成意向 from its notice', async () => {
    const J = 'broker-contacts';

    // ---- the broker claims the need from 待认领 ------------------------------------------------------------------
    const broker = await b.page();
    await login(broker, fx.broker.user.email, PASSWORD);
    await broker.goto('/broker');
    const row = broker.locator('table.unassigned tbody tr').filter({ hasText: NEED });
    await row.waitFor();
    expect(await textOf(row)).toContain('磷化工与新材料');
    await shot(broker, J, 'workbench');
    await go(broker, row.getByRole('button', { name: `认领：${NEED}` }));
    expect(new URL(broker.url()).pathname).toBe(`/demands/${fx.need}/pipeline`);
    // Not confirmed yet: no contact.
    expect(await broker.getByRole('heading', { name: '企业联系方式' }).count()).toBe(0);

    // ---- the enterprise confirms the claim -------------------------------------------------------------------
    const company = await b.page();
    await login(company, fx.enterprise.user.email, PASSWORD);
    await company.goto(`/demands/${fx.need}`);
    await go(company, company.getByRole('button', { name: '确认由 吴经纪 对接' }));

    // ---- the broker shortlists a result and an expert, and sees all three contacts ---------------------------
    await broker.goto(`/demands/${fx.need}/pipeline`);
    for (const title of [RESULT, EXPERT]) {
      const suggestion = broker.locator('ol.match-list > li').filter({ has: broker.getByRole('link', { name: title, exact: true }) });
      await go(broker, suggestion.getByRole('button', { name: '列入对接清单' }));
    }
    const enterpriseCard = broker.locator('section', { has: broker.getByRole('heading', { name: '企业联系方式' }) });
    expect(await textOf(enterpriseCard)).toContain(PHONES.enterprise);
    const pipeline = broker.locator('ol.pipeline');
    const resultRow = pipeline.locator('li.card').filter({ hasText: RESULT });
    const expertRow = pipeline.locator('li.card').filter({ hasText: EXPERT });
    expect(await textOf(resultRow.locator('.contact-line'))).toContain(PHONES.institution);
    expect(await textOf(expertRow.locator('.contact-line'))).toContain(PHONES.expert);
    await shot(broker, J, 'pipeline-with-contacts');
    for (const id of [fx.enterprise.id, fx.institution.id, fx.expert.id]) {
      expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: id, actorId: fx.broker.user.id }), id).toBeGreaterThanOrEqual(1);
    }

    // ---- 达成意向, confirmed by the enterprise from its notice ---------------------------------------------------
    for (const step of ['已联系', '已约见', '达成意向']) {
      await resultRow.getByLabel('下一步').selectOption({ label: step });
      await go(broker, resultRow.getByRole('button', { name: '更新' }));
    }
    await company.goto('/notifications');
    const notice = company.locator('ul.notifications > li').filter({ hasText: `对接进展：${RESULT} 达成意向` });
    await go(company, notice.getByRole('button', { name: '确认达成意向' }));
    expect(new URL(company.url()).pathname).toBe('/notifications');
    await shot(company, J, 'enterprise-confirmed');
    await broker.goto(`/demands/${fx.need}/pipeline`);
    await resultRow.locator('details summary', { hasText: '进展记录' }).click();
    expect(await textOf(resultRow.locator('ol.history'))).toContain('企业已确认');
  }, 120_000);
});
