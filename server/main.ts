// Process entry: config → database → search → workers → HTTP. SIGTERM/SIGINT drain: stop accepting,
// finish in-flight requests, /readyz answers 503, close the database (and the embedded server), exit 0.
// An embedded database that dies is restarted (platform/db/supervisor.ts); requests meanwhile get 503 at
// once; if it is not back within 60 s, /healthz turns 503 and the process exits 1 for its service manager.
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { openDatabase, type Database } from './platform/db/index.ts';
import { pingDatabase } from './platform/db/connection.ts';
import { databaseAvailability } from './platform/db/availability.ts';
import { Lifecycle } from './platform/lifecycle.ts';
import { createApp } from './app.ts';
import { createHttpServer } from './platform/http/server.ts';
import { recoverInterrupted } from './imports/service.ts';
import { addMissingTokenKeys } from './accounts/service.ts';
import { createSearchIndex } from './platform/search/index.ts';
import { SearchSync } from './platform/search/sync.ts';
import { searchReadiness } from './platform/search/readiness.ts';
import { searchSources } from './search/sources.ts';
import { startMaintenance } from './maintenance.ts';
import { ensureTallies, useTallyLogger } from './targets/tallies.ts';
import { MailWorker } from './mail/worker.ts';
import { mailSettings } from './mail/service.ts';
import { describeSummary, isEmpty, seedDemo } from '../seeds/index.ts';
import { clockFrom, setClock } from './platform/clock.ts';

const SHUTDOWN_DEADLINE_MS = 25_000;
/** After recovery failed: how long /healthz answers 503 before the process exits. */
const FAILED_EXIT_DELAY_MS = 1_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (config.clockAt) setClock(clockFrom(config.clockAt));
  const logger = createLogger(config.logLevel);
  const lifecycle = new Lifecycle();
  // Set once the database is open, so a crash handler installed before that can still close it.
  const opened: { database?: Database } = {};

  const fatal = (err: unknown, what: string) => {
    logger.fatal({ err }, what);
    void (opened.database?.close() ?? Promise.resolve()).finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 5000).unref();
  };
  process.on('uncaughtException', (err) => fatal(err, 'uncaught exception'));
  process.on('unhandledRejection', (err) => fatal(err, 'unhandled rejection'));

  const giveUp = (err: Error) => {
    lifecycle.failure = err.message;
    logger.fatal({ err }, 'the database could not be recovered: exiting so that the service manager restarts the app');
    setTimeout(() => void (opened.database?.close() ?? Promise.resolve()).finally(() => process.exit(1)), FAILED_EXIT_DELAY_MS);
    setTimeout(() => process.exit(1), FAILED_EXIT_DELAY_MS + 5000).unref();
  };
  const database = await openDatabase(config, logger, { supervise: { onGiveUp: giveUp } });
  opened.database = database;
  await recoverInterrupted(logger);
  const tokenKeys = await addMissingTokenKeys(); // API tokens are found by `_id` (accounts/tokens.ts)
  if (tokenKeys) logger.info({ tokenKeys }, 'API tokens from before api_token_keys: keys added');
  if (config.seedOnEmpty && (await isEmpty())) {
    logger.info('empty database: loading the demo data (SEED_ON_EMPTY=false turns this off)');
    // Shown to the person who just typed npm start: the demo accounts they can log in with.
    process.stdout.write(`${describeSummary(await seedDemo())}\n`);
  }
  useTallyLogger(logger);
  await ensureTallies(logger); // the target figures' running totals: built once for a database that has none
  // While the database is known to be down the answer is immediate, not a ping waiting for it.
  lifecycle.addCheck({
    name: 'database',
    check: async () => ({ ok: databaseAvailability.up && (await pingDatabase()), detail: { state: databaseAvailability.state } }),
  });

  const search = await createSearchIndex(config, logger);
  const searchSync = new SearchSync(search, searchSources, logger);
  await searchSync.start(); // the embedded index is built from the database before the first request
  lifecycle.addCheck(searchReadiness(search, searchSync));

  const app = createApp({ config, logger, lifecycle, search, searchSync });
  const stopMaintenance = startMaintenance(logger, { search, searchSync });
  // Sends the outbox (or, without SMTP_URL, marks it held for /admin/mail); resumes whatever a previous run left.
  const mailWorker = new MailWorker(mailSettings(config), logger);
  mailWorker.start();
  const server = createHttpServer(app);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, database: database.embedded ? 'embedded FerretDB' : 'MONGODB_URI' }, `listening on http://localhost:${port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      server.closeAllConnections();
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // Kept-alive connections would keep bringing requests until the deadline: answer them with Connection: close.
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(deadline);
    stopMaintenance();
    await mailWorker.stop();
    await searchSync.stop();
    await search.close();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const logger: Logger = createLogger('error');
  logger.fatal({ err }, 'failed to start');
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
