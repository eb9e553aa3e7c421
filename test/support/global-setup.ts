// One throwaway FerretDB for the whole run, in a fresh temp directory; each test file gets its own database
// in it (setup.ts). The launcher is built on first use and cached outside the checkout.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../server/platform/logger.ts';
import { startEmbedded, type EmbeddedDb } from '../../server/platform/db/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

let db: EmbeddedDb | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-test-'));
  db = await startEmbedded({ dataDir: dir, logger: createLogger('warn'), bin: process.env.FERRETDB_BIN });
  project.provide('mongoUri', db.uri);
}

export async function teardown(): Promise<void> {
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
