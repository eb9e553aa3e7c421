// Builds (once) the Go launcher that embeds FerretDB 1.24.2, into a cache outside the checkout, keyed by the
// launcher's sources so a change rebuilds it and every checkout/CI run reuses the same binary.
// Run directly (`npm run build:db`) to build ahead of time; embedded.ts calls ensureLauncher() on demand.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceDir } from '../paths.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const MIN_GO = [1, 24];
const launcherDir = path.join(sourceDir(import.meta.dirname), 'launcher');

export class LauncherUnavailable extends Error {
  override name = 'LauncherUnavailable';
}

export type LauncherKind = 'ours' | 'official';
export interface Launcher {
  path: string;
  kind: LauncherKind;
}

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'techbridge-dongbao');
}

/** Where the binary for the current launcher sources lives (whether or not it has been built yet). */
export function launcherPath(): string {
  const hash = createHash('sha256');
  const sources = ['go.mod', 'go.sum', ...readdirSync(launcherDir).filter((f) => f.endsWith('.go')).sort()];
  for (const file of sources) hash.update(file).update(readFileSync(path.join(launcherDir, file)));
  return path.join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-${hash.digest('hex').slice(0, 12)}`, 'ferretdb-launcher');
}

/** FERRETDB_BIN when set, else the cached build, else a fresh build with Go. Throws a how-to-fix message. */
export async function ensureLauncher(opts: { bin?: string | undefined; onBuildStart?: () => void } = {}): Promise<Launcher> {
  if (opts.bin) return describeBinary(opts.bin);
  const target = launcherPath();
  if (existsSync(target)) return { path: target, kind: 'ours' };
  checkGo();
  opts.onBuildStart?.();
  await buildInto(target);
  return { path: target, kind: 'ours' };
}

function describeBinary(bin: string): Launcher {
  const resolved = path.resolve(bin);
  if (!existsSync(resolved)) {
    throw new LauncherUnavailable(`FERRETDB_BIN points to ${resolved}, which does not exist.`);
  }
  const out = spawnSync(resolved, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (out.error) throw new LauncherUnavailable(`FERRETDB_BIN=${resolved} cannot be run: ${out.error.message}`);
  const text = `${out.stdout}${out.stderr}`;
  if (text.includes('techbridge-ferretdb-launcher')) return { path: resolved, kind: 'ours' };
  if (/ferretdb|version/i.test(text)) return { path: resolved, kind: 'official' };
  throw new LauncherUnavailable(`FERRETDB_BIN=${resolved} is neither our launcher nor a FerretDB binary.`);
}

function checkGo(): void {
  const out = spawnSync('go', ['version'], { encoding: 'utf8' });
  const howTo =
    'The embedded database needs a FerretDB launcher, built once with Go >= 1.24. Either install Go ' +
    '(https://go.dev/dl/, or your package manager), or set FERRETDB_BIN to a FerretDB 1.24.2 binary, ' +
    'or set MONGODB_URI to a MongoDB server (mongodb://host:27017/dongbao).';
  if (out.error || out.status !== 0) throw new LauncherUnavailable(`Go was not found on PATH. ${howTo}`);
  const m = /go(\d+)\.(\d+)/.exec(out.stdout);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (major < MIN_GO[0]! || (major === MIN_GO[0] && minor < MIN_GO[1]!)) {
    throw new LauncherUnavailable(`Found ${out.stdout.trim()}, which is too old. ${howTo}`);
  }
}

async function buildInto(target: string): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  // Build to a unique name and rename: two processes building at once both end with a complete binary.
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
      cwd: launcherDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new LauncherUnavailable(`go build of the FerretDB launcher failed (exit ${code}); see the output above.`);
  }
  renameSync(tmp, target);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const started = performance.now();
  const existed = existsSync(launcherPath());
  ensureLauncher({ bin: process.env.FERRETDB_BIN, onBuildStart: () => console.log('Building the FerretDB launcher…') })
    .then((l) => {
      const took = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${existed ? 'Cached' : 'Built'} ${l.kind} launcher: ${l.path} (${took} s)`);
    })
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
