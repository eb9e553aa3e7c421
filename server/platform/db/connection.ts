// The mongoose connection. Query-selector injection is closed here for every model: sanitizeFilter turns
// {$ne: ...} in user input into a literal, and strictQuery 'throw' refuses filters on unknown paths.
import mongoose from 'mongoose';
import type { Logger } from '../logger.ts';
import { serializeWrites } from './write-lock.ts';

mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');
mongoose.set('autoIndex', false); // indexes are built by ensureIndexes(), where a failure is logged, not fatal

export const DEFAULT_DB_NAME = 'dongbao';

/** A URI without a database path uses DEFAULT_DB_NAME. */
export function databaseName(uri: string, fallback = DEFAULT_DB_NAME): string {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

/** The URI with its database path set, so the driver client's default database is the app's too. */
export function withDatabase(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error('unrecognised MongoDB URI');
  return `${m[1]}/${encodeURIComponent(dbName)}${m[2] ?? ''}`;
}

export async function connect(uri: string, dbName = databaseName(uri)): Promise<typeof mongoose> {
  // The URI names our database too, so anything that uses the driver's default database gets ours.
  await mongoose.connect(withDatabase(uri, dbName), { dbName, serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 });
  if (await isFerretDB()) serializeWrites();
  return mongoose;
}

/** FerretDB answers buildInfo with its own version besides the MongoDB one it emulates. */
export async function isFerretDB(): Promise<boolean> {
  const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

/** Builds every registered model's indexes; a failing index is logged and the app keeps running. */
export async function ensureIndexes(logger: Logger): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    try {
      await model.createIndexes();
    } catch (err) {
      logger.error({ err, model: model.modelName }, 'index build failed');
    }
  }
}

export async function pingDatabase(): Promise<boolean> {
  try {
    const db = mongoose.connection.db;
    if (!db || mongoose.connection.readyState !== 1) return false;
    await db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

export async function disconnect(): Promise<void> {
  await mongoose.disconnect();
}

/** Points the connection at another server (the embedded one restarted on a new port), same database name. */
export async function reconnect(uri: string): Promise<void> {
  const dbName = mongoose.connection.name || databaseName(uri);
  await mongoose.connection.close();
  await connect(uri, dbName);
}

/**
 * Marks a query operator written by our code as trusted. sanitizeFilter neutralises every `$` key it finds in
 * a filter, so `{ at: trusted({ $lt: now }) }` is how code says "this operator is mine, not user input".
 */
export const trusted = <T extends object>(operator: T): T => mongoose.trusted(operator) as T;
