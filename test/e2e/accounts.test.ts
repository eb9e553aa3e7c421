// Browser journeys for accounts of listed records (issue 13): the bureau invites the contact of an institution
// it listed, and that person opens the mailed link, sets a password, signs in later and edits the institution and
// its result; an employee of a listed enterprise registers, is told the credit code is taken, claims the
// enterprise, the bureau approves, and the employee edits it. The invitation's link is read from the outbox
// (what /admin/mail shows without SMTP); its delivery over SMTP is proven by test/memberships/invitations.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { flash, go, login, shot, useBrowser } from '../support/browser.ts';
import { makeUser, PASSWORD } from '../support/agent.ts';
import { resultOf } from '../support/directory.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { enterprises } from '../../server/organizations/enterprise-service.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { enterpriseInput, institutionInput } from '../../server/organizations/schema.ts';
import { Outbox } from '../../server/mail/model.ts';
import { creditCodeFor } from './fixtures.ts';

const t = buildTestApp();
const b = useBrowser(t.app);
let organizer: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  organizer = await makeUser('organizer', { name: '区科技局（测试）' });
});

describe('accounts for records the bureau listed', () => {
  it('when the bureau invites the contact of a listed institution, then the link sets a password and that person signs in and edits the institution and its result', async () => {
    const J = 'invitation';
    const inst = await institutions.create(
      organizer,
      parse(institutionInput, { name: '荆楚理工学院化工学院', kind: 'university', province: '湖北省', city: '荆门市', contact: { name: '陈老师', email: 'chen.jclg@example.cn', phone: '0724-2204001' } }),
    );
    const result = await resultOf(organizer, { title: '磷石膏基胶凝材料制备技术', institution: inst.id });

    const bureau = await b.page();
    await login(bureau, organizer.email, PASSWORD);
    await bureau.goto(`/institutions/${inst.id}`);
    await go(bureau, bureau.getByRole('button', { name: '账户与邀请' }));
    await bureau.getByText('还没有账户代表这条记录').waitFor();
    expect(await bureau.getByLabel('被邀请人的邮箱').inputValue()).toBe('chen.jclg@example.cn');
    await shot(bureau, J, 'record-accounts');
    await go(bureau, bureau.getByRole('button', { name: '发送邀请' }));
    expect(await flash(bureau)).toContain('邀请邮件已发给 chen.jclg@example.cn');
    await bureau.getByRole('cell', { name: 'chen.jclg@example.cn' }).waitFor();

    // The mail, as the outbox keeps it (no SMTP server in this journey): its link is the only copy of the token.
    const mail = await Outbox.findOne({ to: 'chen.jclg@example.cn', kind: 'account.invitation' }).lean();
    const link = String((mail!.data as { link: string }).link);
    expect(link).toMatch(/^\/invitations\/[A-Za-z0-9_-]{43}$/);

    const person = await b.page();
    await person.goto(link);
    await person.getByRole('heading', { level: 1, name: '开通平台账户' }).waitFor();
    await person.getByText('荆楚理工学院化工学院').first().waitFor();
    await person.getByLabel('您的姓名').fill('陈晓东');
    await person.locator('#f-password').fill('12345678');
    await person.getByLabel('再次输入密码').fill('12345678');
    await go(person, person.getByRole('button', { name: '开通账户' }));
    await person.locator('#e-password').waitFor(); // a common password: said beside the field
    await person.locator('#f-password').fill(PASSWORD);
    await person.getByLabel('再次输入密码').fill(PASSWORD);
    await shot(person, J, 'set-password');
    await go(person, person.getByRole('button', { name: '开通账户' }));
    expect(new URL(person.url()).pathname).toBe(`/institutions/${inst.id}`);
    expect(await flash(person)).toContain('账户已开通');

    // Later, signing in with the password it set, the person edits the institution and its result.
    await person.context().clearCookies();
    await login(person, 'chen.jclg@example.cn', PASSWORD);
    await person.goto(`/institutions/${inst.id}`);
    await go(person, person.getByRole('main').getByRole('button', { name: '编辑' }));
    await person.getByLabel('机构简介').fill('磷化工与建材方向的应用研究，拥有磷石膏中试线。');
    await go(person, person.getByRole('button', { name: '保存' }));
    await person.getByText('磷化工与建材方向的应用研究，拥有磷石膏中试线。').waitFor();
    await person.goto(`/results/${result.id}/edit`);
    await person.getByLabel('成果名称').fill('磷石膏基胶凝材料制备与应用技术');
    await go(person, person.getByRole('button', { name: '保存并发布' }));
    await person.getByRole('heading', { level: 1, name: '磷石膏基胶凝材料制备与应用技术' }).waitFor();
    await shot(person, J, 'result-edited');

    // The link again: used.
    const again = await b.page();
    const res = await again.goto(link);
    expect(res?.status()).toBe(410);
    await again.getByRole('heading', { name: '邀请链接已失效' }).waitFor();
  });

  it('when an employee registers with the credit code of a listed enterprise, then they claim it, the bureau approves, and they edit it', async () => {
    const J = 'claim';
    const code = creditCodeFor(31);
    const listed = await enterprises.create(organizer, parse(enterpriseInput, { name: '荆门东宝精细化工有限公司', creditCode: code, industry: 'chemicals', town: 'shiqiaoyi' }));

    const employee = await b.page();
    await employee.goto('/register');
    await employee.getByLabel('账户类型').selectOption({ label: '企业' });
    await employee.getByLabel('姓名或单位名称').fill('周技术');
    await employee.getByLabel('邮箱').fill('zhou.jishu@example.cn');
    await employee.locator('#f-password').fill(PASSWORD);
    await employee.getByLabel('再次输入密码').fill(PASSWORD);
    await go(employee, employee.getByRole('main').getByRole('button', { name: '注册' }));
    await go(employee, employee.getByRole('button', { name: '登记企业信息' }));
    await employee.getByLabel('企业名称').fill('东宝精细化工');
    await employee.getByLabel('统一社会信用代码').fill(code);
    await employee.getByLabel('所属行业').selectOption({ label: '磷化工与新材料' });
    await employee.getByLabel('所在乡镇（街道、园区）').selectOption({ label: '石桥驿镇' });
    await go(employee, employee.getByRole('button', { name: '保存' }));
    await employee.getByText('已被“荆门东宝精细化工有限公司”使用').first().waitFor();
    await shot(employee, J, 'code-taken');
    await go(employee, employee.getByRole('button', { name: '申请加入已登记的企业' }));
    expect(await employee.getByLabel('企业的统一社会信用代码').inputValue()).toBe(code);
    await employee.getByLabel('说明（可选）').fill('技术部主任，负责研发与对外合作。');
    await go(employee, employee.getByRole('button', { name: '提交申请' }));
    expect(await flash(employee)).toContain('已提交加入“荆门东宝精细化工有限公司”的申请');
    await employee.getByText('待审核').first().waitFor();

    const bureau = await b.page();
    await login(bureau, organizer.email, PASSWORD);
    await bureau.getByRole('banner').locator('summary .badge').waitFor(); // 管理 shows what waits
    await bureau.goto('/admin/claims');
    const card = bureau.locator('article').filter({ hasText: 'zhou.jishu@example.cn' });
    await card.getByText(code).waitFor();
    await card.getByText('技术部主任').waitFor();
    await shot(bureau, J, 'claims-queue');
    await go(bureau, card.getByRole('button', { name: '通过' }));
    expect(await flash(bureau)).toContain('周技术 现在代表“荆门东宝精细化工有限公司”');

    await employee.goto('/account');
    await go(employee, employee.getByRole('link', { name: '本企业资料' }));
    expect(new URL(employee.url()).pathname).toBe(`/enterprises/${listed.id}`);
    await go(employee, employee.getByRole('main').getByRole('button', { name: '编辑' }));
    await employee.getByLabel('企业简介').fill('磷酸盐精细化工产品生产企业。');
    await go(employee, employee.getByRole('button', { name: '保存' }));
    await employee.getByText('磷酸盐精细化工产品生产企业。').waitFor();
    await shot(employee, J, 'enterprise-edited');
  });
});
