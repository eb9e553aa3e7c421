// Follow-up writes a response does not wait for (announcing matches to the parties of a new need): a failure is
// neither swallowed nor shown to a user whose own write succeeded. Each failure is logged on the request's logger
// (so with its request id) and the work is tried again after a growing pause; the last failure is an error.
// The work must be safe to repeat (announcements carry a key that makes a repeat a no-op).

export interface FollowUpLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Pauses before the 2nd, 3rd … attempt. */
export const FOLLOW_UP_RETRIES_MS = [1_000, 5_000, 30_000];

export function retryInBackground(what: string, work: () => Promise<unknown>, log: FollowUpLog | undefined, retries: readonly number[] = FOLLOW_UP_RETRIES_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const attempt = (n: number) => {
      work().then(
        () => resolve(true),
        (err: unknown) => {
          if (n >= retries.length) {
            log?.error({ err, attempts: n + 1 }, `${what} failed; gave up`);
            return resolve(false);
          }
          log?.warn({ err, attempt: n + 1, retryInMs: retries[n] }, `${what} failed; will retry`);
          setTimeout(() => attempt(n + 1), retries[n]).unref();
        },
      );
    };
    attempt(0);
  });
}
