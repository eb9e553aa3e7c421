// Builds the real app for API-level tests, on the test file's database, with test-friendly config.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/platform/config.ts';
import { createLogger, type Logger } from '../../server/platform/logger.ts';
import { Lifecycle } from '../../server/platform/lifecycle.ts';
import { pingDatabase } from '../../server/platform/db/connection.ts';
import { afterAll, beforeAll } from 'vitest';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import { SearchSync } from '../../server/platform/search/sync.ts';
import type { SearchIndex } from '../../server/platform/search/port.ts';
import { searchSources } from '../../server/search/sources.ts';
import { searchReadiness } from '../../server/platform/search/readiness.ts';

export interface TestApp {
  app: Express;
  config: Config;
  lifecycle: Lifecycle;
  logger: Logger;
  search: SearchIndex;
  sync: SearchSync;
  /** waits until the search index holds every change made so far (lists and search read the index) */
  settle(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'dongbao-app-')),
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    SEED_ON_EMPTY: 'false',
    ...env,
  });
}

export function buildTestApp(opts: { env?: Record<string, string>; logger?: Logger; search?: SearchIndex } = {}): TestApp {
  const config = testConfig(opts.env);
  // TEST_LOG_LEVEL=error npx vitest … shows what a 500 in a test was about.
  const logger = opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const lifecycle = new Lifecycle();
  lifecycle.addCheck({ name: 'database', check: async () => ({ ok: await pingDatabase() }) });
  const search = opts.search ?? new EmbeddedSearch();
  const sync = new SearchSync(search, searchSources, logger);
  lifecycle.addCheck(searchReadiness(search, sync));
  // The file's database is connected by setup.ts's beforeAll, which runs before this one.
  beforeAll(() => sync.start());
  afterAll(() => sync.stop());
  afterAll(() => rmSync(config.dataDir, { recursive: true, force: true }));
  const app = createApp({ config, logger, lifecycle, search, searchSync: sync });
  return { app, config, lifecycle, logger, search, sync, settle: () => sync.catchUp() };
}
