// Scheduling is "read everyone's bookings, then write": two organizers saving clashing events at the same
// moment would both pass the check. Every scheduling write therefore runs under one lease: in this process a
// queue, across processes a lease document taken by compare-and-set (single-document updates are atomic on
// MongoDB and, with writes serialized, on FerretDB). A lease expires, so a crashed holder blocks no one.
import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { trusted } from '../platform/db/connection.ts';
import { Unavailable } from '../platform/errors.ts';
import { clock } from '../platform/clock.ts';

const leaseSchema = new Schema({ _id: { type: String, required: true }, holder: { type: String }, expiresAt: { type: Date } }, { collection: 'schedule_leases', versionKey: false });
const Lease = mongoose.model('ScheduleLease', leaseSchema);

const LEASE_ID = 'schedule';
const LEASE_MS = 15_000;
const WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function acquire(holder: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const now = clock.now();
    const taken = await Lease.updateOne(
      { _id: LEASE_ID, $or: [{ holder: null }, { expiresAt: trusted({ $lt: now }) }] },
      { $set: { holder, expiresAt: new Date(now.getTime() + LEASE_MS) } },
    );
    if (taken.modifiedCount === 1) return;
    if (!(await Lease.exists({ _id: LEASE_ID }))) {
      try {
        await Lease.create({ _id: LEASE_ID, holder, expiresAt: new Date(now.getTime() + LEASE_MS) });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    if (performance.now() > deadline) throw new Unavailable('排期正忙，请稍后再试。');
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)));
  }
}

async function release(holder: string): Promise<void> {
  await Lease.updateOne({ _id: LEASE_ID, holder }, { $set: { holder: null, expiresAt: null } });
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs fn while holding the scheduling lease. */
export function withScheduleLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = async () => {
    const holder = randomUUID();
    await acquire(holder);
    try {
      return await fn();
    } finally {
      await release(holder);
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
