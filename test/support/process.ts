// Spawns the real server process as `npm start` does — the compiled build/server/main.js
// (docs/decisions/tsx-in-production.md) — for shutdown and restart tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { clockEnv } from './clock.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** What `npm start` runs after `npm run build`, from repoRoot. */
export const serverArgs = ['--enable-source-maps', 'build/server/main.js'];

let built = false;
/**
 * `npm run build` (tsc -b: re-emits only what changed; well under a second when nothing did), once per process.
 * A vitest run builds once in global-setup.ts, before the workers start, so two of them never write build/ at once.
 */
export function ensureBuilt(): void {
  if (built || process.env.DONGBAO_BUILD_FRESH === '1') return;
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  built = true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServer(env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  ensureBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, serverArgs, {
    cwd: repoRoot,
    // Vitest exports Vite's BASE_URL=/ ; the app would read it as its public address.
    env: { ...process.env, BASE_URL: '', NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', ...(env.NODE_ENV === 'production' ? {} : clockEnv()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, port, url, output: () => out, exited };
}

/** Whether a process with this pid is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
