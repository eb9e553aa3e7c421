// Exports stream (server/platform/io/tabular.ts streamXlsx/streamCsv, fed by crud.ts exportRows; docs/decisions/
// exceljs.md "Applied"): through the real app over HTTP, a list of a few thousand needs comes out as a chunked
// response (no Content-Length: nothing buffered whole) that parses back whole, in the list's order, with the header,
// neutralised formula-like text and numbers kept as numbers. A failure before the first byte is answered as an
// error; one after it cuts the download off (never a shorter file that looks whole) and is logged with the request id.
// Exports read the service's database cursor (RecordService.cursor): more than 10,000 records come out whole, and the
// rows are the list's own for the viewer (a visitor's export of needs has no drafts, closed or members-only needs).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { owner } from '../support/directory.ts';
import { makeUser } from '../support/agent.ts';
import { createLogger } from '../../server/platform/logger.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { Demand } from '../../server/demands/model.ts';
import { demands, type DemandView } from '../../server/demands/service.ts';
import { demandQuery } from '../../server/demands/schema.ts';
import { Broker } from '../../server/brokers/model.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { demandExport } from '../../server/demands/import.ts';
import { streamCsv, streamXlsx } from '../../server/platform/io/tabular.ts';

const logLines: Record<string, unknown>[] = [];
const logOut = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const { app } = buildTestApp({ logger: createLogger('info', { destination: logOut }) });

const ROWS = 2_500;
const run = randomBytes(3).toString('hex');
const MARK = `流式导出${run}`;
const FORMULA = `=HYPERLINK("http://example.cn","点击")${MARK}`;
const HEADERS = demandExport.columns.map((c) => c.header);
const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000);

let server: http.Server;
let base: string;
let enterprise: { id: string; name: string };
/** the enterprise's own account (a party to its needs) */
let enterpriseActor: Actor;

/** A need as the collection holds it, written straight to the collection (a few thousand at once). */
function need(title: string, i: number, fields: Record<string, unknown> = {}) {
  return {
    title,
    description: `第${i}号需求：磷石膏净化工艺可溶磷去除率偏低，希望引进水洗与浮选联合净化技术。`,
    industry: 'chemicals',
    keywords: ['磷石膏', '净化'],
    kind: 'process-improvement',
    cooperationModes: ['joint-development'],
    budgetMin: (50 + (i % 7)) * 10_000,
    budgetMax: 120.5 * 10_000,
    jiebang: false,
    enterprise: enterprise.id,
    enterpriseName: enterprise.name,
    town: 'shiqiaoyi',
    campaigns: [],
    visibility: 'public',
    status: 'published',
    statusHistory: [],
    publishedAt: day(i),
    createdAt: day(i),
    updatedAt: day(i),
    clarification: {},
    search: { dirty: false, version: 1 },
    ...fields,
  };
}

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** the body arrived whole (the chunked encoding's last chunk came) */
  complete: boolean;
  error?: Error;
}

/** GET with node's own client, to see the response as sent: its framing headers, and whether it was cut off. */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let error: Error | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => (error = err));
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, ...(error ? { error } : {}) }));
    });
    req.on('error', reject);
  });
}

const exportPath = (format: 'xlsx' | 'csv', q: string) => `/demands/export.${format}?q=${encodeURIComponent(q)}`;

beforeAll(async () => {
  const ent = await owner('enterprise');
  enterprise = { id: ent.id, name: (await Enterprise.findById(ent.id).lean())!.name };
  enterpriseActor = ent.actor;
  // Row i is created at minute i: the list (newest first) puts the last one first. One title is formula-like.
  const docs = Array.from({ length: ROWS }, (_, i) => need(i === 7 ? FORMULA : `${MARK}第${i}号：磷石膏净化工艺`, i));
  await Demand.collection.insertMany(docs);
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('streamed exports', () => {
  it(`when ${ROWS.toLocaleString('en')} needs are exported as .xlsx, then the response is chunked and the workbook holds every row, styled as before`, async () => {
    const res = await get(exportPath('xlsx', MARK));
    expect(res.status, res.body.toString().slice(0, 300)).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(decodeURIComponent(res.headers['content-disposition']!.split("''")[1]!)).toMatch(/^技术需求-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(res.headers['cache-control']).toBe('no-store');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('技术需求')!;
    expect(sheet.rowCount).toBe(ROWS + 1);
    expect(sheet.getRow(1).values).toEqual([undefined, ...HEADERS]);
    expect(sheet.getCell(1, 1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual(10);
    // Newest first, as the list: the last need created is row 2, the first is the last row.
    expect(sheet.getCell(2, 1).value).toBe(`${MARK}第${ROWS - 1}号：磷石膏净化工艺`);
    expect(sheet.getCell(ROWS + 1, 1).value).toBe(`${MARK}第0号：磷石膏净化工艺`);
    // The formula-like title is text with a ' in front, not a formula.
    const formula = sheet.getCell(ROWS + 1 - 7, 1);
    expect(formula.value).toBe(`'${FORMULA}`);
    expect(formula.type).toBe(ExcelJS.ValueType.String);
    // 预算下限（万元） stays a number.
    const budget = sheet.getCell(2, HEADERS.indexOf('预算下限（万元）') + 1);
    expect(budget.type).toBe(ExcelJS.ValueType.Number);
    expect(budget.value).toBe(50 + ((ROWS - 1) % 7));
  }, 120_000);

  it(`when ${ROWS.toLocaleString('en')} needs are exported as CSV, then the response is chunked, starts with the BOM and parses back whole`, async () => {
    const res = await get(exportPath('csv', MARK));
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(decodeURIComponent(res.headers['content-disposition']!.split("''")[1]!)).toMatch(/^技术需求-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = res.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records = parseCsv(text, { bom: true }) as string[][];
    expect(records).toHaveLength(ROWS + 1);
    expect(records[0]).toEqual(HEADERS);
    expect(records[1]![0]).toBe(`${MARK}第${ROWS - 1}号：磷石膏净化工艺`);
    expect(records[ROWS - 7]![0]).toBe(`'${FORMULA}`);
    expect(records[1]![HEADERS.indexOf('预算下限（万元）')]).toBe(String(50 + ((ROWS - 1) % 7)));
  }, 120_000);

  it('when the client goes away mid-download, then the export stops and says so in the log with the request id', async () => {
    const id = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${base}${exportPath('xlsx', MARK)}`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve(String(res.headers['x-request-id']));
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    });
    await expect
      .poll(() => logLines.find((l) => l.msg === 'export abandoned by the client' && (l.req as { id?: string })?.id === id), { timeout: 60_000 })
      .toMatchObject({ level: 30 });
    const row = logLines.find((l) => l.msg === 'export abandoned by the client' && (l.req as { id?: string })?.id === id) as { rows: number };
    expect(row.rows).toBeLessThan(ROWS);
  }, 90_000);

  it('when a row fails before anything was sent, then the export answers with the error page or problem+json, not a file', async () => {
    const mark = `导出首行出错${run}`;
    // keywords that are not a list: making the row fails (as a damaged record would).
    const { insertedId } = await Demand.collection.insertOne(need(`${mark}：坏记录`, 9_000, { keywords: 5 }));
    try {
      const page = await get(exportPath('xlsx', mark));
      expect(page.status).toBe(500);
      expect(page.complete).toBe(true);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-disposition']).toBeUndefined();
      const problem = await get(exportPath('csv', mark), { Accept: 'application/json' });
      expect(problem.status).toBe(500);
      expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem.headers['content-disposition']).toBeUndefined();
      expect(JSON.parse(problem.body.toString())).toMatchObject({ status: 500, requestId: problem.headers['x-request-id'] });
    } finally {
      await Demand.collection.deleteOne({ _id: insertedId });
    }
  });

  it('when a row fails after the export began, then the download is cut off, not ended, and the failure is logged with the request id', async () => {
    const mark = `导出中途出错${run}`;
    // 300 good needs, then (oldest, so last in the list) one whose row fails.
    const good = Array.from({ length: 300 }, (_, i) => need(`${mark}第${i}号`, 1_000 + i));
    await Demand.collection.insertMany(good);
    const { insertedId } = await Demand.collection.insertOne(need(`${mark}：坏记录`, 999, { keywords: 5 }));
    try {
      for (const format of ['xlsx', 'csv'] as const) {
        const res = await get(exportPath(format, mark));
        expect(res.status).toBe(200);
        expect(res.headers['transfer-encoding']).toBe('chunked');
        expect(res.complete, `${format}: the body must not end normally`).toBe(false);
        expect(res.body.length).toBeGreaterThan(0);
        const id = res.headers['x-request-id'];
        await expect.poll(() => logLines.find((l) => l.msg === 'export failed after it began; response cut off' && (l.req as { id?: string })?.id === id)).toMatchObject({
          level: 50,
          format,
          err: { type: 'TypeError' },
        });
      }
      // A cut-off .xlsx does not open as a shorter workbook.
      const res = await get(exportPath('xlsx', mark));
      await expect(new ExcelJS.Workbook().xlsx.load(res.body as unknown as ArrayBuffer)).rejects.toThrow();
    } finally {
      await Demand.collection.deleteMany({ _id: { $in: [insertedId] } });
      await Demand.collection.deleteMany({ title: { $regex: mark } });
    }
  }, 60_000);
});

describe('exports from a database cursor', () => {
  const csvRows = (res: Raw) => (parseCsv(res.body.toString('utf8'), { bom: true }) as string[][]).slice(1);

  it('when more than 10,000 brokers match, then the export holds every one, in the list\'s order (a cursor has no row limit)', async () => {
    const MANY = 10_050;
    const mark = `万条导出${run}`;
    const docs = Array.from({ length: MANY }, (_, i) => ({
      name: `${mark}第${i}号`,
      level: 'senior',
      organization: '东宝区科技创新服务中心',
      specialties: ['chemicals'],
      createdAt: day(i),
      updatedAt: day(i),
      search: { dirty: false, version: 1 },
    }));
    // Through the model (cast and validated), without its hooks: indexing 10,000 brokers for search is not what is
    // tested here (the export reads the database).
    await Broker.insertMany(docs, { middleware: false });
    try {
      const res = await get(`/brokers/export.csv?q=${encodeURIComponent(mark)}`);
      expect(res.status, res.body.toString().slice(0, 300)).toBe(200);
      expect(res.complete).toBe(true);
      expect(res.headers['transfer-encoding']).toBe('chunked');
      const rows = csvRows(res);
      expect(rows).toHaveLength(MANY);
      // Newest first, as the list: every broker once, none missing past the 10,000 a paged export stopped at.
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: MANY }, (_, i) => `${mark}第${MANY - 1 - i}号`));
    } finally {
      await Broker.collection.deleteMany({ name: { $regex: mark } });
    }
  }, 300_000);

  it('when a visitor exports needs, then the rows are the visitor\'s list: no drafts, closed or members-only needs', async () => {
    const mark = `导出可见${run}`;
    const statuses = ['draft', 'published', 'matching', 'negotiating', 'contracted', 'closed'];
    const docs = [...statuses.map((status, i) => need(`${mark}-${status}`, 20_000 + i, { status })), need(`${mark}-members`, 20_010, { visibility: 'members' })];
    const { insertedIds } = await Demand.collection.insertMany(docs);
    try {
      const res = await get(`/demands/export.csv?q=${encodeURIComponent(mark)}`);
      expect(res.status).toBe(200);
      const titles = csvRows(res).map((r) => r[0]);
      expect(titles).toEqual(['contracted', 'negotiating', 'matching', 'published'].map((s) => `${mark}-${s}`));
      const listed = await demands.list(undefined, parse(demandQuery, { q: mark, limit: '100' }));
      expect(titles).toEqual(listed.items.map((v) => v.title));

      // For every kind of viewer the cursor is the list, view for view (the parties' details for the parties only).
      const organizer: Actor = { id: 'export-organizer', email: 'export-organizer@example.cn', name: '区科技局', role: 'organizer', status: 'active' };
      const member: Actor = await makeUser('enterprise');
      const viewers: [string, Actor | undefined, Record<string, string>, number][] = [
        ['visitor', undefined, {}, 4],
        ['another enterprise', member, {}, 5],
        ['the owner, its own needs', enterpriseActor, { mine: '1' }, 7],
        ['an organizer', organizer, {}, 6],
        ['an organizer, closed ones', organizer, { status: 'closed' }, 1],
      ];
      for (const [who, actor, extra, count] of viewers) {
        const q = parse(demandQuery, { q: mark, limit: '100', ...extra });
        const fromCursor: DemandView[] = [];
        for await (const view of demands.cursor!(actor, q)) fromCursor.push(view);
        expect(fromCursor, who).toEqual((await demands.list(actor, q)).items);
        expect(fromCursor, who).toHaveLength(count);
      }
    } finally {
      await Demand.collection.deleteMany({ _id: { $in: Object.values(insertedIds) } });
    }
  }, 60_000);
});

describe('backpressure', () => {
  it('when the destination stops taking data, then the writers stop reading rows, and go on when it takes them again', async () => {
    const TOTAL = 30_000;
    const columns = [{ header: '名称' }, { header: '说明' }, { header: '数量' }];
    for (const format of ['csv', 'xlsx'] as const) {
      let pulled = 0;
      // Text that does not compress, so the .xlsx's zip does not swallow the rows into its own buffer.
      async function* source() {
        for (let i = 0; i < TOTAL; i++) {
          pulled++;
          yield [`第${i}行`, randomBytes(120).toString('base64'), i];
        }
      }
      const held: (() => void)[] = [];
      let stalled = true;
      let received = 0;
      const out = new Writable({
        write(chunk: Buffer, _enc, done) {
          received += chunk.length;
          if (stalled) held.push(done);
          else done();
        },
      });
      const writing = format === 'csv' ? streamCsv(out, columns, source()) : streamXlsx(out, '背压', columns, source());
      await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const atStall = pulled;
      expect(atStall, `${format}: rows read while the destination takes nothing`).toBeLessThan(TOTAL / 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(pulled, `${format}: reading stays stopped`).toBe(atStall);
      stalled = false;
      for (const done of held.splice(0)) done();
      expect(await writing).toBe(TOTAL);
      expect(pulled).toBe(TOTAL);
      expect(received).toBeGreaterThan(TOTAL * 100);
    }
  }, 120_000);
});
