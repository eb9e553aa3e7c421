// Issue 14, points 1, 2, 3, 7 and 11 (the event-loop measure of point 1 is in event-loop.test.ts): imports that never freeze the site or inflate a bomb, sessions that no
// visitor can pile up, exports that import back as updates, and UTF-16 CSV. See docs/security.md.
import { randomInt } from 'node:crypto';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, loginAgent, makeUser, sessionCookie } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { zipOfZeros } from '../support/zip.ts';
import { Demand } from '../../server/demands/model.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { SESSIONS_COLLECTION, VERSION_COOKIE } from '../../server/platform/auth/session.ts';

const { app, settle } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let enterprise: { id: string; name: string };

const HEADERS = ['需求名称', '发布企业', '所属行业', '需求类型', '需求描述', '关键词', '合作方式', '截止日期'];
const row = (i: number, title = `上传测试需求第${i}号：磷石膏净化工艺`) => [
  title,
  enterprise.name,
  '磷化工与新材料',
  '工艺改进',
  `第${i}号：现有磷石膏净化工艺可溶磷去除率偏低，希望引进水洗与浮选联合净化技术。`,
  '磷石膏、净化',
  '合作开发',
  '2027-12-31',
];

const upload = (body: Buffer, filename: string, query = '&dryRun=true') =>
  request(app).post(`/api/v1/imports?kind=demands${query}`).set(organizer.auth).attach('file', body, filename);

beforeAll(async () => {
  organizer = await apiToken('organizer');
  const ent = await owner('enterprise');
  enterprise = { id: ent.id, name: (await Enterprise.findById(ent.id).lean())!.name };
});

describe('imports under abuse', () => {
  it('1. when a file has more rows than an import takes, then it is refused before its rows are read', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('需求');
    sheet.addRow(HEADERS);
    for (let i = 0; i < 20_001; i++) sheet.addRow([`需求${i}`]);
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()), 'too-long.xlsx');
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('一次最多导入 20000 行');
    expect(res.body.detail).toContain('20001');
  }, 60_000);

  it('3. when an .xlsx would inflate to a gigabyte (a zip bomb), then it is refused with the reason before inflating', async () => {
    const rssBefore = process.memoryUsage().rss;
    const bomb = await upload(zipOfZeros(200 * 1024 * 1024), 'bomb.xlsx');
    expect(bomb.status).toBe(400);
    expect(bomb.body.detail).toMatch(/解压后有 200 MB，超过单个部件 64 MB 的上限/);
    // An entry that claims to be small but inflates far past its claim is stopped while inflating.
    const liar = await upload(zipOfZeros(70 * 1024 * 1024, { declared: 1000 }), 'liar.xlsx');
    expect(liar.status).toBe(400);
    expect(liar.body.detail).toMatch(/已损坏或大小与声明不符|压缩比异常/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('7. when an export with formula-like titles is imported back, then the rows update the same needs', async () => {
    const title = `=HYPERLINK("x") 磷石膏净化第${randomInt(1e6)}号`;
    const created = await request(app)
      .post('/api/v1/demands')
      .set(organizer.auth)
      .send({ title, description: '现有磷石膏净化工艺可溶磷去除率偏低，希望引进新的净化技术。', industry: 'chemicals', keywords: ['磷石膏'], enterprise: enterprise.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await settle();
    const exported = await request(app)
      .get(`/demands/export.csv?q=${encodeURIComponent('磷石膏净化第')}`)
      .buffer(true);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(`'${title.replaceAll('"', '""')}`); // neutralised for spreadsheets
    const back = await upload(Buffer.from(exported.text), 'exported.csv');
    expect(back.body.status, JSON.stringify(back.body.errors?.slice(0, 3))).toBe('checked');
    expect(back.body.counts.create).toBe(0);
    expect(back.body.counts.update).toBeGreaterThan(0);
    expect(await Demand.countDocuments({ title: `'${title}` })).toBe(0);
  });

  it('11. when a CSV is saved as UTF-16 with its byte-order mark, then it is read like any other', async () => {
    const csv = [HEADERS, row(1, 'UTF-16 测试需求：磷石膏净化')].map((r) => r.map((c) => `"${c}"`).join(',')).join('\r\n');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const file of [le, be]) {
      const res = await upload(file, 'utf16.csv');
      expect(res.body.status, JSON.stringify(res.body)).toBe('checked');
      expect(res.body.counts.create).toBe(1);
      expect(res.body.rows[0].label).toBe('UTF-16 测试需求：磷石膏净化');
    }
  });
});

describe('sessions under abuse', () => {
  const sessions = () => mongoose.connection.collection(SESSIONS_COLLECTION);

  it('2. when visitors open the login and registration forms many times, then no session is stored', async () => {
    const before = await sessions().countDocuments();
    for (let i = 0; i < 200; i++) {
      const res = await request(app).get(i % 2 ? '/login' : '/register');
      expect(res.status).toBe(200);
      expect(sessionCookie(res)).toBeUndefined();
    }
    expect(await sessions().countDocuments()).toBe(before);
  }, 60_000);

  it('2. when a signed-in page is served, then the session is looked up by _id alone, if at all, and not rewritten', async () => {
    const user = await makeUser('enterprise');
    const agent = await loginAgent(app, user.email);
    const cookies = (await agent.get('/account').expect(200)).request.cookies as unknown as string;
    // A client that keeps no version cookie (session-store.ts) has its session read on every request.
    const withoutVersion = cookies.split('; ').filter((c) => !c.startsWith(`${VERSION_COOKIE}=`)).join('; ');
    const seen: { method: string; filter: unknown }[] = [];
    mongoose.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === SESSIONS_COLLECTION) seen.push({ method, filter });
    });
    let kept: number;
    try {
      for (let i = 0; i < 5; i++) await agent.get('/account').expect(200);
      kept = seen.length;
      for (let i = 0; i < 5; i++) await request(app).get('/account').set('Cookie', withoutVersion).expect(200);
    } finally {
      mongoose.set('debug', false);
    }
    expect(kept).toBe(0); // a browser's session is kept in process while its version cookie says it is current
    expect(seen.length).toBe(5);
    for (const q of seen) {
      expect(q.method).toBe('findOne'); // no write per request: activity is recorded at most once a minute
      expect(Object.keys(q.filter as object)).toEqual(['_id']);
    }
    // and the anonymous login form still works for a fresh visitor
    expect(await csrf(request.agent(app))).toMatch(/\./);
  });
});
