// Keeps the embedded FerretDB running under the app. When the launcher exits without being asked (a crash,
// kill -9, the OOM killer), the database is marked down (availability.ts: requests get 503 at once, /readyz
// 503) and the launcher is started again on the same data directory, with back-off 0.5 s, 1 s, 2 s, 4 s,
// then every 5 s. The first two attempts take the same port, so the mongoose connection finds it again by
// itself; later ones take any free port and mongoose is reconnected to it. The database counts as up again
// once the app's own client answers a ping. If it is not back within 60 s, onGiveUp is called: main.ts marks
// the process failed (/healthz 503) and exits non-zero, so that a service manager restarts the whole app.
import type { Logger } from '../logger.ts';
import { databaseAvailability, probeDatabase } from './availability.ts';
import { portOf, restartEmbedded, type EmbeddedDb, type ExitInfo } from './embedded.ts';

export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 5_000;
export const GIVE_UP_AFTER_MS = 60_000;
/** Up this long after a restart, the next exit starts the back-off from the beginning again. */
const STABLE_AFTER_MS = 30_000;
const SAME_PORT_ATTEMPTS = 2;

export interface SupervisorOptions {
  first: EmbeddedDb;
  dataDir: string;
  bin?: string | undefined;
  logger: Logger;
  /** The restarted server listens at another URI: point the app's connection at it. */
  reconnect(uri: string): Promise<void>;
  /** Recovery failed for good; the database is marked failed before this is called. */
  onGiveUp(err: Error): void;
}

export interface Supervisor {
  /** The server running now (it changes with each restart). */
  current(): EmbeddedDb;
  /** Stops supervising (a shutdown): an exit from now on is expected, a restart under way is abandoned. */
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function superviseEmbedded(opts: SupervisorOptions): Supervisor {
  const { logger } = opts;
  let current = opts.first;
  let stopped = false;
  let consecutive = 0; // restarts since the server was last stable, for the back-off
  let upSince = performance.now();

  const watch = (db: EmbeddedDb) => db.onUnexpectedExit((exit) => void recover(exit));

  async function recover(exit: ExitInfo): Promise<void> {
    if (stopped) return;
    databaseAvailability.markDown('server');
    const downAt = performance.now();
    if (downAt - upSince >= STABLE_AFTER_MS) consecutive = 0;
    const deadline = downAt + GIVE_UP_AFTER_MS;
    const previousUri = current.uri;
    const port = portOf(previousUri);
    logger.error({ ...exit, pid: current.pid }, 'the embedded database died: answering 503 and restarting it');

    let lastError: Error | undefined;
    for (let attempt = 1; ; attempt++) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      const delay = Math.min(BACKOFF_FIRST_MS * 2 ** consecutive, BACKOFF_MAX_MS, left);
      consecutive = Math.min(consecutive + 1, 10);
      await sleep(delay);
      if (stopped) return;
      const samePort = attempt <= SAME_PORT_ATTEMPTS && port > 0;
      logger.warn({ attempt, afterMs: delay, port: samePort ? port : 'any' }, 'restarting the embedded database');
      let db: EmbeddedDb;
      try {
        db = await restartEmbedded({
          dataDir: opts.dataDir,
          logger,
          bin: opts.bin,
          port: samePort ? port : 0,
          timeoutMs: Math.max(1000, deadline - performance.now()),
        });
      } catch (err) {
        lastError = err as Error;
        logger.error({ err, attempt }, 'restarting the embedded database failed');
        continue;
      }
      if (stopped) {
        await db.stop();
        return;
      }
      current = db;
      try {
        if (db.uri !== previousUri) {
          logger.warn({ from: previousUri, to: db.uri }, 'the embedded database came back on another port: reconnecting');
          await opts.reconnect(db.uri);
        }
        while (!(await probeDatabase(1000))) {
          if (stopped) return;
          if (performance.now() > deadline) throw new Error('the restarted embedded database does not answer');
          await sleep(200);
        }
      } catch (err) {
        lastError = err as Error;
        logger.error({ err, attempt }, 'the restarted embedded database is not usable');
        await db.stop();
        continue;
      }
      let exitedMeanwhile = false;
      db.onUnexpectedExit(() => (exitedMeanwhile = true)); // synchronous when it has already exited
      if (exitedMeanwhile) continue;
      upSince = performance.now();
      databaseAvailability.markUp('server');
      logger.info({ attempt, pid: db.pid, uri: db.uri, downMs: Math.round(upSince - downAt) }, 'the embedded database is back');
      watch(db);
      return;
    }

    const err = new Error(
      `the embedded database did not come back within ${GIVE_UP_AFTER_MS / 1000} s${lastError ? `: ${lastError.message}` : ''}`,
    );
    databaseAvailability.markFailed(err.message);
    opts.onGiveUp(err);
  }

  watch(current);
  return {
    current: () => current,
    stop() {
      stopped = true;
    },
  };
}
