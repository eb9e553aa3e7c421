// Helpers for tests that start the server or its command line as child processes against the test run's
// database (vitest only: they read the test file's database name). test/support/process.ts stays free of
// vitest so the benchmarks can use it too.
import { inject } from 'vitest';
import { connect, disconnect, ensureIndexes } from '../../server/platform/db/connection.ts';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { clockEnv } from './clock.ts';
import { testDbName } from './setup.ts';

/**
 * Fills DATA_DIR's own embedded database before a server first starts there (through the real services), then
 * gives this test file its own database back.
 */
export async function fillDataDir<T>(dataDir: string, fill: () => Promise<T>): Promise<T> {
  const logger = createLogger('warn');
  await disconnect(); // from this file's test database (setup.ts); reconnected below
  const db = await startEmbedded({ dataDir, logger });
  try {
    await connect(db.uri);
    await ensureIndexes(logger);
    return await fill();
  } finally {
    await disconnect();
    await db.stop();
    await connect(inject('mongoUri'), testDbName);
  }
}

/** The environment for the server's command line run against this test file's database, on its clock. */
export const cliEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  ...clockEnv(),
  BASE_URL: '',
  MONGODB_URI: inject('mongoUri').replace(/\/$/, '') + '/' + testDbName,
  LOG_LEVEL: 'warn',
});
