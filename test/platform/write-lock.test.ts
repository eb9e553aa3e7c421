// Writes on the embedded FerretDB (server/platform/db/write-lock.ts): a compare-and-set update that names its
// document by `_id` and more is sent to the database by `_id` alone (FerretDB would read the whole collection for the compound
// filter) and decides the same as the database would.
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../../server/platform/db/connection.ts';
import { narrowById, writesSerialized } from '../../server/platform/db/write-lock.ts';
import { testDbName } from '../support/setup.ts';

let client: MongoClient;
const sent: CommandStartedEvent[] = [];

beforeAll(async () => {
  // A client of its own, watching its commands; the driver's write methods are the process's (serialized) ones.
  client = new MongoClient(withDatabase(inject('mongoUri'), testDbName), { monitorCommands: true });
  client.on('commandStarted', (e) => sent.push(e));
  await client.connect();
});
afterAll(async () => client?.close());

const col = () => client.db(testDbName).collection('cas_probe');
/** the filters of the update and delete commands fn sent */
async function filtersSent(fn: () => Promise<unknown>): Promise<unknown[]> {
  sent.length = 0;
  await fn();
  return sent.flatMap((e) => (e.commandName === 'update' ? e.command.updates.map((u: { q: unknown }) => u.q) : e.commandName === 'delete' ? e.command.deletes.map((d: { q: unknown }) => d.q) : []));
}

describe('compare-and-set by _id on the embedded database', () => {
  it('when an update names a document by _id and a condition, then the database is sent the _id alone and the condition decides', async () => {
    expect(writesSerialized()).toBe(true); // the test database is FerretDB
    const { insertedId: id } = await col().insertOne({ status: 'pending', rev: 1, at: new Date('2026-03-01T00:00:00Z'), owner: new ObjectId('0123456789abcdef01234567') });

    let res!: Awaited<ReturnType<ReturnType<typeof col>['updateOne']>>;
    expect(await filtersSent(async () => (res = await col().updateOne({ _id: id, status: 'pending', rev: 1 }, { $set: { status: 'taken' }, $inc: { rev: 1 } })))).toEqual([{ _id: id }]);
    expect(res).toMatchObject({ matchedCount: 1, modifiedCount: 1 });

    // the same compare-and-set again: the condition no longer holds, nothing is sent, nothing changes
    expect(await filtersSent(async () => (res = await col().updateOne({ _id: id, status: 'pending', rev: 1 }, { $set: { status: 'again' } })))).toEqual([]);
    expect(res).toMatchObject({ acknowledged: true, matchedCount: 0, modifiedCount: 0 });
    expect(await col().findOne({ _id: id })).toMatchObject({ status: 'taken', rev: 2 });
  });

  it('when the condition uses null, a date range, a dotted path or an ObjectId, then it decides as the database does', async () => {
    const owner = new ObjectId('0123456789abcdef01234567');
    const { insertedId: id } = await col().insertOne({ n: 0, at: new Date('2026-03-01T00:00:00Z'), search: { version: 3 }, owner, tags: ['a', 'b'] });
    const cases: [Record<string, unknown>, boolean][] = [
      [{ broker: null }, true], // missing counts as null
      [{ n: null }, false],
      [{ at: { $gt: new Date('2026-02-28T00:00:00Z') } }, true],
      [{ at: { $lte: new Date('2026-02-28T00:00:00Z') } }, false],
      [{ 'search.version': 3 }, true],
      [{ 'search.version': 4 }, false],
      [{ owner }, true],
      [{ owner: new ObjectId('0123456789abcdef01234599') }, false],
      [{ tags: 'b' }, true], // an array field matches any of its elements
      [{ $or: [{ n: 5 }, { 'search.version': 3 }] }, true],
    ];
    for (const [condition, matches] of cases) {
      // what the database itself says (a find with the whole filter is not narrowed)
      expect(await col().countDocuments({ _id: id, ...condition }), JSON.stringify(condition)).toBe(matches ? 1 : 0);
      const res = await col().updateOne({ _id: id, ...condition }, { $inc: { n: 0 } });
      expect(res.matchedCount, JSON.stringify(condition)).toBe(matches ? 1 : 0);
    }
  });

  it('when a delete names a document by _id and a condition, then the database judges the whole filter (a lease is freed so)', async () => {
    const { insertedId: id } = await col().insertOne({ holder: 'a' });
    expect(await filtersSent(async () => expect((await col().deleteOne({ _id: id, holder: 'b' })).deletedCount).toBe(0))).toEqual([{ _id: id, holder: 'b' }]);
    expect((await col().deleteOne({ _id: id, holder: 'a' })).deletedCount).toBe(1);
  });

  it('when ten compare-and-sets of one document race, then exactly one wins', async () => {
    const { insertedId: id } = await col().insertOne({ v: 0 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => col().updateOne({ _id: id, v: 0 }, { $set: { v: i + 1 } })));
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
  });

  it('when a write needs its whole filter (an upsert, a positional $, an _id operator), then it goes as it is', async () => {
    const id = new ObjectId();
    expect(await filtersSent(() => col().updateOne({ _id: id, kind: 'x' }, { $set: { v: 1 } }, { upsert: true }))).toEqual([{ _id: id, kind: 'x' }]);
    expect(await col().findOne({ _id: id })).toMatchObject({ kind: 'x', v: 1 }); // the upsert took the filter's field
    // FerretDB 1.24 has no positional operator; on MongoDB it needs the array's condition in the filter
    expect(narrowById({ _id: id, 'slots.k': 2 }, { $set: { 'slots.$.r': 9 } })).toBeUndefined();
    expect(narrowById({ _id: id, 'slots.k': 2 }, { $set: { 'slots.$[s].r': 9 } })).toBeUndefined();
    expect(narrowById({ _id: id, 'slots.k': 2 }, { $set: { 'slots.1.r': 9 } })).toBeDefined();
    expect(narrowById({ _id: { $in: [id] }, kind: 'x' })).toBeUndefined();
    expect(narrowById({ _id: id })).toBeUndefined(); // nothing to narrow
  });
});
