// Opens the database for a process: MONGODB_URI when set, else the embedded FerretDB under DATA_DIR/db
// (started here, or — for the CLI — the one a running app already started). The app (main.ts) also asks for
// supervision: the connection's state is followed (availability.ts) and an embedded server that dies is
// restarted (supervisor.ts).
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { connect, disconnect, ensureIndexes, reconnect } from './connection.ts';
import { databaseAvailability, watchConnection } from './availability.ts';
import { startEmbedded, type EmbeddedDb } from './embedded.ts';
import { superviseEmbedded, type Supervisor } from './supervisor.ts';

export interface Database {
  /** where the connection points now (a restart on another port changes it) */
  readonly uri: string;
  /** the embedded server running now (a restart replaces it) */
  readonly embedded: EmbeddedDb | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** CLI mode: use the running app's database when there is one. */
  reuseRunning?: boolean;
  /** App mode: follow the connection, restart an embedded server that dies; onGiveUp when that fails. */
  supervise?: { onGiveUp(err: Error): void };
}

export async function openDatabase(config: Config, logger: Logger, opts: OpenOptions = {}): Promise<Database> {
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
  let supervisor: Supervisor | undefined;
  let unwatch: (() => void) | undefined;
  if (opts.supervise) {
    databaseAvailability.reset();
    unwatch = watchConnection(logger);
    if (embedded?.owned) {
      supervisor = superviseEmbedded({
        first: embedded,
        dataDir: config.dataDir,
        bin: config.ferretdbBin,
        logger,
        reconnect: (to) => reconnect(to),
        onGiveUp: opts.supervise.onGiveUp,
      });
    }
  }
  const opened = uri;
  return {
    get uri() {
      return supervisor?.current().uri ?? opened;
    },
    get embedded() {
      return supervisor?.current() ?? embedded;
    },
    async close() {
      supervisor?.stop();
      unwatch?.();
      await disconnect().catch((err) => logger.warn({ err }, 'closing the database connection failed'));
      await (supervisor?.current() ?? embedded)?.stop();
    },
  };
}
