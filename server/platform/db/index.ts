// Opens the database for a process: MONGODB_URI when set, else the embedded FerretDB under DATA_DIR/db
// (started here, or — for the CLI — the one a running app already started).
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { connect, disconnect, ensureIndexes } from './connection.ts';
import { startEmbedded, type EmbeddedDb } from './embedded.ts';

export interface Database {
  uri: string;
  embedded: EmbeddedDb | undefined;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, logger: Logger, opts: { reuseRunning?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedDb | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbedded({
      dataDir: config.dataDir,
      logger,
      bin: config.ferretdbBin,
      reuseRunning: opts.reuseRunning ?? false,
    });
    uri = embedded.uri;
    logger.info({ owned: embedded.owned, pid: embedded.pid }, 'embedded database ready');
  }
  try {
    await connect(uri);
    await ensureIndexes(logger);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    uri,
    embedded,
    async close() {
      await disconnect().catch((err) => logger.warn({ err }, 'closing the database connection failed'));
      await embedded?.stop();
    },
  };
}
