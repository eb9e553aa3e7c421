// The embedded engine after thousands of random writes ranks exactly as a fresh build of the same records,
// and gives the room of dead slots back (server/platform/search/embedded.ts). Seeded, so every run applies
// the same writes. Also: the same version again takes no slot, the query stamp counter wraps safely, and
// compaction keeps memory bounded even under a writer that never yields.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { SearchDoc } from '../../server/platform/search/port.ts';
import { churnQueries, comparable, randomDoc, seeded, type Rand } from './random-docs.ts';

const RECORDS = 300;

/** Applies random upserts (new versions), removals and comebacks; returns the live records by number. */
async function churn(index: EmbeddedSearch, rand: Rand, live: Map<number, SearchDoc>, versions: Map<number, number>, ops: number, yieldEvery: number): Promise<void> {
  for (let op = 0; op < ops; ) {
    const touched = new Set<number>();
    const size = 1 + Math.floor(rand() * 5);
    for (let k = 0; k < size; k++, op++) {
      const n = Math.floor(rand() * RECORDS);
      const version = (versions.get(n) ?? 0) + 1;
      versions.set(n, version);
      touched.add(n);
      if (rand() < 0.2) live.delete(n);
      else live.set(n, randomDoc(rand, n, version));
    }
    const gone = [...touched].filter((n) => !live.has(n));
    await index.remove(gone.map((n) => ({ kind: n % 2 ? 'demand' : 'result', id: `c${n}` })));
    await index.upsert([...touched].filter((n) => live.has(n)).map((n) => live.get(n)!));
    // Sometimes let the background compaction run in between, sometimes not: rankings must not care.
    if (yieldEvery && op % yieldEvery < size) await yieldToLoop();
  }
}

async function freshBuild(live: Map<number, SearchDoc>): Promise<EmbeddedSearch> {
  const fresh = new EmbeddedSearch();
  await fresh.upsert([...live.keys()].sort((a, b) => a - b).map((n) => live.get(n)!));
  return fresh;
}

async function expectSameAnswers(churned: EmbeddedSearch, fresh: EmbeddedSearch): Promise<void> {
  for (const query of churnQueries()) {
    const [a, b] = [comparable(await churned.search(query)), comparable(await fresh.search(query))];
    // Exact: the statistics are sums of multiples of ¼ (field weights), so no rounding separates them.
    expect({ query, ...a }).toEqual({ query, ...b });
  }
  expect(Object.fromEntries(await churned.versions())).toEqual(Object.fromEntries(await fresh.versions()));
  expect((await churned.health()).documents).toBe((await fresh.health()).documents);
}

describe('embedded engine under churn', () => {
  it('when thousands of random upserts and removals have been applied, then top-20 lists, scores, totals and facets equal a fresh build of the same records', async () => {
    const rand = seeded(20261205);
    const index = new EmbeddedSearch();
    const live = new Map<number, SearchDoc>();
    const versions = new Map<number, number>();
    await churn(index, rand, live, versions, RECORDS, 0); // the initial records
    for (const [ops, yieldEvery] of [
      [1500, 0], // no yield: compaction waits, dead slots pile up
      [1500, 25], // compaction runs in between
      [1500, 200],
    ] as const) {
      await churn(index, rand, live, versions, ops, yieldEvery);
      await expectSameAnswers(index, await freshBuild(live));
    }
    expect(index.stats().compaction.passes).toBeGreaterThan(0);
  }, 120_000);

  it('when compaction has caught up, then the index holds no more slots or terms than a fresh build of the same records needs', async () => {
    const rand = seeded(99);
    const index = new EmbeddedSearch();
    const live = new Map<number, SearchDoc>();
    const versions = new Map<number, number>();
    await churn(index, rand, live, versions, 4000, 50);
    await index.compact();
    const fresh = await freshBuild(live);
    const [a, b] = [index.stats(), fresh.stats()];
    expect(a.dead).toBe(0);
    expect(a.documents).toBe(b.documents);
    expect(a.terms).toBe(b.terms); // terms only dead slots held are gone
    // Dead slots were reused, not appended (appending would have taken some 3,500 slots): at most the
    // records plus the dead backlog compaction lets build up (64 slots at this size) and one pass's batch.
    expect(a.slots).toBeLessThanOrEqual(RECORDS + 2 * 64);
    await expectSameAnswers(index, fresh);
  }, 120_000);

  it('when a writer never yields, then dead slots stay bounded (writers wait for compaction) and compaction runs in slices', async () => {
    const index = new EmbeddedSearch();
    const rand = seeded(5);
    const docs = Array.from({ length: 2000 }, (_, n) => randomDoc(rand, n, 1));
    await index.upsert(docs);
    let most = 0;
    for (let v = 2; v <= 6; v++) {
      for (const d of docs) {
        await index.upsert([{ ...d, version: v }]);
        most = Math.max(most, index.stats().dead);
      }
    }
    expect(most).toBeLessThanOrEqual(4096 + 1);
    await index.compact();
    const stats = index.stats();
    expect(stats.slots).toBeLessThanOrEqual(2000 + 4097);
    // The work was cut into slices between other work. How long a slice takes is a timing goal, so it is
    // measured by `npm run bench -- churn`, not here.
    expect(stats.compaction.slices).toBeGreaterThan(1);
  }, 120_000);

  it('when the same version is upserted again, then no slot is taken and nothing changes', async () => {
    const index = new EmbeddedSearch();
    const d = randomDoc(seeded(1), 1, 3);
    await index.upsert([d]);
    const before = { stats: index.stats(), generation: index.generation };
    for (let i = 0; i < 100; i++) await index.upsert([{ ...d, title: '另一个标题' }]);
    expect(index.stats()).toEqual(before.stats);
    expect(index.generation).toBe(before.generation);
    expect((await index.search({ q: '另一个标题', page: 1, limit: 20 })).total).toBe(0);
  });

  it('when the query stamp counter reaches its limit, then it starts again and answers stay the same', async () => {
    const rand = seeded(3);
    const index = new EmbeddedSearch({ keepAnswers: false }); // every search evaluated, so every one takes stamps
    const live = new Map<number, SearchDoc>();
    await churn(index, rand, live, new Map(), 200, 0);
    const queries = churnQueries();
    const before = await Promise.all(queries.map(async (query) => comparable(await index.search(query))));
    // The counter is private; push it to just below the limit (2³¹ − 16) as 2³¹ query words would.
    const core = (index as unknown as { core: { stampNow: number } }).core;
    core.stampNow = 0x7fff_ffef;
    for (let round = 0; round < 3; round++) {
      const after = await Promise.all(queries.map(async (query) => comparable(await index.search(query))));
      expect(after).toEqual(before);
    }
    expect(core.stampNow).toBeLessThan(1000);
  });
});

describe('kept answers', () => {
  it('when a question is asked again, then the kept answer is given until any write, after which the answer is the fresh one', async () => {
    const index = new EmbeddedSearch();
    const fresh = new EmbeddedSearch({ keepAnswers: false });
    const rand = seeded(11);
    const docs = Array.from({ length: 300 }, (_, n) => randomDoc(rand, n, 1));
    await index.upsert(docs);
    await fresh.upsert(docs);
    const query = churnQueries()[0]!;
    const first = await index.search(query);
    expect(await index.search(query)).toBe(first); // the same object: kept
    expect(comparable(first)).toEqual(comparable(await fresh.search(query)));

    // a write that changes the answer: the top record gets a new version without the words it was found by
    const top = docs.find((d) => `${d.kind}:${d.id}` === `${first.items[0]!.kind}:${first.items[0]!.id}`)!;
    const changed = { ...top, version: 2, title: '无关标题', text: '无关内容', keywords: [], extra: '' };
    await index.upsert([changed]);
    await fresh.upsert([changed]);
    const after = await index.search(query);
    expect(after).not.toBe(first);
    expect(comparable(after)).toEqual(comparable(await fresh.search(query)));
    expect(after.items.map((h) => h.id)).not.toContain(top.id);
  });
});
