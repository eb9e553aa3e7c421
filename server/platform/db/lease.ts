// A lease is how instances sharing one database take turns at something that must not run twice at once
// (scheduling writes, rebuilding the target tallies). It is one document per name, taken by compare-and-set
// (single-document updates are atomic on MongoDB and, with writes serialized, on FerretDB). A lease expires, so a
// crashed holder blocks no one for long; a holder that works longer than the lease renews it while it works.
import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { trusted } from './connection.ts';
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
    const taken = await Lease.updateOne(
      { _id: name, $or: [{ holder: null }, { expiresAt: trusted({ $lt: now }) }] },
      { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
    );
    if (taken.modifiedCount === 1) return;
    if (!(await Lease.exists({ _id: name }))) {
      try {
        await Lease.create({ _id: name, holder, expiresAt: new Date(now.getTime() + ttlMs) });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    if (performance.now() > deadline) throw busy();
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)));
  }
}

/** Runs fn while this process holds the lease `name`, waiting for other holders first. */
export async function withLease<T>(name: string, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const holder = randomUUID();
  await acquire(name, holder, options);
  const renew = setInterval(() => {
    Lease.updateOne({ _id: name, holder }, { $set: { expiresAt: new Date(clock.ms() + options.ttlMs) } }).catch(() => {});
  }, options.ttlMs / 3);
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await Lease.updateOne({ _id: name, holder }, { $set: { holder: null, expiresAt: null } });
  }
}
