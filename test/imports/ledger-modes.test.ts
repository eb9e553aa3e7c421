// Issue 15: a real-shaped 技术合同登记台账 — its own headers (合同编号, 项目名称, 技术交易类型, 买方, 卖方, 成交金额（元）…),
// amounts in 元, 万元 and 亿元, dates as text in three forms and as Excel date cells — imports in either mode. In mode
// "valid" the good rows are written and count at once, the bad ones are listed with row, column and reason and
// offered as a workbook with 错误原因, which imports once corrected; a known registration number updates its
// contract. The default mode still writes nothing when a row is bad.
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { Contract } from '../../server/deals/model.ts';
import { Talent } from '../../server/talents/model.ts';
import { contractImport } from '../../server/deals/import.ts';

const { app } = buildTestApp();
const YEAR = 2025; // a closed year: only this file's contracts count in it
let organizer: Awaited<ReturnType<typeof apiToken>>;

// For now the seller must be a registered institution or expert, the buyer a registered enterprise.
const names = { buyer: '荆门东宝台账测试磷化有限公司', institution: '台账测试理工大学', expert: '钟台账' };

type Cell = string | number | Date | { date: Date; numFmt: string };
const day = (m: number, d: number) => new Date(Date.UTC(YEAR, m - 1, d)); // as exceljs stores a date cell
/** The number Excel keeps for a day (1900 system), as a cell formatted in a way the reader does not know as a date. */
const serial = (m: number, d: number) => (Date.UTC(YEAR, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
const reg = (n: number) => `${YEAR}42080201${String(n).padStart(2, '0')}`;

async function workbook(headers: string[], rows: Cell[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('技术合同登记台账');
  sheet.addRow(headers);
  for (const r of rows) {
    const row = sheet.addRow(r.map((c) => (typeof c === 'object' && !(c instanceof Date) ? c.date : c)));
    r.forEach((c, i) => {
      if (typeof c === 'object' && !(c instanceof Date)) row.getCell(i + 1).numFmt = c.numFmt;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function sheetOf(body: Buffer): Promise<{ headers: string[]; rows: string[][]; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  const text = (v: ExcelJS.CellValue) => (v === null || v === undefined ? '' : String(v));
  const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(text);
  const rows: string[][] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(headers.map((_, i) => text(row.getCell(i + 1).value)));
  });
  return { headers, rows, wb };
}

const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const upload = (body: Buffer, opts: { mode?: 'all' | 'valid'; kind?: string; wait?: boolean; name?: string } = {}) => {
  const req = request(app)
    .post(`/api/v1/imports?kind=${opts.kind ?? 'contracts'}${opts.wait === false ? '' : '&wait=1'}`)
    .set(organizer.auth)
    .attach('file', body, opts.name ?? '技术合同登记台账.xlsx');
  return opts.mode ? req.field('mode', opts.mode) : req;
};

const rejectedOf = async (jobId: string) => {
  const res = await request(app).get(`/api/v1/imports/${jobId}/rejected.xlsx`).set(organizer.auth).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  return sheetOf(res.body as Buffer);
};

const contractValue = async (): Promise<number> =>
  (await request(app).get('/api/v1/targets/progress').query({ year: YEAR, indicator: 'contract-value', scope: 'district' }).expect(200)).body.items[0].actual;

type Problem = { field: string; column: string; message: string };
type Outcome = { line: number; errors: Record<string, string>; problems: Problem[] };
const byLine = (errors: Outcome[]) => Object.fromEntries(errors.map((e) => [e.line, e.problems.map((p) => [p.column, p.message])]));

// The ledger's own headers, as a district's 技术合同登记台账 has them.
const HEADERS = ['序号', '合同编号', '项目名称', '技术交易类型', '买方', '卖方', '成交金额（元）', '技术交易额（万元）', '签订日期', '登记日期', '所属乡镇'];
const ledger = (): Cell[][] => [
  // 1,200,000 元 by the header; 100 万元 by the header; an Excel date cell; 2025/3/20
  [1, reg(1), '磷石膏净化制建材技术开发', '技术开发合同', names.buyer, names.institution, '1,200,000', '100', day(3, 10), `${YEAR}/3/20`, '子陵铺镇'],
  // the cell's 万元 over the header's 元; 2025年6月1日; a date cell in a Chinese date format
  [2, reg(2), '湿法磷酸除杂工艺咨询', '技术咨询', names.buyer, names.expert, '8.5万元', '', `${YEAR}年6月1日`, { date: day(6, 15), numFmt: 'yyyy"年"m"月"d"日"' }, '子陵铺镇'],
  // 0.012 亿元 = 1,200,000 元; a day kept as a plain number (as Excel's built-in Chinese date formats reach the reader)
  [3, reg(3), '精细磷化工中试技术服务', '技术服务（技术中介）', names.buyer, names.institution, '0.012亿元', '50万元', serial(9, 1), `${YEAR}-09-15`, '子陵铺镇'],
  // not registered: written, but counts only once registered
  [4, '', '磷化工尾气治理技术转让', '技术转让', names.buyer, names.institution, '300000', '', `${YEAR}-10-08`, '', '子陵铺镇'],
  // bad rows
  [5, reg(5), '黄磷尾气综合利用技术许可', '技术许可', names.buyer, names.institution, '一百万', '', `${YEAR}-05-06`, `${YEAR}-05-10`, '子陵铺镇'],
  [6, reg(6), '磷酸铁锂前驱体工艺开发', '委托开发', names.buyer, names.expert, '500000', '', `${YEAR}-02-30`, `${YEAR}-03-05`, '子陵铺镇'],
  [7, reg(7), '新型缓释肥料配方技术咨询', '技术咨询', names.buyer, names.institution, '20万元', '30万元', `${YEAR}-07-01`, `${YEAR}-06-20`, '子陵铺镇'],
  [8, reg(1), '重复登记号的技术开发合同', '技术开发', names.buyer, names.institution, '100000', '', `${YEAR}-08-01`, `${YEAR}-08-05`, '子陵铺镇'],
  [9, reg(9), '磷石膏基充填材料技术入股', '技术入股', names.buyer, names.institution, '60万元', '', `${YEAR}-03-25`, `${YEAR}-04-01`, '子陵铺镇'],
];

beforeAll(async () => {
  organizer = await apiToken('organizer');
  await owner('enterprise', { name: names.buyer, town: 'zilingpu' });
  await owner('institution', { name: names.institution });
  await owner('expert', { name: names.expert });
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: YEAR, scope: 'district', value: 100_000_000 }).expect(201);
});

describe('a contract ledger in mode "all" (the default)', () => {
  it('when one row is bad, then nothing is written and no rejected workbook is offered; corrected, amounts without a unit are 万元', async () => {
    const headers = ['合同登记号', '合同名称', '合同类别', '委托方', '受托方', '合同成交额', '技术交易额', '签订日期', '登记日期'];
    const good = [reg(40), '磷矿浮选药剂技术开发', '技术开发', names.buyer, names.institution, '30', '12.5', `${YEAR}/4/8 0:00`, `${YEAR}${'04'}${'18'}`];
    const bad = ['', '磷矿浮选尾矿技术服务', '技术服务', names.buyer, names.institution, '30', '', `${YEAR}-13-01`, ''];
    const before = await Contract.countDocuments();
    const valueBefore = await contractValue();
    const refused = await upload(await workbook(headers, [good, bad]));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ status: 'invalid', mode: 'all', rejected: 0, counts: { create: 1, error: 1 } });
    expect(refused.body.rejectedFile).toBeUndefined();
    expect(byLine(refused.body.errors)).toEqual({ 3: [['签订日期', expect.stringContaining('签订日期不是有效的日期')]] });
    expect(await Contract.countDocuments()).toBe(before);
    await request(app).get(`/api/v1/imports/${refused.body.id}/rejected.xlsx`).set(organizer.auth).expect(404);

    const done = await upload(await workbook(headers, [good]));
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body).toMatchObject({ status: 'done', counts: { create: 1, error: 0 } });
    const contract = await Contract.findOne({ 'registration.number': reg(40) }).lean();
    expect(contract).toMatchObject({ type: 'development', amount: 300_000, techIncome: 125_000, registeredYear: YEAR });
    expect(contract!.signedAt.toISOString()).toBe(`${YEAR}-04-07T16:00:00.000Z`); // 8 April, midnight in Beijing
    expect((await contractValue()) - valueBefore).toBe(300_000);
  });
});

describe('a contract ledger in mode "valid"', () => {
  let jobId: string;

  it('when the ledger has bad rows, then the good rows are written and count at once, and each bad row is listed with its column and reason', async () => {
    const before = await Contract.countDocuments();
    const valueBefore = await contractValue();
    const res = await upload(await workbook(HEADERS, ledger()), { mode: 'valid' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'done', mode: 'valid', done: 4, total: 4, counts: { create: 4, update: 0, error: 5 }, rejected: 5 });
    jobId = res.body.id;
    expect(res.body.rejectedFile).toBe(`/api/v1/imports/${jobId}/rejected.xlsx`);
    expect(byLine(res.body.errors)).toEqual({
      6: [['成交金额（元）', '合同成交额必须是数字。']],
      7: [['签订日期', expect.stringContaining('签订日期不是有效的日期')]],
      8: [
        ['技术交易额（万元）', '技术交易额不能超过合同成交额。'],
        ['登记日期', '登记日期不能早于签订日期。'],
      ],
      9: [['', '与第 2 行重复。']],
      10: [['技术交易类型', expect.stringContaining('合同类型')]],
    });
    expect(await Contract.countDocuments()).toBe(before + 4);

    // Units from the header, from the cell, and the dates in every form.
    const found = async (n: number) => (await Contract.findOne({ 'registration.number': reg(n) }).lean())!;
    expect(await found(1)).toMatchObject({ type: 'development', amount: 1_200_000, techIncome: 1_000_000, seller: { kind: 'institution', name: names.institution }, verified: true, registeredYear: YEAR });
    expect(await found(2)).toMatchObject({ type: 'consulting', amount: 85_000, seller: { kind: 'expert', name: names.expert } });
    expect(await found(3)).toMatchObject({ type: 'service', amount: 1_200_000, techIncome: 500_000 });
    const midnight = (m: number, d: number) => new Date(Date.UTC(YEAR, m - 1, d) - 8 * 3600_000).toISOString();
    expect([(await found(1)).signedAt.toISOString(), (await found(1)).registration!.date!.toISOString()]).toEqual([midnight(3, 10), midnight(3, 20)]);
    expect([(await found(2)).signedAt.toISOString(), (await found(2)).registration!.date!.toISOString()]).toEqual([midnight(6, 1), midnight(6, 15)]);
    expect([(await found(3)).signedAt.toISOString(), (await found(3)).registration!.date!.toISOString()]).toEqual([midnight(9, 1), midnight(9, 15)]);
    const unregistered = await Contract.findOne({ title: '磷化工尾气治理技术转让' }).lean();
    expect(unregistered).toMatchObject({ type: 'transfer', amount: 300_000, registeredYear: null });

    // The figure moves by exactly the registered good rows: 1,200,000 + 85,000 + 1,200,000 元.
    expect((await contractValue()) - valueBefore).toBe(2_485_000);
  });

  it('when the job page is opened, then it lists the bad rows by row, column and reason and offers their workbook to organizers only', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const page = await agent.get(`/admin/imports/${jobId}`).expect(200);
    expect(page.text).toContain('已导入无误的行');
    expect(page.text).toContain('第 6 行');
    expect(page.text).toContain('成交金额（元）');
    expect(page.text).toContain('合同成交额必须是数字。');
    expect(page.text).toContain('整行');
    expect(page.text).toContain(`/admin/imports/${jobId}/rejected.xlsx`);
    const file = await agent.get(`/admin/imports/${jobId}/rejected.xlsx`).buffer(true).parse(binary).expect(200);
    expect(file.headers['content-disposition']).toContain(encodeURIComponent('技术合同登记台账-有误的行.xlsx'));
    const form = await agent.get('/admin/imports').expect(200);
    expect(form.text).toContain('导入无误的行，列出有误的行');
    // The form's choice reaches the import: a dry run of the ledger in mode "valid" lists what it would skip.
    const posted = await agent
      .post('/admin/imports')
      .field('_csrf', csrfFrom(form.text))
      .field('kind', 'contracts')
      .field('mode', 'valid')
      .field('dryRun', 'on')
      .attach('file', await workbook(HEADERS, ledger().slice(2)), '台账检查.xlsx');
    expect(posted.status, posted.text.slice(-500)).toBe(303);
    const checked = await agent.get(posted.headers.location!).expect(200);
    expect(checked.text).toContain('导入无误的行，列出有误的行');
    expect(checked.text).toContain('检查完成（未写入，4 行有误）'); // the row repeating 合同编号 of line 2 now updates that contract
    expect(checked.text).toContain('导入时将跳过');
    expect(checked.text).toContain('合同成交额必须是数字。');

    const enterprise = await owner('enterprise');
    await request(app).get(`/api/v1/imports/${jobId}/rejected.xlsx`).set(enterprise.auth).expect(403);
    await request(app).get(`/api/v1/imports/${jobId}/rejected.xlsx`).expect(401);
  });

  it('when the rejected workbook is corrected and imported, then its rows are created and count', async () => {
    const { headers, rows, wb } = await rejectedOf(jobId);
    expect(headers).toEqual([...HEADERS, '错误原因']);
    expect(rows.map((r) => r[0])).toEqual(['5', '6', '7', '8', '9']); // the ledger's own 序号, as uploaded
    const reason = (n: string) => rows.find((r) => r[0] === n)![HEADERS.length]!;
    expect(reason('5')).toBe('成交金额（元）：合同成交额必须是数字。');
    expect(reason('7')).toBe('技术交易额（万元）：技术交易额不能超过合同成交额。 登记日期：登记日期不能早于签订日期。');
    expect(reason('8')).toBe('整行：与第 2 行重复。');

    // Correct each row where its reason points, in the downloaded workbook itself.
    const sheet = wb.worksheets[0]!;
    const col = (h: string) => HEADERS.indexOf(h) + 1;
    const rowOf = (n: string) => rows.findIndex((r) => r[0] === n) + 2;
    sheet.getRow(rowOf('5')).getCell(col('成交金额（元）')).value = '1000000';
    sheet.getRow(rowOf('6')).getCell(col('签订日期')).value = `${YEAR}-02-28`;
    sheet.getRow(rowOf('7')).getCell(col('技术交易额（万元）')).value = '15万元';
    sheet.getRow(rowOf('7')).getCell(col('登记日期')).value = `${YEAR}年7月10日`;
    sheet.getRow(rowOf('8')).getCell(col('合同编号')).value = reg(8);
    sheet.getRow(rowOf('9')).getCell(col('技术交易类型')).value = '技术转让合同';
    const corrected = Buffer.from(await wb.xlsx.writeBuffer());

    const before = await Contract.countDocuments();
    const valueBefore = await contractValue();
    const res = await upload(corrected, { mode: 'valid', name: '技术合同登记台账-有误的行.xlsx' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'done', counts: { create: 5, update: 0, error: 0 }, rejected: 0 });
    expect(await Contract.countDocuments()).toBe(before + 5);
    expect(await Contract.findOne({ 'registration.number': reg(7) }).lean()).toMatchObject({ amount: 200_000, techIncome: 150_000 });
    expect(await Contract.findOne({ 'registration.number': reg(9) }).lean()).toMatchObject({ type: 'transfer', amount: 600_000 });
    // 1,000,000 + 500,000 + 200,000 + 100,000 + 600,000 元
    expect((await contractValue()) - valueBefore).toBe(2_400_000);
  });

  it('when a row carries a registration number already imported, then that contract is updated, never duplicated', async () => {
    const before = await Contract.countDocuments();
    const valueBefore = await contractValue();
    const rows = [
      [1, reg(1), '磷石膏净化制建材技术开发', '技术开发', names.buyer, names.institution, '1,500,000', '100', day(3, 10), `${YEAR}/3/20`, '子陵铺镇'],
      [2, '', '另一份有误的合同', '技术开发', names.buyer, names.institution, '-5', '', `${YEAR}-03-10`, '', ''],
    ];
    const res = await upload(await workbook(HEADERS, rows), { mode: 'valid' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'done', counts: { create: 0, update: 1, error: 1 }, rejected: 1 });
    expect(byLine(res.body.errors)).toEqual({ 3: [['成交金额（元）', '合同成交额不能为负数。']] });
    expect(await Contract.countDocuments()).toBe(before);
    expect(await Contract.countDocuments({ 'registration.number': reg(1) })).toBe(1);
    expect(await Contract.findOne({ 'registration.number': reg(1) }).lean()).toMatchObject({ amount: 1_500_000 });
    expect((await contractValue()) - valueBefore).toBe(300_000);
  });

  it('when writing the good rows fails, then the contracts it created are removed and the job says so', async () => {
    const before = await Contract.countDocuments();
    const valueBefore = await contractValue();
    const write = contractImport.write.bind(contractImport);
    const spy = vi.spyOn(contractImport, 'write').mockImplementationOnce(async (chunk, batch) => {
      await write(chunk, batch); // the chunk is written, then the database goes away
      throw new Error('连接中断');
    });
    try {
      // The ledger again as new contracts (other numbers and titles, so the duplicate row is one no more).
      const rows = ledger().map((r, i) => [r[0]!, r[1] ? reg(60 + i) : '', `${r[2] as string}（二期）`, ...r.slice(3)]);
      const res = await upload(await workbook(HEADERS, rows), { mode: 'valid' });
      expect(res.body).toMatchObject({ status: 'failed', counts: { create: 5, error: 4 } });
      expect(res.body.error).toContain('已撤销本批新建的 5 条记录');
    } finally {
      spy.mockRestore();
    }
    expect(await Contract.countDocuments()).toBe(before);
    expect(await contractValue()).toBe(valueBefore);
  });

  it('when no row of the file is good, then nothing is written and the rows are still offered for correction', async () => {
    const before = await Contract.countDocuments();
    const res = await upload(await workbook(HEADERS, [ledger()[4]!]), { mode: 'valid' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: 'invalid', counts: { create: 0, error: 1 }, rejected: 1 });
    expect(await Contract.countDocuments()).toBe(before);
    const { rows } = await rejectedOf(res.body.id);
    expect(rows).toHaveLength(1);
  });
});

describe('a talent ledger in mode "valid"', () => {
  it('when one row is bad, then the others are written, and the corrected rejected workbook imports', async () => {
    const headers = ['姓名', '学历', '职称', '人才类别', '引进方式', '引进单位', '所属行业', '引进日期', '备注'];
    const rows: Cell[][] = [
      ['台账王博士', '博士', '高级工程师', '硕博及高端人才', '全职引进', names.buyer, '', day(4, 1), ''],
      ['台账李硕士', '硕士', '', '硕博及高端人才', '柔性引进', names.buyer, '', `${YEAR}年9月15日`, ''],
      ['台账张三', '大专', '', '硕博及高端人才', '全职引进', names.buyer, '', `${YEAR}/5/1`, ''],
    ];
    const res = await upload(await workbook(headers, rows), { mode: 'valid', kind: 'talents', name: '人才引进台账.xlsx' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'done', counts: { create: 2, error: 1 }, rejected: 1 });
    expect(byLine(res.body.errors)).toEqual({ 4: [['学历', expect.stringContaining('学历学位')]] });
    expect(await Talent.findOne({ name: '台账王博士' }).lean()).toMatchObject({ degree: 'doctor', year: YEAR, employerName: names.buyer });

    const { rows: rejected, wb } = await rejectedOf(res.body.id);
    expect(rejected).toEqual([['台账张三', '大专', '', '硕博及高端人才', '全职引进', names.buyer, '', `${YEAR}/5/1`, '', expect.stringContaining('学历：')]]);
    wb.worksheets[0]!.getRow(2).getCell(2).value = '其他';
    const again = await upload(Buffer.from(await wb.xlsx.writeBuffer()), { mode: 'valid', kind: 'talents' });
    expect(again.body).toMatchObject({ status: 'done', counts: { create: 1, error: 0 } });
    expect(await Talent.findOne({ name: '台账张三' }).lean()).toMatchObject({ degree: 'other', year: YEAR });
  });
});

describe('a real-shaped ledger of 300 rows (issue 15, "Done when")', () => {
  it('when 300 rows with 20 enterprise sellers, 10 Chinese dates and 5 bad rows are imported in mode "valid", then 295 are written, the 5 come back with reasons and the figure moves by exactly the registered sum', async () => {
    const Y = 2024; // apart from the other tests' year
    await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: Y, scope: 'district', value: 500_000_000 }).expect(201);
    const makers = ['荆门东宝台账装备一厂', '荆门东宝台账装备二厂'];
    for (const name of makers) await owner('enterprise', { name });
    const figure = async () => (await request(app).get('/api/v1/targets/progress').query({ year: Y, indicator: 'contract-value', scope: 'district' }).expect(200)).body.items[0].actual as number;
    const before = await figure();
    const headers = ['序号', '合同编号', '项目名称', '技术交易类型', '买方', '买方类型', '卖方', '卖方类型', '成交金额（元）', '签订日期', '登记日期'];
    const rows: Cell[][] = [];
    let registeredSum = 0;
    for (let i = 1; i <= 300; i++) {
      const amount = 100_000 + i * 1_000;
      const registered = i % 4 !== 0; // a quarter not registered yet: written, not counted
      const number = registered ? `${Y}4208${String(i).padStart(6, '0')}` : '';
      const month = (i % 12) + 1;
      const dayOfMonth = (i % 27) + 1;
      const chinese = i <= 10; // 10 rows dated the way people write by hand
      const signed = chinese ? `${Y}年${month}月${dayOfMonth}日` : `${Y}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
      const registeredOn = registered ? (chinese ? `${Y}年${month}月${dayOfMonth + 1}日` : `${Y}/${month}/${dayOfMonth + 1}`) : '';
      const enterpriseSeller = i > 280; // 20 rows where a district enterprise sells to a company outside the district
      rows.push(
        enterpriseSeller
          ? [i, number, `磷化装备技术转让合同${i}`, '技术转让', `区外某化工公司${i}`, '平台外单位', makers[i % 2]!, '企业', String(amount), signed, registeredOn]
          : [i, number, `磷石膏利用技术开发合同${i}`, '技术开发', names.buyer, '', names.institution, '', String(amount), signed, registeredOn],
      );
      if (registered) registeredSum += amount;
    }
    // Five bad rows, each for its own reason; the ledger has 300 rows in all.
    const bad = (i: number, row: Cell[]) => {
      const old = rows[i - 1]!;
      if (old[1]) registeredSum -= Number(old[8]);
      rows[i - 1] = row;
    };
    bad(11, [11, `${Y}4208900011`, '日期有误的合同', '技术开发', names.buyer, '', names.institution, '', '100000', `${Y}-02-30`, `${Y}-03-01`]);
    bad(12, [12, `${Y}4208900012`, '卖方不明的合同', '技术开发', names.buyer, '', '外地某研究所', '', '100000', `${Y}-03-01`, `${Y}-03-02`]);
    bad(13, [13, `${Y}4208900013`, '金额有误的合同', '技术开发', names.buyer, '', names.institution, '', '十万', `${Y}-03-01`, `${Y}-03-02`]);
    bad(14, [14, `${Y}4208900014`, '类型有误的合同', '技术入股', names.buyer, '', names.institution, '', '100000', `${Y}-03-01`, `${Y}-03-02`]);
    bad(15, [15, `${Y}4208900015`, '登记早于签订的合同', '技术开发', names.buyer, '', names.institution, '', '100000', `${Y}-05-01`, `${Y}-04-01`]);

    const res = await upload(await workbook(headers, rows), { mode: 'valid' });
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
    expect(res.body.counts).toMatchObject({ create: 295, error: 5 });
    expect(res.body.errors.map((e: Outcome) => e.line).sort((a: number, b: number) => a - b)).toEqual([12, 13, 14, 15, 16]);
    const rejected = await rejectedOf(res.body.id);
    expect(rejected.rows).toHaveLength(5);
    const reasons = rejected.rows.map((r) => r[rejected.headers.indexOf('错误原因')]!);
    expect(reasons.every((r) => r.length > 4)).toBe(true);
    expect(reasons.join(' ')).toContain('平台外单位');
    expect(await Contract.countDocuments({ signedYear: Y, direction: 'export' })).toBe(20);
    expect((await figure()) - before).toBe(registeredSum);
  }, 120_000);
});
