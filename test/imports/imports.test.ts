// docs/security.md 17, 22 and issue 4: spreadsheet imports are validated row by row; a bad row writes nothing;
// a dry run only reports; uploads are judged by content and size; exports import back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { repoRoot } from '../support/process.ts';
import { cliEnv } from '../support/child-db.ts';
import { Demand } from '../../server/demands/model.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { makeCreditCode } from '../../server/organizations/credit-code.ts';

const { app } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let enterpriseName: string;

const HEADERS = ['需求名称', '发布企业', '所属行业', '需求类型', '需求描述', '关键词', '合作方式', '预算下限（万元）', '预算上限（万元）', '截止日期', '揭榜挂帅', '状态'];

function demandRow(i: number, overrides: Partial<Record<string, string>> = {}): string[] {
  const row: Record<string, string> = {
    需求名称: `导入测试需求第${i}号：磷石膏净化工艺`,
    发布企业: enterpriseName,
    所属行业: '磷化工与新材料',
    需求类型: '工艺改进',
    需求描述: `第${i}号需求：现有磷石膏净化工艺可溶磷去除率偏低，希望引进水洗与浮选联合净化技术，处理能力每年 20 万吨以上。`,
    关键词: '磷石膏、净化、浮选',
    合作方式: '合作开发、技术转让',
    '预算下限（万元）': '50',
    '预算上限（万元）': '120.5',
    截止日期: '2027-12-31',
    揭榜挂帅: '否',
    状态: '',
    ...overrides,
  };
  return HEADERS.map((h) => row[h]!);
}

async function xlsx(rows: string[][], headers = HEADERS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('需求');
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = (body: Buffer, filename: string, query = '') =>
  request(app).post(`/api/v1/imports?kind=demands${query}`).set(organizer.auth).attach('file', body, filename);

beforeAll(async () => {
  organizer = await apiToken('organizer');
  const ent = await owner('enterprise');
  enterpriseName = (await Enterprise.findById(ent.id).lean())!.name;
});

describe('importing needs', () => {
  it('when a 5,000-row file has one bad row, then nothing is written and that row is named; the corrected file imports in full', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => demandRow(i));
    rows[2716] = demandRow(2716, { 所属行业: '采矿业' });
    const before = await Demand.countDocuments();
    const bad = await upload(await xlsx(rows), '需求5000.xlsx');
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ status: 'invalid', counts: { create: 4999, update: 0, error: 1 } });
    expect(bad.body.errors).toHaveLength(1);
    expect(bad.body.errors[0].line).toBe(2718); // header is line 1, rows[0] is line 2
    expect(bad.body.errors[0].errors.industry).toContain('所属行业');
    expect(await Demand.countDocuments()).toBe(before);

    rows[2716] = demandRow(2716);
    const good = await upload(await xlsx(rows), '需求5000.xlsx', '&wait=1');
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ status: 'done', done: 5000, total: 5000 });
    expect(await Demand.countDocuments()).toBe(before + 5000);
    const one = await Demand.findOne({ title: '导入测试需求第2716号：磷石膏净化工艺' }).lean();
    expect(one).toMatchObject({ budgetMin: 500_000, budgetMax: 1_205_000, industry: 'chemicals', kind: 'process-improvement', status: 'published' });
    expect((one as { search?: { dirty: boolean } } | null)?.search?.dirty).toBe(true); // on its way to the search index

    // The same file again updates instead of duplicating.
    const again = await upload(await xlsx(rows.slice(0, 10)), 'again.xlsx', '&wait=1');
    expect(again.body.counts).toMatchObject({ create: 0, update: 10 });
    expect(await Demand.countDocuments()).toBe(before + 5000);
  }, 120_000);

  it('when a dry run is asked for, then each row gets its outcome and nothing is written', async () => {
    const before = await Demand.countDocuments();
    const res = await upload(await xlsx([demandRow(90_001), demandRow(90_002)]), 'dry.xlsx', '&dryRun=true');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('checked');
    expect(res.body.rows.map((r: { line: number; action: string }) => [r.line, r.action])).toEqual([
      [2, 'create'],
      [3, 'create'],
    ]);
    expect(await Demand.countDocuments()).toBe(before);
  });

  it('when rows repeat, refer to an unknown enterprise or columns are missing, then each problem is reported', async () => {
    const dup = await upload(await xlsx([demandRow(1), demandRow(1), demandRow(2, { 发布企业: '不存在的公司' })]), 'dup.xlsx');
    expect(dup.status).toBe(422);
    expect(dup.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
    expect(dup.body.errors[0].errors._).toContain('与第 2 行重复');
    expect(dup.body.errors[1].errors.enterprise).toContain('不存在的公司');
    const cols = await upload(await xlsx([['磷石膏']], ['需求名称']), 'cols.xlsx');
    expect(cols.status).toBe(422);
    expect(cols.body.missingColumns).toEqual(expect.arrayContaining(['发布企业', '所属行业', '需求描述']));
  });

  it('when a CSV comes from Chinese Excel (GB18030) or is UTF-8 with a BOM, then both read correctly', async () => {
    // A file saved by Chinese Excel: GB18030 bytes (test/fixtures, made with Python's gb18030 codec).
    const gb = readFileSync(path.join(repoRoot, 'test/fixtures/enterprises-gb18030.csv'));
    expect(gb.includes(Buffer.from('荆门', 'utf8'))).toBe(false); // really not UTF-8
    const enterprises = await request(app).post('/api/v1/imports?kind=enterprises&wait=1').set(organizer.auth).attach('file', gb, '企业.csv');
    expect(enterprises.status).toBe(201);
    expect(enterprises.body.status).toBe('done');
    expect(await Enterprise.findOne({ name: '荆门市东宝区国标编码测试有限公司' }).lean()).toMatchObject({ industry: 'manufacturing', town: 'zilingpu' });

    const text = [HEADERS.join(','), demandRow(70_001).map((c) => `"${c}"`).join(',')].join('\r\n');
    const res = await upload(Buffer.from('\uFEFF' + text, 'utf8'), 'needs.csv', '&wait=1');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('done');
    expect(await Demand.exists({ title: '导入测试需求第70001号：磷石膏净化工艺' })).toBeTruthy();
  });

  it('when the upload is not a spreadsheet, or too big, then it is refused and nothing is stored', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(100)]);
    const notSheet = await upload(png, 'needs.xlsx'); // the name lies; the content decides
    expect(notSheet.status).toBe(400);
    expect(notSheet.body.detail).toContain('文件格式无法识别');
    const fakeZip = await upload(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200)]), 'broken.xlsx');
    expect(fakeZip.status).toBe(400);
    const big = await upload(Buffer.alloc(6 * 1024 * 1024, 'a'), 'big.csv');
    expect(big.status).toBe(413);
    const none = await request(app).post('/api/v1/imports?kind=demands').set(organizer.auth);
    expect(none.status).toBe(400);
    expect(none.body.errors.file).toBeDefined();
  });

  it('when someone other than an organizer imports, then it is refused', async () => {
    const ent = await owner('enterprise');
    const res = await request(app).post('/api/v1/imports?kind=demands').set(ent.auth).attach('file', await xlsx([demandRow(1)]), 'x.xlsx');
    expect(res.status).toBe(403);
  });
});

describe('import pages', () => {
  it('when an organizer uploads through the page, then the CSRF token is checked and the job page shows the report', async () => {
    const agent = await loginAgent(app, organizer.user.email);
    const page = await agent.get('/admin/imports').expect(200);
    expect(page.text).toContain('数据导入');
    const forged = await agent.post('/admin/imports').field('_csrf', 'forged').field('kind', 'demands').attach('file', await xlsx([demandRow(1)]), 'x.xlsx');
    expect(forged.status).toBe(403);
    const res = await agent
      .post('/admin/imports')
      .field('_csrf', csrfFrom(page.text))
      .field('kind', 'demands')
      .attach('file', await xlsx([demandRow(80_001, { 关键词: '' })]), '有误的需求.xlsx');
    expect(res.status, res.text.replace(/\s+/g, ' ').slice(-1500)).toBe(303);
    const job = await agent.get(res.headers.location!).expect(200);
    expect(job.text).toContain('有误的需求.xlsx');
    expect(job.text).toContain('第 2 行');
    expect(job.text).toContain('关键词');
    expect(job.text).toContain('文件未写入');
    const template = await agent.get('/admin/imports/template/demands.xlsx').expect(200);
    expect(template.headers['content-disposition']).toContain('attachment');
  });
});

describe('exports', () => {
  it('when needs are exported and the file imported back, then every row is recognised as the same need', async () => {
    const exported = await request(app).get(`/demands/export.xlsx?q=${encodeURIComponent('导入测试需求第7000')}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toMatch(/attachment; filename\*=UTF-8''/);
    const back = await upload(exported.body as Buffer, 'exported.xlsx', '&dryRun=true');
    expect(back.body.status, JSON.stringify(back.body.errors?.slice(0, 3))).toBe('checked');
    expect(back.body.counts.error).toBe(0);
    expect(back.body.counts.update).toBeGreaterThan(0);
    expect(back.body.counts.create).toBe(0);
  }, 90_000); // some 7,000 rows out and back in: 7 s on a quiet machine, over 30 s when the suite shares 2 cores

  it('when enterprises are exported as CSV by an organizer, contacts are included; a visitor gets none', async () => {
    const ent = await owner('enterprise');
    const name = (await Enterprise.findById(ent.id).lean())!.name;
    const asOrganizer = await request(app).get(`/enterprises/export.csv?q=${encodeURIComponent(name)}`).set(organizer.auth);
    expect(asOrganizer.status).toBe(200);
    void asOrganizer; // bearer tokens do not authenticate pages: this is a visitor's export
    const agent = await loginAgent(app, organizer.user.email);
    const csv = await agent.get(`/enterprises/export.csv?q=${encodeURIComponent(name)}`).expect(200);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain(name);
    expect(csv.text).toContain('13972600001');
    const anon = await request(app).get(`/enterprises/export.csv?q=${encodeURIComponent(name)}`).expect(200);
    expect(anon.text).toContain(name);
    expect(anon.text).not.toContain('13972600001');
  });
});

describe('CLI import and export', () => {
  it('when a file is imported and exported with the CLI, then rows arrive and come back out', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-cli-'));
    const file = path.join(dir, 'enterprises.csv');
    const code = makeCreditCode(765_432_1);
    writeFileSync(file, `\uFEFF企业名称,统一社会信用代码,所属行业,所在乡镇\n荆门市东宝区命令行导入有限公司,${code},电子信息,东宝工业园\n`);
    const env = cliEnv();
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, `企业名称,统一社会信用代码,所属行业,所在乡镇\n坏数据公司,91420802000000000X,电子信息,东宝工业园\n`);
    const refused = run('import', 'enterprises', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('line 2');
    expect(refused.stderr).toContain('校验位');
    const imported = run('import', 'enterprises', file);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Imported 1 rows');
    const out = path.join(dir, 'out.xlsx');
    const exported = run('export', 'enterprises', out);
    expect(exported.status, exported.stderr).toBe(0);
    expect(readFileSync(out).readUInt32BE(0)).toBe(0x504b0304);
  });
});
