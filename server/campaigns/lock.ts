// Scheduling is "read everyone's bookings, then write": two organizers saving clashing events at the same
// moment would both pass the check. Every scheduling write therefore runs under one lease: in this process a
// queue, across processes the 'schedule' lease (platform/db/lease.ts).
import { Unavailable } from '../platform/errors.ts';
import { withLease } from '../platform/db/lease.ts';

const options = { ttlMs: 15_000, waitMs: 10_000, busy: () => new Unavailable('排期正忙，请稍后再试。') };

let queue: Promise<unknown> = Promise.resolve();

/** Runs fn while holding the scheduling lease. */
export function withScheduleLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = () => withLease('schedule', options, fn);
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
