// Per test file: connect mongoose to a database of this file's own in the run's FerretDB, and drop it after.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect, disconnect, ensureIndexes } from '../../server/platform/db/connection.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { startTestClock } from './clock.ts';

export const testDbName = `t_${randomBytes(6).toString('hex')}`;

startTestClock();

beforeAll(async () => {
  await connect(inject('mongoUri'), testDbName);
  // As the app does at start: unique indexes are part of the rules (one candidate per need, one email …).
  await ensureIndexes(createLogger('warn'));
});

afterAll(async () => {
  if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase().catch(() => {});
  await disconnect();
});
