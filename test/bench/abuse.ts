// npm run bench -- import | sessions: the two abuse cases that once froze or stalled the whole site.
//
// import — a 20,000-row .xlsx of needs checked as a dry run (read, validated, reported; nothing written), with
// the event loop's delay sampled every 10 ms meanwhile: goals ≤ 5 s and p99 delay ≤ 50 ms. Then a
// 200,000-row file (over the limit) must be refused in ≤ 1 s, and a 1 MB zip bomb before it inflates.
//
// sessions — a signed-in page (/account) fetched one request at a time, 300 times, with 100 and then 100,000
// sessions stored: goal p95(100,000) ≤ 1.2 × p95(100). The app runs as `npm start` runs it (a child process).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import * as accounts from '../../server/accounts/service.ts';
import { startImport } from '../../server/imports/service.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { makeCreditCode } from '../../server/organizations/credit-code.ts';
import { SESSIONS_COLLECTION } from '../../server/platform/auth/session.ts';
import { clock } from '../../server/platform/clock.ts';
import { connect, disconnect, withDatabase } from '../../server/platform/db/connection.ts';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { startServer } from '../support/process.ts';
import { zipOfZeros } from '../support/zip.ts';
import { logger, percentile, table, type BenchReport } from './support.ts';

const HEADERS = ['需求名称', '发布企业', '所属行业', '需求类型', '需求描述', '关键词', '合作方式', '预算下限（万元）', '预算上限（万元）', '截止日期'];

async function needsWorkbook(rows: number, enterprise: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('需求');
  sheet.addRow(HEADERS);
  for (let i = 0; i < rows; i++) {
    sheet.addRow([
      `第${i}号需求：磷石膏净化工艺改进`,
      enterprise,
      '磷化工与新材料',
      '工艺改进',
      `第${i}号：现有磷石膏净化工艺可溶磷去除率偏低，希望引进水洗与浮选联合净化技术，处理能力每年 20 万吨以上。`,
      '磷石膏、净化、浮选',
      '合作开发、技术转让',
      '50',
      '120',
      '2027-12-31',
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Many short rows (the probe's 200,000-row file was 1.9 MB): under the upload cap, over the row limit. */
async function tallWorkbook(rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('需求');
  sheet.addRow(['需求名称', '发布企业']);
  for (let i = 0; i < rows; i++) sheet.addRow([`需求${i}`, 1]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; delayP99: number; delayMax: number; value?: T; error?: string }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const started = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - started, delayP99: h.percentile(99) / 1e6, delayMax: h.max / 1e6, value };
  } catch (err) {
    return { ms: performance.now() - started, delayP99: h.percentile(99) / 1e6, delayMax: h.max / 1e6, error: (err as Error).message };
  } finally {
    h.disable();
  }
}

export async function benchImport(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-bench-import-'));
  const db = await startEmbedded({ dataDir: dir, logger });
  try {
    await connect(db.uri, 'bench_import');
    const organizer = await accounts.createUser({ name: '区科技局', email: `bench.${randomBytes(3).toString('hex')}@example.cn`, password: '东宝区科技对接平台-基准口令-2026', role: 'organizer' });
    const enterprise = await Enterprise.create({ name: '湖北东宝磷化工基准企业', creditCode: makeCreditCode(4242), industry: 'chemicals', town: 'industrial-park' });
    const good = await needsWorkbook(20_000, enterprise.name);
    const huge = await tallWorkbook(200_000);
    const bomb = zipOfZeros(1024 * 1024 * 1024);
    const dry = await timed(() => startImport(organizer, { kind: 'demands', filename: 'needs.xlsx', buffer: good, dryRun: true }));
    const big = await timed(() => startImport(organizer, { kind: 'demands', filename: 'huge.xlsx', buffer: huge, dryRun: true }));
    const boom = await timed(() => startImport(organizer, { kind: 'demands', filename: 'bomb.xlsx', buffer: bomb, dryRun: true }));
    const checked = dry.value?.job;
    const f = (v: number) => v.toFixed(0);
    const rows = [
      ['20,000-row .xlsx dry run', `${(good.length / 1e6).toFixed(1)} MB`, f(dry.ms), f(dry.delayP99), f(dry.delayMax), checked ? `${checked.status}, ${checked.counts.create} rows checked` : `error: ${dry.error}`, '≤ 5,000 ms, p99 ≤ 50 ms'],
      ['200,000-row .xlsx', `${(huge.length / 1e6).toFixed(1)} MB`, f(big.ms), f(big.delayP99), f(big.delayMax), big.error ?? 'accepted (!)', '≤ 1,000 ms'],
      ['zip bomb (1 GB inflated)', `${(bomb.length / 1e6).toFixed(1)} MB`, f(boom.ms), f(boom.delayP99), f(boom.delayMax), boom.error ?? 'accepted (!)', 'refused'],
    ];
    const ok = checked?.status === 'checked' && dry.ms <= 5000 && dry.delayP99 <= 50 && big.error && big.ms <= 1000 && boom.error;
    return {
      detail: table('Imports (npm run bench -- import)', ['case', 'file', 'ms', 'loop delay p99 ms', 'max ms', 'outcome', 'goal'], rows),
      summary: [
        ['import', '20,000-row .xlsx dry run', `${f(dry.ms)} ms, loop p99 ${f(dry.delayP99)} ms`],
        ['import', '200,000-row .xlsx refused', `${f(big.ms)} ms${ok ? '' : ' — GOAL MISSED'}`],
      ],
    };
  } finally {
    await disconnect();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function p95Of(url: string, cookie: string, n = 300): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/account`, { headers: { cookie }, redirect: 'manual' });
    await res.text();
    if (res.status !== 200) throw new Error(`/account answered ${res.status}`);
    if (i >= 20) samples.push(performance.now() - started);
  }
  return percentile(samples, 0.95);
}

async function addSessions(count: number): Promise<void> {
  const sessions = mongoose.connection.collection(SESSIONS_COLLECTION);
  const expires = new Date(clock.ms() + 30 * 60_000);
  for (let done = 0; done < count; done += 1000) {
    const docs = Array.from({ length: Math.min(1000, count - done) }, () => ({
      _id: randomBytes(16).toString('base64url'),
      expires,
      session: { cookie: { originalMaxAge: 1_800_000, httpOnly: true, path: '/' }, touchedAt: clock.ms() },
    }));
    await sessions.insertMany(docs as never[]);
    process.stderr.write(`\r  storing sessions: ${done + docs.length}/${count}   `);
  }
  process.stderr.write('\n');
}

export async function benchSessions(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-bench-sessions-'));
  const db = await startEmbedded({ dataDir: dir, logger });
  await connect(db.uri, 'bench_sessions');
  const password = '东宝区科技对接平台-基准口令-2026';
  const user = await accounts.createUser({ name: '基准企业用户', email: `bench.${randomBytes(3).toString('hex')}@example.cn`, password, role: 'enterprise' });
  const app = await startServer({ MONGODB_URI: withDatabase(db.uri, 'bench_sessions'), SEED_ON_EMPTY: 'false', LOG_LEVEL: 'warn', DATA_DIR: dir });
  try {
    // Sign in as a browser would: the login form's CSRF cookie and token, then the session cookie.
    const form = await fetch(`${app.url}/login`);
    const csrfCookie = (form.headers.getSetCookie().find((c) => c.startsWith('dongbao.csrf=')) ?? '').split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const login = await fetch(`${app.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: new URLSearchParams({ _csrf: token, email: user.email, password }).toString(),
    });
    const sid = (login.headers.getSetCookie().find((c) => c.startsWith('dongbao.sid=')) ?? '').split(';')[0]!;
    if (!sid) throw new Error(`login failed: ${login.status}`);
    await addSessions(99);
    const small = await p95Of(app.url, sid);
    await addSessions(99_900);
    const large = await p95Of(app.url, sid);
    const ratio = large / small;
    return {
      detail: table('Signed-in page vs stored sessions (npm run bench -- sessions)', ['stored sessions', 'GET /account p95 ms', 'goal'], [
        ['100', small.toFixed(1), ''],
        ['100,000', large.toFixed(1), `≤ 1.2 × (${ratio.toFixed(2)} ×${ratio <= 1.2 ? '' : ' — GOAL MISSED'})`],
      ]),
      summary: [['sessions', 'p95 at 100,000 / at 100 stored', `${ratio.toFixed(2)} × (${small.toFixed(1)} → ${large.toFixed(1)} ms)`]],
    };
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
    await disconnect();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
