// Builds the real app for API-level tests, on the test file's database, with test-friendly config.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/platform/config.ts';
import { createLogger, type Logger } from '../../server/platform/logger.ts';
import { Lifecycle } from '../../server/platform/lifecycle.ts';
import { pingDatabase } from '../../server/platform/db/connection.ts';

export interface TestApp {
  app: Express;
  config: Config;
  lifecycle: Lifecycle;
  logger: Logger;
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

export function buildTestApp(opts: { env?: Record<string, string>; logger?: Logger } = {}): TestApp {
  const config = testConfig(opts.env);
  // TEST_LOG_LEVEL=error npx vitest … shows what a 500 in a test was about.
  const logger = opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const lifecycle = new Lifecycle();
  lifecycle.addCheck({ name: 'database', check: async () => ({ ok: await pingDatabase() }) });
  const app = createApp({ config, logger, lifecycle });
  return { app, config, lifecycle, logger };
}
