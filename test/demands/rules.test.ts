// One rule per question, asked by pages and services alike: the claim button is shown exactly when the claim is
// allowed; an enterprise's page and a broker's page list the same needs to the same viewer; a need published by an
// import announces its strong matches like one published on a page.
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, makeUser } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { Notification } from '../../server/notifications/model.ts';

const { app, settle } = buildTestApp();
const announcer = () => (app.locals.announcer as { idle(): Promise<void> }).idle();

let ent: Awaited<ReturnType<typeof owner>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;

beforeAll(async () => {
  ent = await owner('enterprise');
  organizer = await apiToken('organizer');
});

describe('claiming a need', () => {
  it('when a broker account has no broker profile, then it sees no claim button and its claim is refused; with a profile it sees and claims', async () => {
    const need = (await demandOf(ent.actor, { title: '认领规则测试需求一号' })).id;
    const bare = await makeUser('broker');
    const bareAgent = await loginAgent(app, bare.email);
    const page = await bareAgent.get(`/demands/${need}`).expect(200);
    expect(page.text).not.toContain(`action="/demands/${need}/claim"`);
    expect((await bareAgent.post(`/demands/${need}/claim`).type('form').send({ _csrf: csrfFrom(page.text) })).status).toBe(403);

    const broker = await owner('broker');
    const agent = await loginAgent(app, broker.user.email);
    const shown = await agent.get(`/demands/${need}`).expect(200);
    expect(shown.text).toContain(`action="/demands/${need}/claim"`);
    await agent.post(`/demands/${need}/claim`).type('form').send({ _csrf: csrfFrom(shown.text) }).expect(303);
    // Claimed: the button goes, for this broker and any other.
    expect((await agent.get(`/demands/${need}`)).text).not.toContain(`action="/demands/${need}/claim"`);
  });
});

describe('lists of one party\'s needs', () => {
  it('when a visitor opens the enterprise\'s page and its broker\'s page, then both list the same needs: findable ones, never closed, drafts or members-only', async () => {
    const broker = await owner('broker');
    const titles = { open: '两页一致测试：对接中的需求', closed: '两页一致测试：已关闭的需求', members: '两页一致测试：仅会员可见需求' };
    const open = (await demandOf(ent.actor, { title: titles.open })).id;
    const closed = (await demandOf(ent.actor, { title: titles.closed })).id;
    const members = (await demandOf(ent.actor, { title: titles.members, visibility: 'members' })).id;
    for (const id of [open, closed, members]) await request(app).put(`/api/v1/demands/${id}/broker`).set(organizer.auth).send({ broker: broker.id }).expect(200);
    await request(app).post(`/api/v1/demands/${closed}/status`).set(ent.auth).send({ status: 'closed', note: '已解决' }).expect(200);
    const listed = (html: string) => Object.entries(titles).filter(([, t]) => html.includes(t)).map(([k]) => k);
    const enterprisePage = listed((await request(app).get(`/enterprises/${ent.id}`).expect(200)).text);
    const brokerPage = listed((await request(app).get(`/brokers/${broker.id}`).expect(200)).text);
    expect(enterprisePage).toEqual(['open']);
    expect(brokerPage).toEqual(enterprisePage);
    // Signed in, members-only needs show on both.
    const viewer = await loginAgent(app, (await makeUser('institution')).email);
    expect(listed((await viewer.get(`/enterprises/${ent.id}`)).text)).toEqual(['open', 'members']);
    expect(listed((await viewer.get(`/brokers/${broker.id}`)).text)).toEqual(['open', 'members']);
  });
});

describe('announcements whatever the door', () => {
  it('when an organizer imports a published need that strongly matches a result, then its enterprise is told', async () => {
    const inst = await owner('institution');
    await resultOf(inst.actor, { title: '钛石膏无害化处理与建材化利用', keywords: ['钛石膏', '无害化', '建材'], maturity: 'industrial', transferModes: ['transfer'], askingPrice: 500_000 });
    await settle();
    const enterpriseName = (await Enterprise.findById(ent.id).lean())!.name;
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('需求');
    sheet.addRow(['需求名称', '发布企业', '所属行业', '需求类型', '需求描述', '关键词', '合作方式', '预算下限（万元）', '预算上限（万元）', '截止日期', '揭榜挂帅', '状态']);
    sheet.addRow(['钛石膏无害化处理与建材化利用', enterpriseName, '磷化工与新材料', '工艺改进', '厂内钛石膏堆存量大，希望引进无害化处理并制成建材的成套技术，年处理 10 万吨。', '钛石膏、无害化、建材', '技术转让', '30', '80', '2027-12-31', '否', '']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const before = await Notification.countDocuments({ user: ent.user.id, kind: 'match.new' });
    await request(app).post('/api/v1/imports?kind=demands').set(organizer.auth).attach('file', file, 'needs.xlsx').expect((res) => {
      if (res.status >= 300) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.body)}`);
    });
    const deadline = performance.now() + 15_000;
    let told = 0;
    while (performance.now() < deadline) {
      await settle();
      await announcer();
      told = (await Notification.countDocuments({ user: ent.user.id, kind: 'match.new' })) - before;
      if (told) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(told).toBe(1);
  });
});
