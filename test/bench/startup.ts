// npm run bench -- startup: `npm start` (node --import tsx server/main.ts, TypeScript compiled in memory at each
// start) against the same code compiled ahead by tsc (docs/decisions/tsx-in-production.md). The compiled copy
// goes to a temporary directory: tsc with rewriteRelativeImportExtensions, the non-TypeScript files beside the
// sources (views, dictionaries, the launcher's Go code) copied, node_modules linked. Both start in production
// mode on one demo database (a copy of the benchmarks' demo-only database, or seeded by a first start; that first
// start is not timed), BENCH_STARTUP_RUNS times each (3 by default), alternately; the figures are medians: time
// from spawn to the first 200 of /healthz, and the process's RSS then and after 200 requests to the home page and
// the search API.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from '../../server/platform/db/build-launcher.ts';
import { percentile, table, type BenchReport } from './support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);

const status = (url: string) =>
  new Promise<number>((resolve) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Builds the compiled copy; returns its directory and how long tsc took. */
async function compile(): Promise<{ dir: string; seconds: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-dist-'));
  const started = performance.now();
  // Emits even where another part of the tree does not type-check (typecheck is `npm run typecheck`'s job).
  await exec(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--noEmit', 'false', '--outDir', dir, '--rootDir', root, '--rewriteRelativeImportExtensions', '--sourceMap', 'false'], { cwd: root, maxBuffer: 1 << 26 }).catch(() => undefined);
  const seconds = (performance.now() - started) / 1000;
  for (const sub of ['server', 'seeds']) cpSync(path.join(root, sub), path.join(dir, sub), { recursive: true, filter: (src) => !src.endsWith('.ts') });
  cpSync(path.join(root, 'views'), path.join(dir, 'views'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), readFileSync(path.join(root, 'package.json')));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, seconds };
}

interface Start {
  readyMs: number;
  rssReady: number;
  rssLoaded: number;
}

async function start(args: string[], cwd: string, dataDir: string, port: number, limitMs = 300_000): Promise<Start> {
  const env = { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, SESSION_SECRET: 'startup-bench-secret-startup-bench-secret', BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn' };
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    while ((await status(`http://127.0.0.1:${port}/healthz`)) !== 200) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() - started > limitMs) throw new Error(`not ready after ${limitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyMs = performance.now() - started;
    const rssReady = rssMb(child.pid!);
    for (let i = 0; i < 100; i++) {
      await status(`http://127.0.0.1:${port}/`);
      await status(`http://127.0.0.1:${port}/api/v1/search?q=%E7%A3%B7%E7%9F%B3%E8%86%8F`);
    }
    return { readyMs, rssReady, rssLoaded: rssMb(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function benchStartup(): Promise<BenchReport> {
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
  const port = 3900 + Math.floor(Math.random() * 90);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-startup-'));
  const { dir, seconds } = await compile();
  const ways = {
    'tsx (npm start)': { args: ['--import', 'tsx', 'server/main.ts'], cwd: root },
    'compiled (tsc)': { args: ['server/main.js'], cwd: dir },
  };
  const got: Record<string, Start[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  try {
    // The demo database: a copy of the benchmarks' demo-only database when there is one, else seeded by a first start.
    const demo = path.join(cacheDir(), 'bench-0');
    if (existsSync(path.join(demo, 'db'))) cpSync(path.join(demo, 'db'), path.join(dataDir, 'db'), { recursive: true, filter: (src) => !/ferretdb\.json$|\.lock$/.test(src) });
    await start(ways['tsx (npm start)'].args, root, dataDir, port, 1_800_000); // warms the caches (and seeds if empty): not timed
    for (let run = 0; run < runs; run++) {
      for (const [name, way] of Object.entries(ways)) {
        got[name]!.push(await start(way.args, way.cwd, dataDir, port));
        const s = got[name]!.at(-1)!;
        process.stderr.write(`  startup ${name} run ${run + 1}/${runs}: ready ${(s.readyMs / 1000).toFixed(2)} s, RSS ${s.rssReady.toFixed(0)} → ${s.rssLoaded.toFixed(0)} MB\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => percentile(xs, 0.5);
  const rows = Object.entries(got).map(([name, s]) => [name, (med(s.map((x) => x.readyMs)) / 1000).toFixed(2), med(s.map((x) => x.rssReady)).toFixed(0), med(s.map((x) => x.rssLoaded)).toFixed(0)]);
  const summary: BenchReport['summary'] = rows.map((r) => ['startup', String(r[0]), `ready in ${r[1]} s · RSS ${r[2]} MB at ready, ${r[3]} MB after 200 requests`]);
  summary.push(['startup', 'tsc build', `${seconds.toFixed(1)} s`]);
  return {
    detail: table(`Start to /healthz 200, demo database, production mode (median of ${runs}; tsc build ${seconds.toFixed(1)} s)`, ['way', 'ready s', 'RSS at ready MB', 'RSS after 200 requests MB'], rows),
    summary,
  };
}
