// The embedded database looks records up by _id through an index (server/platform/db/launcher/idindex.go):
// FerretDB 1.24 pushes an _id filter down to SQLite under an expression its own _id_ index does not cover, so
// without the launcher's extra index every record page scanned its whole table.
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isFerretDB } from '../../server/platform/db/connection.ts';
import { randomBytes } from 'node:crypto';

/**
 * SQLite's plan for a find by _id, as FerretDB's explain reports it. An EXPLAIN does not check whether the
 * schema changed since its connection last read it (a real query does, and re-plans): the find first.
 */
async function planOf(collection: string, id: mongoose.Types.ObjectId): Promise<string> {
  await mongoose.connection.db!.collection(collection).findOne({ _id: id });
  const explained = await mongoose.connection.db!.collection(collection).find({ _id: id }).explain();
  return ((explained.queryPlanner as { Plan?: string[] }).Plan ?? []).join(' | ');
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('lookups by _id on the embedded database', () => {
  it('when a collection is created while the database runs, then within seconds a find by _id searches an index instead of scanning, and FerretDB lists only its own indexes', async (ctx) => {
    if (!(await isFerretDB())) ctx.skip(); // MongoDB has its own _id index; this is about FerretDB on SQLite
    const name = `lookups_${randomBytes(4).toString('hex')}`;
    const coll = mongoose.connection.db!.collection(name);
    const docs = Array.from({ length: 300 }, (_, i) => ({ _id: new mongoose.Types.ObjectId(), n: i, title: `记录${i}` }));
    await coll.insertMany(docs);
    const last = docs.at(-1)!._id;

    await eventually('the _id lookup index', async () => /USING INDEX \S+_id~lookup/.test(await planOf(name, last)));
    expect(await planOf(name, last)).not.toMatch(/\bSCAN\b/);
    expect(await coll.findOne({ _id: last })).toMatchObject({ n: 299, title: '记录299' });
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_']);

    // Dropped and made again under the same name: indexed again.
    await coll.drop();
    await coll.insertOne({ _id: last, n: 1 });
    await eventually('the index on the new table', async () => /USING INDEX/.test(await planOf(name, last)));
    expect(await coll.findOne({ _id: last })).toMatchObject({ n: 1 });
  }, 40_000);
});
