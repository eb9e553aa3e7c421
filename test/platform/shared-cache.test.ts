// server/platform/db/shared-cache.ts: a process that announces a topic drops its caches of it, and reading its own
// stamp back later drops nothing more; a stamp written by another instance drops them at the next read.
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { SharedCache, STAMPS_COLLECTION, announce, pollNow } from '../../server/platform/db/shared-cache.ts';

describe('shared caches', () => {
  it("when this process announces a topic, then its caches are dropped at once and not again by its own stamp; another instance's stamp drops them", async () => {
    const cache = new SharedCache<number>(['notices', 'queues'], 10);
    let loads = 0;
    const read = () => cache.get('k', async () => ++loads);
    await pollNow();
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);

    await announce('notices');
    expect(await read()).toBe(2);
    await pollNow(); // our own stamp, read back
    expect(await read()).toBe(2);

    // another instance's write to the other topic of this cache
    await mongoose.connection.collection(STAMPS_COLLECTION).updateOne({ _id: 'stamps' as never }, { $set: { queues: 'another-instance' } }, { upsert: true });
    expect(await read()).toBe(2); // not yet read
    await pollNow();
    expect(await read()).toBe(3);
    await pollNow(); // the same stamp again: nothing new
    expect(await read()).toBe(3);
  });

  it('when views ask for a key together, then they share one load; a view after a drop does not share a load begun before it', async () => {
    const cache = new SharedCache<number>(['notices'], 10);
    let loads = 0;
    const waiting: (() => void)[] = [];
    const slow = () => new Promise<number>((resolve) => waiting.push(() => resolve(++loads)));
    const release = () => waiting.splice(0).forEach((go) => go());
    await pollNow();
    const together = [cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)];
    release();
    expect(await Promise.all(together)).toEqual([1, 1, 1]);
    expect(loads).toBe(1);

    await announce('notices');
    const before = cache.get('k', slow);
    await announce('notices'); // a write while the load is under way: the next view must not take its answer
    const after = cache.get('k', slow);
    release();
    expect(await before).toBe(2);
    expect(await after).toBe(3);
  });
});
