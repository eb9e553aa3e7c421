// A district loads its 技术合同登记台账 and 人才引进台账 from Excel: every row is checked (parties registered, the
// rules across fields) and a bad row writes nothing; a good file counts at once in the target's figure; the
// list's export imports back, updating rather than duplicating.
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, loginAgent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { Contract } from '../../server/deals/model.ts';
import { trusted } from '../../server/platform/db/connection.ts';

const trustedIn = (values: string[]) => trusted({ $in: values });
import { Talent } from '../../server/talents/model.ts';

const { app } = buildTestApp();
const YEAR = 2025; // a closed year: nothing else in this file's database counts in it
let organizer: Awaited<ReturnType<typeof apiToken>>;

const HEADERS = ['合同名称', '合同类型', '委托方（买方）', '受托方（卖方）', '受托方类型', '技术经纪人', '合同成交额（万元）', '技术交易额（万元）', '签订日期', '认定登记号', '登记日期'];
const names = { buyer: '荆门东宝导入测试磷化有限公司', institution: '导入测试理工大学', expert: '陶导入', broker: '导入经纪人' };

async function xlsx(rows: string[][], headers = HEADERS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('技术合同');
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = (body: Buffer, wait = true, kind = 'contracts') =>
  request(app).post(`/api/v1/imports?kind=${kind}${wait ? '&wait=1' : ''}`).set(organizer.auth).attach('file', body, `${kind}.xlsx`);

const contractValue = async () =>
  (await request(app).get('/api/v1/targets/progress').query({ year: YEAR, indicator: 'contract-value', scope: 'district' }).expect(200)).body.items[0];

const good = (): string[][] => [
  ['磷石膏净化制建材技术开发', '技术开发', names.buyer, names.institution, '高校院所', names.broker, '120', '100', `${YEAR}-03-10`, `${YEAR}4208020001`, `${YEAR}-03-20`],
  ['湿法磷酸除杂工艺咨询', '技术咨询', names.buyer, names.expert, '专家', '', '8.5', '', `${YEAR}-06-01`, `${YEAR}4208020002`, `${YEAR}-06-15`],
  ['精细磷化工中试技术服务', '技术服务', names.buyer, names.institution, '', '', '30', '30', `${YEAR}-11-20`, '', ''],
];

beforeAll(async () => {
  organizer = await apiToken('organizer');
  await owner('enterprise', { name: names.buyer });
  await owner('institution', { name: names.institution });
  await owner('expert', { name: names.expert });
  await owner('broker', { name: names.broker });
  // The district's contract-value target for the year, so its figure can be read.
  await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'contract-value', year: YEAR, scope: 'district', value: 100_000_000 }).expect(201);
});

describe('importing technology contracts', () => {
  it('when some rows name unknown parties or break the rules, then each is reported with its field and nothing is written', async () => {
    const rows = good();
    rows.push(['未登记企业的合同', '技术转让', '不存在的企业', names.institution, '', '', '10', '', `${YEAR}-05-01`, '', '']);
    rows.push(['登记早于签订的合同', '技术许可', names.buyer, names.institution, '高校院所', '', '20', '25', `${YEAR}-05-01`, `${YEAR}4208029999`, `${YEAR}-04-01`]);
    rows.push(['卖方未登记的合同', '技术许可', names.buyer, '不存在的大学', '高校院所', '不存在的经纪人', '20', '', `${YEAR}-05-01`, '', '']);
    const res = await upload(await xlsx(rows), false);
    expect(res.status).toBe(422);
    expect(res.body.counts).toMatchObject({ create: 3, error: 3 });
    const byLine = Object.fromEntries((res.body.errors as { line: number; errors: Record<string, string> }[]).map((e) => [e.line, e.errors]));
    expect(byLine[5]!.buyer).toContain('不存在的企业');
    expect(byLine[6]).toEqual({ techIncome: '技术交易额不能超过合同成交额。', 'registration.date': '登记日期不能早于签订日期。' });
    expect(byLine[7]).toEqual({ seller: '受托方“不存在的大学”尚未登记为高校院所；如为平台外单位，请在“受托方类型”填写“平台外单位”。', broker: '技术经纪人“不存在的经纪人”尚未登记。' });
    expect(await Contract.countDocuments()).toBe(0);
  });

  it('when the ledger is good, then its contracts are created as verified, in 元, and the registered ones count in the year at once', async () => {
    const before = await contractValue();
    const res = await upload(await xlsx(good()));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'done', counts: { create: 3, update: 0, error: 0 } });
    const dev = await Contract.findOne({ 'registration.number': `${YEAR}4208020001` }).lean();
    expect(dev).toMatchObject({ type: 'development', buyerName: names.buyer, seller: { kind: 'institution', name: names.institution }, brokerName: names.broker, amount: 1_200_000, techIncome: 1_000_000, signedYear: YEAR, registeredYear: YEAR, verified: true, verifiedByName: '数据导入' });
    const consulting = await Contract.findOne({ 'registration.number': `${YEAR}4208020002` }).lean();
    expect(consulting).toMatchObject({ type: 'consulting', seller: { kind: 'expert', name: names.expert }, amount: 85_000 });
    // Registered contracts count (120 + 8.5 万元); the unregistered one does not.
    const after = await contractValue();
    expect(after.actual - before.actual).toBe(1_285_000);
  });

  it('when the contract list is exported and imported again, then every contract is updated in place and none is added', async () => {
    const count = await Contract.countDocuments({ deletedAt: null });
    const exported = await request(app).get('/api/v1/contracts').set(organizer.auth).query({ limit: '100' }).expect(200);
    expect(exported.body.items.length).toBe(count);
    const page = await loginAgent(app, organizer.user.email);
    const file = await page.get('/contracts/export.xlsx').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(file.status).toBe(200);
    const again = await upload(file.body as Buffer);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.counts).toMatchObject({ create: 0, update: count, error: 0 });
    expect(await Contract.countDocuments({ deletedAt: null })).toBe(count);
  });
});

describe('importing contracts with enterprise and outside parties', () => {
  it('when a ledger names an enterprise seller, an outside buyer and an outside seller, then each contract gets its direction and counts once registered', async () => {
    const headers = ['合同名称', '合同类型', '委托方（买方）', '委托方类型', '受托方（卖方）', '受托方类型', '成交金额（元）', '签订日期', '登记号', '登记日期'];
    const seller = '荆门东宝导入测试装备有限公司';
    await owner('enterprise', { name: seller });
    const before = (await contractValue()).actual;
    const rows = [
      ['磷化装备技术转让合同', '技术转让合同', '宜昌某化工有限公司', '平台外单位', seller, '', '500000', `${YEAR}年7月1日`, `${YEAR}4208030001`, `${YEAR}/7/20`],
      ['磷石膏建材技术开发', '技术开发', names.buyer, '', '某某大学材料学院', '平台外单位', '800000', `${YEAR}-07-02`, `${YEAR}4208030002`, `${YEAR}-07-21`],
      ['区外双方的合同', '技术服务', '外地甲公司', '平台外单位', '外地乙大学', '平台外单位', '100000', `${YEAR}-07-03`, '', ''],
      ['卖方不在平台也未注明', '技术服务', names.buyer, '', '外地丙研究所', '', '100000', `${YEAR}-07-04`, '', ''],
    ];
    const refused = await upload(await xlsx(rows, headers), false);
    expect(refused.status).toBe(422);
    const byLine = Object.fromEntries((refused.body.errors as { line: number; errors: Record<string, string> }[]).map((e) => [e.line, e.errors]));
    expect(byLine[4]!.buyer).toContain('至少一方应为本区单位');
    expect(byLine[5]!.seller).toContain('平台外单位');

    const res = await upload(await xlsx(rows.slice(0, 2), headers));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const exported = await Contract.findOne({ title: '磷化装备技术转让合同' }).lean();
    expect(exported).toMatchObject({ direction: 'export', buyerKind: 'outside', buyerName: '宜昌某化工有限公司', seller: { kind: 'enterprise', name: seller }, amount: 500_000 });
    expect(exported!.buyer).toBeUndefined();
    const absorbed = await Contract.findOne({ title: '磷石膏建材技术开发' }).lean();
    expect(absorbed).toMatchObject({ direction: 'absorb', seller: { kind: 'outside', name: '某某大学材料学院' }, amount: 800_000 });
    expect((await contractValue()).actual).toBe(before + 1_300_000);
    // Imported again: updated in place.
    await upload(await xlsx(rows.slice(0, 2), headers)).expect(201);
    expect(await Contract.countDocuments({ title: trustedIn(['磷化装备技术转让合同', '磷石膏建材技术开发']) })).toBe(2);
  });
});

describe('importing talent introductions', () => {
  const THEADERS = ['姓名', '学历学位', '职称或职务', '人才类别', '引进方式', '用人企业', '所属行业', '引进日期', '来源说明'];
  const talentValue = async () =>
    (await request(app).get('/api/v1/targets/progress').query({ year: YEAR, indicator: 'talent-graduate', scope: 'district' }).expect(200)).body.items[0];

  it('when a talent ledger is imported, then bad rows are named, the good file counts at once, and importing it again updates in place', async () => {
    await request(app).post('/api/v1/targets').set(organizer.auth).send({ indicator: 'talent-graduate', year: YEAR, scope: 'district', value: 50 }).expect(201);
    const rows = [
      ['王博士', '博士', '高级工程师', '硕博及高端人才', '全职引进', names.buyer, '', `${YEAR}-04-01`, '联百校转千果对接'],
      ['李硕士', '硕士', '', '硕博及高端人才', '柔性引进', names.buyer, '绿色建材与装配式建筑', `${YEAR}-09-15`, ''],
    ];
    const bad = await upload(await xlsx([...rows, ['张三', '大专', '', '硕博及高端人才', '全职引进', '不存在的企业', '', `${YEAR}-05-01`, '']], THEADERS), false, 'talents');
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveLength(1);
    expect(bad.body.errors[0]).toMatchObject({ line: 4, errors: { degree: expect.stringContaining('学历学位') } });

    const before = await talentValue();
    const good = await upload(await xlsx(rows, THEADERS), true, 'talents');
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    expect(good.body.counts).toMatchObject({ create: 2, update: 0, error: 0 });
    expect((await talentValue()).actual - before.actual).toBe(2);
    const wang = await Talent.findOne({ name: '王博士' }).lean();
    expect(wang).toMatchObject({ degree: 'doctor', category: 'graduate', mode: 'full-time', employerName: names.buyer, industry: 'chemicals', year: YEAR, verified: true, source: { note: '联百校转千果对接' } });

    const again = await upload(await xlsx(rows, THEADERS), true, 'talents');
    expect(again.body.counts).toMatchObject({ create: 0, update: 2, error: 0 });
    expect(await Talent.countDocuments({ employerName: names.buyer })).toBe(2);
  });
});
