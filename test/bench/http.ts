// npm run bench -- http: the real app under load (docs/security.md 27). 50 concurrent clients on the search page
// (as visitors get it — kept rendered per URL after the first view — and again with a new URL each time, so that
// every view is rendered; platform/http/visitor-pages.ts), GET /api/v1/search with a token, the need list, a
// need's page, and the signed-in pages of the navigation
// (an organizer's home page, /targets, /contact-requests, /notifications, /calendar, /contracts, /talents,
// /account; the broker's workbench /broker; an enterprise's /demands?mine=1, /contact-requests, /calendar; an
// expert's /itinerary and /contact-requests), against the app run as `npm start` runs it (a
// child process) on the database of the --scale bench. Two ceilings: a bare Express route in a process of its own
// (what this machine's Node and Express manage at all, so "share of bare" compares across machines), and the
// app's own /healthz measured in the same run (the app's middleware with no database work: every row's share of
// it is the issue's measure). The load generator (autocannon) runs here, never on the app's event loop.
//
// Signed-in clients: one session per connection, written into the session store as a login leaves it
// (signed-in.ts), so nothing kept per session or per user is shared between clients beyond what one account's
// several browser tabs would share.
//
// The app runs with NODE_ENV=production (a fixed SESSION_SECRET and BASE_URL, as a deployment must give):
// that is what is deployed, and it is the mode the figures are promised for.
//
// BENCH_HTTP_SCALE (10000) scale records; BENCH_DURATION (10) seconds per target, after a warm-up of
// BENCH_WARMUP (2) seconds that is not counted; each app row in BENCH_ROUNDS (4) slices, each between two
// stretches of BENCH_NEAR (2) seconds of /healthz, and given as the median of its slices' shares of them (about
// eight minutes in all for the 22 rows; BENCH_NEAR=0 measures each row in one piece); BENCH_HTTP_ONLY, a
// comma-separated list of words, keeps the rows whose name holds one of them (the ceilings always run). No route
// under load here is rate limited (only login and registration are), so every 429 would be a surprise: they are
// counted apart from the errors all the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type Client, type RawRequest, type Result } from 'autocannon';
import * as accounts from '../../server/accounts/service.ts';
import { ApiToken } from '../../server/accounts/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { disconnect, withDatabase } from '../../server/platform/db/connection.ts';
import { searchSources } from '../../server/search/sources.ts';
import { DEMO_ACCOUNTS } from '../../seeds/index.ts';
import { mulberry32, sample } from '../../seeds/random.ts';
import { repoRoot, startServer, type ServerProcess } from '../support/process.ts';
import { benchQueries } from './search.ts';
import { benchDatabase, table, type BenchReport } from './support.ts';
import { demoSessions, endDemoSessions, type DemoRole, type SignedIn } from './signed-in.ts';

const CONNECTIONS = 50;
/** the size of the bare Express row that answers like a search API page */
const ANSWER_BYTES = 30_000;
const NEED_PAGES = 500;
const SESSION_SECRET = 'http-bench-secret-http-bench-secret-0123';

interface Target {
  name: string;
  base: string;
  paths: string[];
  headers?: Record<string, string>;
  /** signed-in targets: one session cookie per connection */
  cookies?: string[];
  /**
   * each request's URL made new (an extra `visit=n` parameter, which the page ignores), so that no page kept for
   * visitors serves it: every view is rendered (the search itself is the same question, answered as kept)
   */
  fresh?: boolean;
}

interface Measured {
  target: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** responses other than 2xx and 429, plus connection errors and timeouts */
  errors: number;
  /** sent but not answered when the time was up (not in the latencies) */
  unfinished: number;
  tooMany: number;
  statuses: string;
  /** app rows: the app's /healthz in the stretches of BENCH_NEAR seconds around the row's slices (their mean) */
  near?: number;
  /** app rows: the median over the row's slices of its rate against the mean of the two /healthz stretches around it */
  paired?: number;
}

/** Runs one target for `seconds` with CONNECTIONS clients, cycling through its paths; each client its own session. */
async function load(target: Target, seconds: number): Promise<Result> {
  let next = 0;
  let connection = 0;
  const request = (cookie?: string) => ({
    ...(cookie ? { headers: { ...target.headers, cookie } } : {}),
    setupRequest: (req: RawRequest) => {
      const path = target.paths[next++ % target.paths.length]!;
      return { ...req, path: target.fresh ? `${path}${path.includes('?') ? '&' : '?'}visit=${next}` : path };
    },
  });
  return autocannon({
    url: target.base,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    headers: target.headers ?? {},
    requests: [request()],
    ...(target.cookies?.length ? { setupClient: (client: Client) => client.setRequests([request(target.cookies![connection++ % target.cookies!.length])]) } : {}),
  });
}

/** autocannon records latency in whole milliseconds; no answers, no latency */
const latency = (m: Measured, v: number) => (m.requests > 0 ? v.toFixed(0) : '—');

function measured(target: string, r: Result): Measured {
  const tooMany = r.statusCodeStats['429']?.count ?? 0;
  const statuses = Object.entries(r.statusCodeStats)
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
  return {
    target,
    requests: r.requests.total,
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx - tooMany + r.errors,
    tooMany,
    unfinished: Math.max(0, (r.requests.sent ?? 0) - r.requests.total - r.errors),
    statuses: r.errors ? `${statuses} connection errors×${r.errors} (timeouts ${r.timeouts})` : statuses,
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One row measured in slices: requests and errors add up; p50 is the slices' median, p99 their worst. */
function merged(target: string, slices: Result[], seconds: number): Measured {
  const parts = slices.map((r) => measured(target, r));
  const statuses = new Map<string, number>();
  for (const r of slices) for (const [code, { count }] of Object.entries(r.statusCodeStats)) statuses.set(code, (statuses.get(code) ?? 0) + count);
  const connectionErrors = slices.reduce((n, r) => n + r.errors, 0);
  const requests = parts.reduce((n, m) => n + m.requests, 0);
  const text = [...statuses].map(([code, count]) => `${code}×${count}`).join(' ');
  return {
    target,
    requests,
    perSecond: requests / seconds,
    p50: median(parts.map((m) => m.p50)),
    p99: Math.max(...parts.map((m) => m.p99)),
    errors: parts.reduce((n, m) => n + m.errors, 0),
    tooMany: parts.reduce((n, m) => n + m.tooMany, 0),
    unfinished: parts.reduce((n, m) => n + m.unfinished, 0),
    statuses: connectionErrors ? `${text} connection errors×${connectionErrors}` : text,
  };
}

/** The bare Express ceiling, in a process of its own. */
async function startBareExpress(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bare-express.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare Express exited (${code})`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

async function get(target: Target, p: string): Promise<number> {
  const cookie = target.cookies?.[0];
  const res = await fetch(target.base + p, { headers: { ...target.headers, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

/** A few requests to each target before the load: a route that does not answer 200 would measure nothing. */
async function preflight(target: Target): Promise<void> {
  for (const p of target.paths.slice(0, 3)) {
    const status = await get(target, p);
    if (status !== 200) throw new Error(`${target.name}: GET ${p} answered ${status}`);
  }
}

/**
 * When autocannon stops, up to CONNECTIONS requests it gave up on are still being served, and a slow page
 * would carry them into the next phase. A fresh request queues behind them: once it is answered, they are
 * (near enough) done.
 */
async function drain(target: Target): Promise<void> {
  await get(target, target.paths[0]!);
}

export async function benchHttp(
  scale = Number(process.env.BENCH_HTTP_SCALE ?? 10_000),
  seconds = Number(process.env.BENCH_DURATION ?? 10),
  warmup = Number(process.env.BENCH_WARMUP ?? 2),
): Promise<BenchReport> {
  const { db } = await benchDatabase(scale);
  // The app rebuilds its embedded index from the database at start, so marks left by seeding are stale;
  // cleared here (through the driver, as the sync worker clears them), the measured minutes see the
  // steady state rather than a one-off catch-up of the demo records.
  for (const source of searchSources) await source.model.collection.updateMany({ 'search.dirty': true }, { $set: { 'search.dirty': false } });

  // What the clients ask for: the search bench's queries, and public published needs.
  const queries = benchQueries().map((p) => new URLSearchParams(p).toString());
  const needIds = (await Demand.find({ deletedAt: null, status: 'published', visibility: 'public' }).select('_id').sort({ _id: 1 }).lean()).map((d) => String(d._id));
  const needs = sample(mulberry32(7), needIds, NEED_PAGES);
  const enterprise = DEMO_ACCOUNTS.find((a) => a.role === 'enterprise')!;
  const actor = await accounts.findByEmail(enterprise.email);
  if (!actor) throw new Error(`no ${enterprise.email} in the bench database`);
  const { token, view } = await accounts.createToken(actor, 'http bench');
  const sessions: SignedIn[] = [];
  const cookiesOf = async (role: DemoRole) => {
    const made = await demoSessions(role, SESSION_SECRET, CONNECTIONS);
    sessions.push(...made);
    return made.map((s) => s.cookie);
  };
  const organizerCookies = await cookiesOf('organizer');
  const brokerCookies = await cookiesOf('broker');
  const enterpriseCookies = await cookiesOf('enterprise');
  const expertCookies = await cookiesOf('expert');
  const only = process.env.BENCH_HTTP_ONLY?.split(',').filter(Boolean);
  const near = Number(process.env.BENCH_NEAR ?? 2);
  const rounds = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 4)));
  let healthzTarget: Target | undefined;

  const children: ChildProcess[] = [];
  const rows: Measured[] = [];
  let answerBytes: number | undefined;
  let appOutput = '';
  const run = async (target: Target) => {
    if (only && !target.name.includes('ceiling') && !only.some((w) => target.name.includes(w))) return;
    await preflight(target);
    const paired = healthzTarget && near > 0 ? healthzTarget : undefined;
    process.stderr.write(`  http: ${target.name}: ${warmup} s warm-up, ${seconds} s measured${paired ? ` in ${rounds} slices, each between ${near} s of /healthz` : ''}\n`);
    if (warmup > 0) {
      await load(target, warmup);
      await drain(target);
    }
    let m: Measured;
    if (!paired) {
      m = measured(target.name, await load(target, seconds));
    } else {
      // This machine's capacity drifts within a run (/healthz moved by half within minutes): the row is measured
      // in slices, each between two stretches of /healthz, and its share is the median of each slice's rate
      // against the mean of the two stretches around it.
      const ceilings = [(await load(paired, near)).requests.average];
      const slices: Result[] = [];
      for (let i = 0; i < rounds; i++) {
        slices.push(await load(target, seconds / rounds));
        await drain(target);
        ceilings.push((await load(paired, near)).requests.average);
      }
      m = merged(target.name, slices, seconds);
      m.near = ceilings.reduce((a, b) => a + b, 0) / ceilings.length;
      m.paired = median(slices.map((r, i) => r.requests.average / ((ceilings[i]! + ceilings[i + 1]!) / 2)));
    }
    rows.push(m);
    // As it goes, so that a run stopped part-way still gave its figures.
    process.stderr.write(`    ${m.perSecond.toFixed(0)} req/s${m.paired !== undefined ? ` (${m.paired.toFixed(3)} of /healthz around it)` : ''}, p50 ${latency(m, m.p50)} ms, p99 ${latency(m, m.p99)} ms, ${m.errors} errors, ${m.tooMany} × 429\n`);
    await drain(target);
  };
  try {
    // The ceiling first, alone on the machine (the app is not started yet).
    const bare = await startBareExpress();
    children.push(bare.child);
    await run({ name: 'bare Express (ceiling)', base: bare.base, paths: ['/'] });
    // What the size of a search API page alone costs on this machine (its answers' size is printed with the table).
    await run({ name: `bare Express, a ${ANSWER_BYTES / 1000} KB answer (ceiling)`, base: bare.base, paths: [`/sized/${ANSWER_BYTES}`] });
    await stopChild(bare.child);

    const app: ServerProcess = await startServer({
      NODE_ENV: 'production',
      BASE_URL: 'http://127.0.0.1',
      SESSION_SECRET,
      MONGODB_URI: withDatabase(db.uri, 'dongbao'),
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'dongbao-http-bench-')),
      LOG_LEVEL: 'warn',
      SEED_ON_EMPTY: 'false',
    });
    children.push(app.child);
    await run({ name: 'app /healthz (ceiling)', base: app.url, paths: ['/healthz'] });
    healthzTarget = { name: 'app /healthz', base: app.url, paths: ['/healthz'] };
    await run({ name: 'search page /search', base: app.url, paths: queries.map((q) => `/search?${q}`) });
    await run({ name: 'search page /search, a new URL each time', base: app.url, paths: queries.map((q) => `/search?${q}`), fresh: true });
    // The size of its answers, beside the bare row of ANSWER_BYTES.
    const apiPaths = queries.slice(0, 50).map((q) => `/api/v1/search?${q}`);
    let apiBytes = 0;
    for (const p of apiPaths) apiBytes += (await (await fetch(app.url + p, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer()).byteLength;
    answerBytes = Math.round(apiBytes / apiPaths.length);
    await run({ name: 'search API /api/v1/search', base: app.url, paths: queries.map((q) => `/api/v1/search?${q}`), headers: { Authorization: `Bearer ${token}` } });
    await run({ name: 'need list /demands', base: app.url, paths: ['/demands', '/demands?page=2', '/demands?sort=budget', '/demands?industry=chemicals'] });
    await run({ name: "need's page /demands/:id", base: app.url, paths: needs.map((id) => `/demands/${id}`) });
    const signedIn: [string, string, string[]][] = [
      ['organizer', '/', organizerCookies],
      ['organizer', '/targets', organizerCookies],
      ['organizer', '/contact-requests', organizerCookies],
      ['organizer', '/notifications', organizerCookies],
      ['organizer', '/calendar', organizerCookies],
      ['organizer', '/contracts', organizerCookies],
      ['organizer', '/talents', organizerCookies],
      ['organizer', '/account', organizerCookies],
      ['broker', '/broker', brokerCookies],
      ['broker', '/notifications', brokerCookies],
      ['enterprise', '/demands?mine=1', enterpriseCookies],
      ['enterprise', '/contact-requests', enterpriseCookies],
      ['enterprise', '/calendar', enterpriseCookies],
      ['expert', '/itinerary', expertCookies],
      ['expert', '/contact-requests', expertCookies],
    ];
    for (const [role, page, cookies] of signedIn) await run({ name: `${role} ${page}`, base: app.url, paths: [page], cookies });
    appOutput = app.output();
    const code = await stopChild(app.child);
    if (code !== 0) throw new Error(`the app exited with ${code} after the bench:\n${appOutput}`);
  } finally {
    for (const child of children) await stopChild(child);
    await ApiToken.deleteOne({ _id: view.id });
    await endDemoSessions(sessions);
    await disconnect();
    await db.stop();
  }

  const bare = rows[0]!.perSecond;
  const healthz = rows.find((m) => m.target.startsWith('app /healthz'))?.perSecond ?? Number.NaN;
  const shareOf = (m: Measured, ceiling: number) => (m.perSecond / ceiling).toFixed(3);
  const nearShare = (m: Measured) => (m.paired !== undefined ? m.paired.toFixed(3) : '—');
  const clean = (m: Measured) => m.errors === 0 && m.tooMany === 0 && m.requests > 0;
  const detail = table(
    `HTTP (${CONNECTIONS} concurrent clients, ${seconds} s each after ${warmup} s warm-up${near > 0 ? `, app rows in ${rounds} slices between ${near} s stretches of /healthz` : ''}; app in production mode on ${scale.toLocaleString('en')} scale records + demo; signed-in rows one session per client; autocannon in the bench process)`,
    ['target', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'errors', '429s', 'share of /healthz', '/healthz around it', 'share of it', 'share of bare', 'clean'],
    rows.map((m) => [m.target, m.requests.toLocaleString('en'), m.perSecond.toFixed(0), latency(m, m.p50), latency(m, m.p99), m.errors, m.tooMany, shareOf(m, healthz), m.near?.toFixed(0) ?? '—', nearShare(m), shareOf(m, bare), clean(m) ? 'yes' : 'NO']),
  );
  const sizes = answerBytes ? `\n  search API answers: ${answerBytes.toLocaleString('en')} bytes on average over 50 of its queries (the sized bare row: ${ANSWER_BYTES.toLocaleString('en')})` : '';
  const statuses = rows.map((m) => `  ${m.target}: ${m.statuses || 'no answers'}${m.unfinished ? `; ${m.unfinished} unanswered when the time was up` : ''}`).join('\n');
  const warnings = appOutput.trim() ? `\n  app warnings and errors:\n${appOutput.trim().split('\n').slice(-20).join('\n')}` : '';
  return {
    detail: `${detail}${sizes}\n  status codes:\n${statuses}${warnings}`,
    summary: rows.map((m) => [
      'http',
      m.target,
      `${m.perSecond.toFixed(0)} req/s · p50 ${latency(m, m.p50)} ms · p99 ${latency(m, m.p99)} ms · ${m.errors} errors · ${m.tooMany} × 429 · ${shareOf(m, healthz)} of /healthz${m.paired !== undefined ? ` (${nearShare(m)} of the ${m.near!.toFixed(0)} around it)` : ''} · ${shareOf(m, bare)} of bare Express`,
    ]),
  };
}
