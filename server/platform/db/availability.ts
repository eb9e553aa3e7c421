// Whether the database can serve right now, as far as this process knows. Two sources report it: the
// embedded server's supervisor (supervisor.ts: the launcher exited, is being restarted, is back) and the
// mongoose connection (lost, restored; this covers MONGODB_URI too). While it is down, requests are refused
// at once with 503 and Retry-After (databaseGate in http/error-handler.ts) instead of each waiting for the
// driver's server selection (10 s, connection.ts) and failing with 500; /readyz says 503 (main.ts).
//
// Nothing watches until main.ts opens the database with supervision (index.ts), so an app built by the
// tests over their own connection always counts the database as up.
import mongoose from 'mongoose';
import type { Logger } from '../logger.ts';

/** What a refused request is told to wait: about one restart of the embedded server. */
export const RETRY_AFTER_SECONDS = 5;

type Cause = 'server' | 'connection';
export type AvailabilityState = 'up' | 'recovering' | 'failed';

class DatabaseAvailability {
  private readonly causes = new Set<Cause>();
  private failure: string | undefined;
  private downSince: number | undefined;

  get up(): boolean {
    return this.causes.size === 0 && this.failure === undefined;
  }

  get state(): AvailabilityState {
    if (this.failure !== undefined) return 'failed';
    return this.causes.size ? 'recovering' : 'up';
  }

  /** Milliseconds since the database went down (0 while up). */
  downForMs(): number {
    return this.downSince === undefined ? 0 : performance.now() - this.downSince;
  }

  isDown(cause: Cause): boolean {
    return this.causes.has(cause);
  }

  markDown(cause: Cause): void {
    if (!this.causes.size) this.downSince = performance.now();
    this.causes.add(cause);
  }

  markUp(cause: Cause): void {
    this.causes.delete(cause);
    if (!this.causes.size) this.downSince = undefined;
  }

  /** Recovery has failed for good: the process is about to exit. */
  markFailed(reason: string): void {
    this.failure = reason;
  }

  /** Back to "up, nothing known" (a process that closed its database and opens another). */
  reset(): void {
    this.causes.clear();
    this.failure = undefined;
    this.downSince = undefined;
  }
}

export const databaseAvailability = new DatabaseAvailability();

const CONNECTION_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
]);

/**
 * Errors that say "the database cannot be reached" rather than "this request is wrong": the driver's
 * network and server-selection errors, and mongoose's buffering timeout (an operation queued while the
 * connection was down). Looks through `cause` for libraries that wrap them.
 */
export function isConnectionError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (CONNECTION_ERRORS.has(e.name)) return true;
    if (e.name === 'MongooseError' && e.message.includes('buffering timed out')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** One ping through the app's own client, bounded by timeoutMS (not the 10 s server selection); never throws. */
export async function probeDatabase(timeoutMs = 1000): Promise<boolean> {
  try {
    const client = mongoose.connection.getClient();
    await client.db('admin').command({ ping: 1 }, { timeoutMS: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the mongoose connection: down on 'disconnected', up on 'connected'/'reconnected'. While down it
 * pings twice a second, which also makes the driver re-check the server at once rather than at its next
 * heartbeat (10 s). Returns the function that stops watching (before the connection is closed on purpose).
 */
export function watchConnection(logger: Logger): () => void {
  const conn = mongoose.connection;
  let stopped = false;
  let probing = false;

  const onUp = () => {
    if (stopped || !databaseAvailability.isDown('connection')) return;
    logger.info({ downMs: Math.round(databaseAvailability.downForMs()) }, 'database connection restored');
    databaseAvailability.markUp('connection');
  };
  const probe = async () => {
    if (probing) return;
    probing = true;
    try {
      while (!stopped && databaseAvailability.isDown('connection')) {
        if ((await probeDatabase(1000)) && conn.readyState === mongoose.ConnectionStates.connected) onUp();
        else await sleep(500);
      }
    } finally {
      probing = false;
    }
  };
  const onDown = () => {
    if (stopped) return;
    if (!databaseAvailability.isDown('connection')) logger.warn('lost the database connection: answering 503 until it is back');
    databaseAvailability.markDown('connection');
    void probe();
  };

  conn.on('disconnected', onDown);
  conn.on('connected', onUp);
  conn.on('reconnected', onUp);
  if (conn.readyState !== mongoose.ConnectionStates.connected) onDown();
  return () => {
    stopped = true;
    conn.off('disconnected', onDown);
    conn.off('connected', onUp);
    conn.off('reconnected', onUp);
  };
}
