// One throwaway FerretDB for the whole run, in a fresh temp directory; each test file gets its own database
// in it (setup.ts). The launcher is built on first use and cached outside the checkout.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../server/platform/logger.ts';
import { startEmbedded, type EmbeddedDb } from '../../server/platform/db/embedded.ts';
import { ensureBuilt } from './process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

let db: EmbeddedDb | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // The tests that spawn the server run the compiled build, as npm start does (process.ts): brought up to date
  // once here, before the workers start; they inherit the variable and do not check again.
  ensureBuilt();
  process.env.DONGBAO_BUILD_FRESH = '1';
  dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-test-'));
  db = await startEmbedded({ dataDir: dir, logger: createLogger('warn'), bin: process.env.FERRETDB_BIN });
  project.provide('mongoUri', db.uri);
}

export async function teardown(): Promise<void> {
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
