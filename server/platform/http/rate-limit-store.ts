// Fixed-window counters in the database, so limits hold across app instances and restarts. Implements the
// express-rate-limit Store interface, and offers the same counters to domain throttles (accounts/throttle.ts).
// Each step is a single-document atomic update; no transactions.
import mongoose, { Schema } from 'mongoose';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { trusted } from '../db/connection.ts';
import { clock, onWallClock } from '../clock.ts';

interface CounterDoc {
  _id: string;
  hits: number;
  resetAt: Date;
}

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, hits: { type: Number, required: true }, resetAt: { type: Date, required: true } },
  { versionKey: false, collection: 'counters' },
);
counterSchema.index({ resetAt: 1 });
export const Counter = mongoose.model<CounterDoc>('Counter', counterSchema);

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

/** Adds one hit to the key's current window (starting a new window when the old one is over). */
export async function hit(key: string, windowMs: number, by = 1): Promise<{ hits: number; resetAt: Date }> {
  const now = clock.now();
  const fresh = new Date(now.getTime() + windowMs);
  await Counter.updateOne({ _id: key, resetAt: trusted({ $lte: now }) }, { $set: { hits: 0, resetAt: fresh } });
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await Counter.findOneAndUpdate(
        { _id: key },
        { $inc: { hits: by }, $setOnInsert: { resetAt: fresh } },
        { upsert: true, returnDocument: 'after' },
      ).lean<CounterDoc>();
      return { hits: doc!.hits, resetAt: doc!.resetAt };
    } catch (err) {
      if (!isDuplicateKey(err) || attempt > 2) throw err; // two first hits raced on the upsert
    }
  }
}

export async function peek(key: string): Promise<{ hits: number; resetAt: Date } | undefined> {
  const doc = await Counter.findById(key).lean<CounterDoc>();
  if (!doc || doc.resetAt <= clock.now()) return undefined;
  return { hits: doc.hits, resetAt: doc.resetAt };
}

export async function reset(key: string): Promise<void> {
  await Counter.deleteOne({ _id: key });
}

/** Housekeeping: drops windows that ended more than a day ago. */
export async function purgeExpiredCounters(): Promise<number> {
  const res = await Counter.deleteMany({ resetAt: trusted({ $lt: new Date(clock.ms() - 86_400_000) }) });
  return res.deletedCount;
}

export class DatabaseRateLimitStore implements Store {
  windowMs = 60_000;
  readonly localKeys = false;
  constructor(readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const doc = await peek(this.prefix + key);
    return doc && { totalHits: doc.hits, resetTime: onWallClock(doc.resetAt) };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { hits, resetAt } = await hit(this.prefix + key, this.windowMs);
    // express-rate-limit compares the window's end with its own Date.now() (to skip undoing a hit whose
    // window is over), so it gets that end on the wall clock.
    return { totalHits: hits, resetTime: onWallClock(resetAt) };
  }

  async decrement(key: string): Promise<void> {
    await Counter.updateOne({ _id: this.prefix + key, hits: trusted({ $gt: 0 }) }, { $inc: { hits: -1 } });
  }

  async resetKey(key: string): Promise<void> {
    await reset(this.prefix + key);
  }
}
