// What `npm start` runs: `npm run build` (tsconfig.build.json → build/) and the compiled build/server/main.js,
// started on a throwaway embedded FerretDB. The build emits JavaScript only, so everything read at run time —
// templates and static assets in views/, the search dictionaries and the common-password list beside the sources,
// the FerretDB launcher's Go sources, package.json, node_modules — must still be found from build/
// (server/platform/paths.ts); a path that is wrong there fails here, not only in production.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot, serverArgs, startServer } from '../support/process.ts';
import type * as Paths from '../../server/platform/paths.ts';

describe('the compiled build (npm start)', () => {
  it('when built, then its modules find the source tree: package.json, views, and the files beside the sources', async () => {
    ensureBuilt();
    const main = path.join(repoRoot, 'build/server/main.js');
    expect(existsSync(main)).toBe(true);
    expect(serverArgs).toContain('build/server/main.js');
    const paths = (await import(/* @vite-ignore */ pathToFileURL(path.join(repoRoot, 'build/server/platform/paths.js')).href)) as typeof Paths;
    expect(paths.projectRoot).toBe(repoRoot);
    const compiledSearch = path.join(repoRoot, 'build/server/platform/search');
    expect(paths.sourceDir(compiledSearch)).toBe(path.join(repoRoot, 'server/platform/search'));
    expect(existsSync(path.join(paths.sourceDir(compiledSearch), 'data', 'dictionary.txt'))).toBe(true);
  });

  it('when build/server/main.js starts on a fresh data dir, then /healthz is 200 and pages render with their assets', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-build-'));
    const server = await startServer({ SESSION_SECRET: 'build-test-secret-build-test-secret-000', SEED_ON_EMPTY: 'false', DATA_DIR: dataDir });
    try {
      expect(server.child.spawnargs).toContain('build/server/main.js');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      // Handlebars views, layout and partials (views/ at the project root, not build/views).
      const demands = await fetch(`${server.url}/demands`);
      expect(demands.status).toBe(200);
      const html = await demands.text();
      expect(html).toMatch(/<html[^>]*lang="zh/);
      expect(html).toContain('/assets/app.css');

      // Static assets from views/assets and the CSS framework from node_modules.
      const css = await fetch(`${server.url}/assets/app.css`);
      expect(css.status).toBe(200);
      expect((await fetch(`${server.url}/assets/vendor/pico.min.css`)).status).toBe(200);

      // The API document carries package.json's version; search tokenizes with the dictionary beside its module.
      const openapi = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { info: { version: string } };
      expect(openapi.info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect((await fetch(`${server.url}/api/v1/search?q=${encodeURIComponent('磷石膏')}`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
  }, 60_000);
});
