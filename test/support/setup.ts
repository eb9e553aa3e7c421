// Per test file: connect mongoose to a database of this file's own in the run's FerretDB, and drop it after.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect, disconnect } from '../../server/platform/db/connection.ts';

export const testDbName = `t_${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  await connect(inject('mongoUri'), testDbName);
});

afterAll(async () => {
  if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase().catch(() => {});
  await disconnect();
});
