// Starts and stops the embedded FerretDB (SQLite files under DATA_DIR/db) for the default run mode.
//
// Our launcher takes an exclusive lock on the directory and records {pid, uri} in ferretdb.json while it runs,
// so the CLI can reuse a running app's database instead of opening the same files twice. The launcher exits
// when our process dies (stdin EOF and PR_SET_PDEATHSIG), so a crash leaves no orphan behind. The other way
// round, when the launcher dies under a running app, supervisor.ts starts it again (restartEmbedded).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger.ts';
import { ensureLauncher, type Launcher } from './build-launcher.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EmbeddedDb {
  uri: string;
  /** false when we attached to a database another process (the running app) owns */
  owned: boolean;
  pid: number;
  stop(): Promise<void>;
  /**
   * Calls `listener` once when the server exits without stop() (a crash, kill -9) — at once if it already
   * has. Never for a database another process owns.
   */
  onUnexpectedExit(listener: (exit: ExitInfo) => void): void;
}

const attached = (uri: string, pid: number): EmbeddedDb => ({ uri, pid, owned: false, stop: async () => {}, onUnexpectedExit: () => {} });

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
      return attached(running.uri, running.pid);
    }
  }
  const launcher = await ensureLauncher({
    bin: opts.bin,
    onBuildStart: () => logger.info('building the embedded FerretDB launcher (first run only, about a minute)…'),
  });
  const dir = dbDir(dataDir);
  mkdirSync(dir, { recursive: true });

  // Another process holds the directory: the CLI may be finishing a command, so wait a little before giving up.
  const deadline = performance.now() + 15_000;
  for (;;) {
    try {
      return await launch(launcher, dir, logger);
    } catch (err) {
      if (!(err instanceof LockedError)) throw err;
      if (opts.reuseRunning) {
        const running = await findRunning(dataDir);
        if (running) return attached(running.uri, running.pid);
      }
      if (performance.now() > deadline) {
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

/**
 * One attempt to start the owned server again on DATA_DIR/db after it died, on `port` (0: any free port) so
 * that open connections can find it where it was. Throws at once when the directory is locked or the port
 * taken; the caller (supervisor.ts) decides about retrying.
 */
export async function restartEmbedded(opts: { dataDir: string; logger: Logger; bin?: string | undefined; port: number; timeoutMs: number }): Promise<EmbeddedDb> {
  const launcher = await ensureLauncher({ bin: opts.bin });
  const dir = dbDir(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  try {
    return await launch(launcher, dir, opts.logger, { port: opts.port, timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (err instanceof LockedError) throw new Error(`the embedded database in ${dir} is locked by another process`);
    throw err;
  }
}

/** The port of a URI such as mongodb://127.0.0.1:40123/ (0 when it has none). */
export function portOf(uri: string): number {
  const m = /^mongodb:\/\/[^/?]*:(\d+)/.exec(uri);
  return m ? Number(m[1]) : 0;
}

class LockedError extends Error {}

interface LaunchOptions {
  /** 0 (default): any free port */
  port?: number;
  timeoutMs?: number;
}

function launch(launcher: Launcher, dir: string, logger: Logger, opts: LaunchOptions = {}): Promise<EmbeddedDb> {
  return launcher.kind === 'ours' ? startOurs(launcher, dir, logger, opts) : startOfficial(launcher, dir, logger, opts);
}

function startOurs(launcher: Launcher, dir: string, logger: Logger, opts: LaunchOptions): Promise<EmbeddedDb> {
  const timeoutMs = opts.timeoutMs ?? START_TIMEOUT_MS;
  const child = spawn(launcher.path, ['-dir', dir, '-listen', `127.0.0.1:${opts.port ?? 0}`, '-watch-stdin', '-log-level', 'error'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  forwardStderr(child, logger);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the embedded database did not start within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
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
async function startOfficial(launcher: Launcher, dir: string, logger: Logger, opts: LaunchOptions): Promise<EmbeddedDb> {
  const port = opts.port || (await freePort());
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
  const deadline = performance.now() + (opts.timeoutMs ?? START_TIMEOUT_MS);
  while (!(await ping(uri, 500))) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}`);
    if (performance.now() > deadline) {
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
  let unexpected: ExitInfo | undefined;
  const listeners: ((exit: ExitInfo) => void)[] = [];
  child.once('exit', (code, signal) => {
    if (stopping) return;
    unexpected = { code, signal };
    logger.error({ code, signal, pid: child.pid }, 'the embedded database stopped unexpectedly');
    for (const listener of listeners.splice(0)) listener(unexpected);
  });
  return {
    uri,
    owned: true,
    pid: child.pid!,
    onUnexpectedExit(listener) {
      if (unexpected) listener(unexpected);
      else if (!stopping) listeners.push(listener);
    },
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
