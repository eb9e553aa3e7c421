// Starts and stops the embedded FerretDB (SQLite files under DATA_DIR/db) for the default run mode.
//
// Our launcher takes an exclusive lock on the directory and records {pid, uri} in ferretdb.json while it runs,
// so the CLI can reuse a running app's database instead of opening the same files twice. The launcher exits
// when our process dies (stdin EOF and PR_SET_PDEATHSIG), so a crash leaves no orphan behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger.ts';
import { ensureLauncher, type Launcher } from './build-launcher.ts';

export interface EmbeddedDb {
  uri: string;
  /** false when we attached to a database another process (the running app) owns */
  owned: boolean;
  pid: number;
  stop(): Promise<void>;
}

const LOCKED_EXIT = 3;
const START_TIMEOUT_MS = 60_000;

export function dbDir(dataDir: string): string {
  return path.join(dataDir, 'db');
}

/** Pings a MongoDB-wire server; resolves false instead of throwing. */
export async function ping(uri: string, timeoutMs = 2000): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/** The database a live launcher recorded under DATA_DIR, if it answers. */
export async function findRunning(dataDir: string): Promise<{ uri: string; pid: number } | undefined> {
  const file = path.join(dbDir(dataDir), 'ferretdb.json');
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { uri?: unknown; pid?: unknown };
    if (typeof state.uri !== 'string' || typeof state.pid !== 'number') return undefined;
    process.kill(state.pid, 0); // throws when no such process
    return (await ping(state.uri)) ? { uri: state.uri, pid: state.pid } : undefined;
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  dataDir: string;
  logger: Logger;
  bin?: string | undefined;
  /** CLI mode: use the running app's database when there is one. */
  reuseRunning?: boolean;
}

export async function startEmbedded(opts: StartOptions): Promise<EmbeddedDb> {
  const { dataDir, logger } = opts;
  if (opts.reuseRunning) {
    const running = await findRunning(dataDir);
    if (running) {
      logger.debug({ pid: running.pid }, 'using the running embedded database');
      return { uri: running.uri, pid: running.pid, owned: false, stop: async () => {} };
    }
  }
  const launcher = await ensureLauncher({
    bin: opts.bin,
    onBuildStart: () => logger.info('building the embedded FerretDB launcher (first run only, about a minute)…'),
  });
  const dir = dbDir(dataDir);
  mkdirSync(dir, { recursive: true });

  // Another process holds the directory: the CLI may be finishing a command, so wait a little before giving up.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return launcher.kind === 'ours' ? await startOurs(launcher, dir, logger) : await startOfficial(launcher, dir, logger);
    } catch (err) {
      if (!(err instanceof LockedError)) throw err;
      if (opts.reuseRunning) {
        const running = await findRunning(dataDir);
        if (running) return { uri: running.uri, pid: running.pid, owned: false, stop: async () => {} };
      }
      if (Date.now() > deadline) {
        const running = await findRunning(dataDir);
        throw new Error(
          `The embedded database in ${dir} is in use by another process${running ? ` (pid ${running.pid})` : ''}. ` +
            'Stop it, use another DATA_DIR, or set MONGODB_URI.',
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

class LockedError extends Error {}

function startOurs(launcher: Launcher, dir: string, logger: Logger): Promise<EmbeddedDb> {
  const child = spawn(launcher.path, ['-dir', dir, '-listen', '127.0.0.1:0', '-watch-stdin', '-log-level', 'error'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  forwardStderr(child, logger);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the embedded database did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^READY (\S+)$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve(handle(child, m[1]!, logger));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(code === LOCKED_EXIT ? new LockedError() : new Error(`the embedded database exited with code ${code}`));
    });
  });
}

/** The official FerretDB binary: we pick the port, and poll ping. It does not lock the directory. */
async function startOfficial(launcher: Launcher, dir: string, logger: Logger): Promise<EmbeddedDb> {
  const port = await freePort();
  const child = spawn(
    launcher.path,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--state-dir=-',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  forwardStderr(child, logger);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ping(uri, 500))) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('FerretDB did not answer ping in time');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return handle(child, uri, logger);
}

function handle(child: ChildProcess, uri: string, logger: Logger): EmbeddedDb {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) logger.error({ code, signal }, 'the embedded database stopped unexpectedly');
  });
  return {
    uri,
    owned: true,
    pid: child.pid!,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function forwardStderr(child: ChildProcess, logger: Logger): void {
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.trim()) logger.warn({ source: 'ferretdb' }, line);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
