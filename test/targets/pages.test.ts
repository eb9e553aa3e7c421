// Issue 8 through the pages: an organizer records a contract on the form (in 万元) and from a match, reads
// which targets are behind on the dashboard and opens the records behind a number; visitors see the public
// board with aggregates only; the ledger exports in the breakdown table's layout and the table imports back.
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { Contract } from '../../server/deals/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { Match } from '../../server/matching/model.ts';
import { currentYear } from '../../server/platform/time.ts';
import { AMBER_AT, GREEN_AT, statusRules } from '../../server/targets/service.ts';

const { app, settle } = buildTestApp();
const WAN = 10_000;
const year = currentYear();

let organizer: Awaited<ReturnType<typeof apiToken>>;
let page: Agent;
let broker: Awaited<ReturnType<typeof owner>>;
let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;

async function form(agent: Agent, path: string, action: string, fields: Record<string, string>) {
  const token = csrfFrom((await agent.get(path).expect(200)).text);
  return agent.post(action).type('form').send({ _csrf: token, ...fields });
}

beforeAll(async () => {
  organizer = await apiToken('organizer');
  page = await loginAgent(app, organizer.user.email);
  broker = await owner('broker');
  ent = await owner('enterprise', { name: '荆门东宝磷化新材料有限公司', town: 'industrial-park' });
  inst = await owner('institution', { name: '湖北工业大学（测试）' });
  // The year's targets: money well behind, the contract count ahead.
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year, value: 100_000 * WAN }).expect(201);
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-count', year, value: 1 }).expect(201);
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year, value: 50 * WAN, scope: '东宝工业园' }).expect(201);
});

describe('recording contracts on the pages', () => {
  it('shows field errors next to the fields and keeps what was typed', async () => {
    const res = await form(page, '/contracts/new', '/contracts', {
      title: '磷石膏制砖技术许可合同',
      type: 'license',
      buyer: ent.id,
      seller: `institution:${inst.id}`,
      amount: '120',
      techIncome: '150',
      signedAt: `${year}-01-10`,
      registrationNumber: '2026420500001',
      registrationDate: `${year - 1}-12-01`,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('技术交易额不能超过合同成交额。');
    expect(res.text).toContain('登记日期不能早于签订日期。');
    expect(res.text).toContain('value="磷石膏制砖技术许可合同"');
    expect(await Contract.countDocuments({})).toBe(0);
  });

  it('saves amounts typed in 万元 as integer 元, verified at once for organizers', async () => {
    const res = await form(page, '/contracts/new', '/contracts', {
      title: '磷石膏制砖技术许可合同',
      type: 'license',
      buyer: ent.id,
      seller: `institution:${inst.id}`,
      amount: '120.5',
      techIncome: '100',
      signedAt: `${year}-01-10`,
      registrationNumber: '2026420500001',
      registrationDate: `${year}-01-20`,
    });
    expect(res.status).toBe(303);
    const show = await page.get(res.headers.location!).expect(200);
    expect(show.text).toContain('120.5 万元');
    expect(show.text).toContain(`已核实，计入 ${year} 年目标`);
    const doc = await Contract.findOne({ title: '磷石膏制砖技术许可合同' }).lean();
    expect(doc).toMatchObject({ amount: 1_205_000, techIncome: 1_000_000, verified: true, town: 'industrial-park' });
  });

  it('records a contract from a match: the match and the need become contracted', async () => {
    const brokerPage = await loginAgent(app, broker.user.email);
    const demand = await demandOf(ent.actor, { title: '磷石膏基自流平砂浆配方开发' });
    const result = await resultOf(inst.actor, { title: '磷石膏基自流平砂浆技术' });
    await settle();
    await request(app).post(`/api/v1/demands/${demand.id}/claim`).set(broker.auth).expect(204);
    const shortlisted = await request(app).post(`/api/v1/demands/${demand.id}/matches`).set(broker.auth).send({ kind: 'result', id: result.id }).expect(201);
    const matchId = shortlisted.body.id as string;
    await request(app).post(`/api/v1/matches/${matchId}/status`).set(broker.auth).send({ status: 'contacted' }).expect(200);
    await request(app).post(`/api/v1/matches/${matchId}/status`).set(broker.auth).send({ status: 'meeting' }).expect(200);
    // The pipeline offers the contract form, filled from the match.
    const pipeline = await brokerPage.get(`/demands/${demand.id}/pipeline`).expect(200);
    expect(pipeline.text).toContain(`/contracts/new?match=${matchId}`);
    const filled = await brokerPage.get(`/contracts/new?match=${matchId}`).expect(200);
    expect(filled.text).toContain(`value="${matchId}"`);
    expect(filled.text).toMatch(new RegExp(`value="institution:${inst.id}"\\s+selected`));
    // Another enterprise as the buyer does not fit the match.
    const other = await owner('enterprise');
    const wrong = await request(app)
      .post('/api/v1/contracts')
      .set(broker.auth)
      .send({ title: '自流平砂浆技术转让', type: 'transfer', buyer: other.id, seller: { kind: 'institution', id: inst.id }, amount: 80 * WAN, signedAt: `${year}-02-01`, source: { match: matchId } })
      .expect(400);
    expect(wrong.body.errors.buyer).toContain('对接记录');
    const res = await form(brokerPage, `/contracts/new?match=${matchId}`, '/contracts', {
      title: '自流平砂浆技术转让',
      type: 'transfer',
      buyer: ent.id,
      seller: `institution:${inst.id}`,
      amount: '80',
      signedAt: `${year}-02-01`,
      registrationNumber: '2026420500002',
      registrationDate: `${year}-02-05`,
      sourceMatch: matchId,
    });
    expect(res.status).toBe(303);
    const match = await Match.findById(matchId).lean();
    expect(match?.status).toBe('contracted');
    expect(match?.history.at(-1)).toMatchObject({ from: 'meeting', to: 'contracted', note: '签订技术合同“自流平砂浆技术转让”' });
    const need = await Demand.findById(demand.id).lean();
    expect(need?.status).toBe('contracted');
    // The broker's contract waits for verification, and the show page says so.
    const show = await brokerPage.get(res.headers.location!).expect(200);
    expect(show.text).toContain('待区科技局核实');
    expect(show.text).toContain(`/demands/${demand.id}`);
    // The organizer verifies on the page.
    const id = res.headers.location!.split('/').pop()!;
    const verified = await form(page, `/contracts/${id}`, `/contracts/${id}/verify`, {});
    expect(verified.status).toBe(303);
    expect((await Contract.findById(id).lean())?.verified).toBe(true);
  });
});

describe('the dashboard and the public board', () => {
  it('tells an organizer at a glance which targets are behind, with links to the records', async () => {
    const res = await page.get(`/targets?year=${year}`).expect(200);
    // The money target is far behind; it is listed first, in red.
    const firstRow = res.text.slice(res.text.indexOf('<tbody>'), res.text.indexOf('</tr>', res.text.indexOf('<tbody>')));
    expect(firstRow).toContain('rag-red');
    expect(firstRow).toContain('技术合同成交额');
    expect(res.text).toMatch(/<strong>\d+<\/strong> 项滞后/);
    const html = res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    expect(html).toContain(`/targets/records?indicator=contract-value&from=${year}&to=${year}&scope=district`);
    expect(res.text).toContain('<svg class="bar"');
    expect(res.text).toContain('class="series series-registered"');
    // The records behind the number, summing to it.
    const drill = await page.get(`/targets/records?indicator=contract-value&from=${year}&to=${year}&scope=district`).expect(200);
    expect(drill.text).toContain('磷石膏制砖技术许可合同');
    expect(drill.text).toContain('自流平砂浆技术转让');
    expect(drill.text).toContain('200.5 万元');
  });

  it('shows visitors aggregates only', async () => {
    const res = await request(app).get(`/targets?year=${year}`).expect(200);
    expect(res.text).toContain('技术合同成交额');
    expect(res.text).toContain('200.5 万元');
    expect(res.text).not.toContain('/targets/records');
    expect(res.text).not.toContain('磷石膏制砖技术许可合同');
    expect(res.text).not.toContain('手工填报');
    await request(app).get(`/targets/records?indicator=contract-value&from=${year}&to=${year}`).expect(303);
    await request(app).get('/contracts').expect(303);
  });

  it('puts this year’s headline targets on the home page', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain(`${year}年目标进度`);
    expect(res.text).toMatch(/技术合同成交额<\/span>\s*<strong>200.5 万元<\/strong> <small class="muted">\/ 10 亿元/);
    expect(res.text).not.toContain('即将举行的路演'); // none planned in this file
  });

  it('when a flow target is set for next year and nothing is done yet, then it shows 未开始 rather than green, and the status rules are written beside it', async () => {
    const next = year + 1;
    const made = await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'demands-published', year: next, value: 40 }).expect(201);
    const api = await request(app).get('/api/v1/targets/progress').query({ year: next }).expect(200);
    expect(api.body.items).toEqual([expect.objectContaining({ id: made.body.id, actual: 0, status: 'not-started', statusLabel: '未开始' })]);

    const res = await page.get(`/targets?year=${next}`).expect(200);
    const firstRow = res.text.slice(res.text.indexOf('<tbody>'), res.text.indexOf('</tr>', res.text.indexOf('<tbody>')));
    expect(firstRow).toContain('发布技术需求');
    expect(firstRow).toContain('<span class="rag rag-not-started">未开始</span>');
    expect(firstRow).not.toContain('rag-green');
    expect(res.text).toContain('<strong>1</strong> 项未开始');
    expect(res.text).toContain('<strong>0</strong> 项正常');
    // Beside the table, what each status means, with the thresholds the code judges by.
    const rules = statusRules();
    expect(rules.map((r) => r.label)).toEqual(['滞后', '需关注', '暂无数据', '正常', '未开始']);
    for (const r of rules) expect(res.text).toContain(`<dt><span class="rag rag-${r.status}">${r.label}</span></dt><dd>${r.rule}</dd>`);
    expect(res.text).toContain(`完成值达到应有进度的 ${Math.round(GREEN_AT * 100)}% 及以上`);
    expect(res.text).toContain(`完成值不足应有进度的 ${Math.round(AMBER_AT * 100)}%`);
    expect(res.text).toContain('目标期尚未开始');
    // The target's own page says the same.
    expect((await page.get(`/targets/plan/${made.body.id}`).expect(200)).text).toContain('<span class="rag rag-not-started">未开始</span>');
  });

  it('says so when a year has no targets', async () => {
    const res = await request(app).get('/targets?year=2015').expect(200);
    expect(res.text).toContain('2015年没有设定目标。');
  });
});

describe('manual entries on the page', () => {
  it('takes an entry with its evidence through the form, refuses a disguised file, and serves evidence as a download to organizers only', async () => {
    const token = csrfFrom((await page.get('/targets/entries').expect(200)).text);
    const disguised = await page
      .post('/targets/entries')
      .field('_csrf', token)
      .field('indicator', 'invention-patents')
      .field('year', String(year))
      .field('scope', 'district')
      .field('value', '37')
      .attach('evidence', Buffer.from('<html><script>alert(1)</script></html>'), '专利统计.pdf');
    expect(disguised.status).toBe(400);
    expect(disguised.text).toContain('文件内容与格式不符');
    expect(disguised.text).toContain('value="37"');
    const ok = await page
      .post('/targets/entries')
      .field('_csrf', token)
      .field('indicator', 'invention-patents')
      .field('year', String(year))
      .field('scope', 'district')
      .field('value', '37')
      .field('note', '一季度规上企业发明专利申请')
      .attach('evidence', Buffer.from('%PDF-1.4\n%%EOF\n'), '专利统计.pdf');
    expect(ok.status).toBe(303);
    const list = await page.get('/targets/entries').expect(200);
    const evidenceLink = /href="(\/targets\/evidence\/[0-9a-f]{24})">专利统计.pdf</.exec(list.text);
    expect(evidenceLink).not.toBeNull();
    const file = await page.get(evidenceLink![1]!).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    await request(app).get(evidenceLink![1]!).expect(303);
    const brokerPage = await loginAgent(app, broker.user.email);
    await brokerPage.get(evidenceLink![1]!).expect(403);
    // Without the CSRF token nothing is written.
    const forged = await page.post('/targets/entries').field('indicator', 'invention-patents').field('year', String(year)).field('value', '1').attach('evidence', Buffer.from('%PDF-1.4\n'), 'x.pdf');
    expect(forged.status).toBe(403);
  });
});

describe('the ledger in and out of Excel', () => {
  it('exports the breakdown table with each year’s target and achievement', async () => {
    const res = await request(app).get('/targets/ledger.xlsx').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const sheet = wb.getWorksheet('年度目标分解表')!;
    expect(String(sheet.getCell(1, 1).value)).toContain('年度目标分解表');
    const header = (sheet.getRow(3).values as unknown[]).map(String);
    expect(header).toContain(`${year}年`);
    const yearCol = header.indexOf(`${year}年`);
    const rows = Array.from({ length: sheet.rowCount - 4 }, (_, i) => sheet.getRow(i + 5).values as unknown[]);
    const money = rows.find((r) => r[2] === '技术合同成交额' && r[4] === '全区')!;
    expect(money[3]).toBe('万元');
    expect(money[yearCol]).toBe(100_000); // target, 万元
    expect(money[yearCol + 1]).toBe(200.5); // done, 万元
    const park = rows.find((r) => r[2] === '技术合同成交额' && r[4] === '东宝工业园')!;
    expect(park[yearCol + 1]).toBe(200.5);
  });

  it('imports a breakdown table from Excel, updating rows that exist', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('目标');
    sheet.addRow(['指标', '目标期', '范围', '目标值', '单位', '牵头单位', '责任单位']);
    sheet.addRow(['技术合同成交额', String(year), '全区', '6.5', '亿元', '区科技局', '区经信局、区市场监管局']);
    sheet.addRow(['引进高层次紧缺人才', '2021–2025', '全区', '30', '人', '区委人才办', '区人社局']);
    sheet.addRow(['高新技术企业', '2022年', '', '80', '家', '', '']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await request(app).post('/api/v1/imports?kind=targets').set(organizer.auth).attach('file', file, '目标分解表.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    let job = res.body;
    for (let i = 0; i < 50 && !['done', 'failed', 'rejected'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await request(app).get(`/api/v1/imports/${job.id}`).set(organizer.auth)).body;
    }
    expect(job.status, JSON.stringify(job)).toBe('done');
    expect(job.counts).toMatchObject({ create: 2, update: 1, error: 0 });
    const progress = await request(app).get('/api/v1/targets/progress').query({ year, indicator: 'contract-value', scope: 'district' }).expect(200);
    expect(progress.body.items[0].target).toBe(650_000_000);
    const talents = await request(app).get('/api/v1/targets').query({ indicator: 'talent-shortage' }).expect(200);
    expect(talents.body.items[0]).toMatchObject({ startYear: 2021, endYear: 2025, value: 30, lead: '区委人才办' });
  });
});
