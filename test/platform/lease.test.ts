// server/platform/db/lease.ts: one holder at a time, a holder working past the lease's time keeps it, a crashed
// holder's lease lapses, and a waiter gives up with the caller's error.
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { withLease } from '../../server/platform/db/lease.ts';
import { clock } from '../../server/platform/clock.ts';
import { exclusive } from '../../server/platform/db/write-lock.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const options = { ttlMs: 300, waitMs: 10_000, busy: () => new Error('busy') };

describe('leases', () => {
  it('when two holders want one lease and the first works three times longer than the lease lasts, then the second starts only after the first ends', async () => {
    const events: string[] = [];
    const work = (who: string) => async () => {
      events.push(`${who} starts`);
      await sleep(1_000); // renewed every 100 ms meanwhile
      events.push(`${who} ends`);
    };
    const first = withLease('test-renewal', options, work('first'));
    await sleep(50);
    await Promise.all([first, withLease('test-renewal', options, work('second'))]);
    expect(events).toEqual(['first starts', 'first ends', 'second starts', 'second ends']);
  });

  it("when a holder crashed and left its lease behind, then the lease is taken once its time is up, and a waiter that cannot wait gives up with the caller's error", async () => {
    const leases = mongoose.connection.collection('leases');
    await leases.updateOne({ _id: 'test-crashed' as never }, { $set: { holder: 'gone', expiresAt: new Date(clock.ms() - 1) } }, { upsert: true });
    await expect(withLease('test-crashed', options, async () => 'taken')).resolves.toBe('taken');

    await leases.updateOne({ _id: 'test-busy' as never }, { $set: { holder: 'alive', expiresAt: new Date(clock.ms() + 60_000) } }, { upsert: true });
    await expect(withLease('test-busy', { ...options, waitMs: 300 }, async () => 'taken')).rejects.toThrow('busy');
  });

  it("when the work under a lease holds this process's writes (a tally rebuild does), then the lease is still renewed", async () => {
    const leases = mongoose.connection.collection('leases');
    const expiry = async () => ((await leases.findOne({ _id: 'test-held-writes' as never })) as { expiresAt?: Date } | null)?.expiresAt?.getTime() ?? 0;
    let renewed = false;
    await withLease('test-held-writes', options, () =>
      exclusive(async () => {
        await sleep(900); // three lease times
        renewed = (await expiry()) > clock.ms();
      }),
    );
    expect(renewed).toBe(true);
  });
});
