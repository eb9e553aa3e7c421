// A lease is how instances sharing one database take turns at something that must not run twice at once
// (scheduling writes, rebuilding the target tallies). It is one document per name, and taking it is inserting
// that document: a duplicate `_id` is refused atomically on MongoDB and on FerretDB alike, whereas a conditional
// update is not atomic across processes on FerretDB (docs/decisions/ferretdb-write-lock-and-id-lookups.md). A
// lease expires, so a crashed holder blocks no one for long; a holder that works longer than the lease renews it
// while it works. Taking over an expired lease deletes it first: two waiters doing that at the same moment could
// both end up holding it, which needs a holder to have died or stalled past its lease.
import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { trusted } from './connection.ts';
import { outsideWriteQueue } from './write-lock.ts';
import { clock } from '../clock.ts';

const leaseSchema = new Schema({ _id: { type: String, required: true }, holder: { type: String }, expiresAt: { type: Date } }, { collection: 'leases', versionKey: false });
const Lease = mongoose.model('Lease', leaseSchema);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LeaseOptions {
  /** How long the lease lasts without renewal; renewed every third of it while fn runs. */
  ttlMs: number;
  /** How long to wait for another holder before giving up. */
  waitMs: number;
  /** What to throw when waitMs has passed. */
  busy: () => Error;
}

async function acquire(name: string, holder: string, { ttlMs, waitMs, busy }: LeaseOptions): Promise<void> {
  const deadline = performance.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const now = clock.now();
    try {
      await Lease.create({ _id: name, holder, expiresAt: new Date(now.getTime() + ttlMs) });
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    await Lease.deleteOne({ _id: name, expiresAt: trusted({ $lt: now }) }); // its holder died or stalled
    if (performance.now() > deadline) throw busy();
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)));
  }
}

/** Runs fn while this process holds the lease `name`, waiting for other holders first. */
export async function withLease<T>(name: string, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const holder = randomUUID();
  await acquire(name, holder, options);
  const renew = setInterval(() => {
    // Not queued behind this process's writes: the work under the lease may hold them (a tally rebuild does).
    outsideWriteQueue(() => Lease.updateOne({ _id: name, holder }, { $set: { expiresAt: new Date(clock.ms() + options.ttlMs) } })).catch(() => {});
  }, options.ttlMs / 3);
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await Lease.deleteOne({ _id: name, holder });
  }
}
