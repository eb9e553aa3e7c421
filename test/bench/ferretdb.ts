// npm run bench -- ferretdb: the two properties of the embedded FerretDB 1.24 the code is built around
// (docs/decisions/ferretdb-write-lock-and-id-lookups.md), on a throwaway database with one collection of
// 20,000 need-sized documents:
//   - how long the launcher takes to start (once built: npm run build:db);
//   - lookups: p50 of a find by `_id` (pushed down to SQLite, answered from the launcher's index,
//     server/platform/db/launcher/idindex.go) against a find on another field (read by scanning the collection —
//     what every `_id` lookup cost before that index);
//   - how many finds by `_id` it answers with 50 at a time, and its CPU time per find: what a page that reads one
//     record (a signed-in page reads its session) costs the machine at least (the HTTP bench's floor);
//   - lost updates: rounds of ten concurrent `$inc` on one document, first without and then with the
//     process's write lock (server/platform/db/write-lock.ts), counting the increments that vanished.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { startEmbedded } from '../../server/platform/db/embedded.ts';
import { serializeWrites } from '../../server/platform/db/write-lock.ts';
import { logger, ms, percentile, table, type BenchReport } from './support.ts';

const DOCS = 20_000;
const ROUNDS = 20;
const RACERS = 10;

export async function benchFerretdb(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferretdb-bench-'));
  const startedAt = performance.now();
  const db = await startEmbedded({ dataDir: dir, logger });
  const startMs = performance.now() - startedAt;
  const client = await MongoClient.connect(db.uri);
  const rows: (string | number)[][] = [];
  const summary: BenchReport['summary'] = [];
  try {
    const coll = client.db('bench').collection<{ _id: ObjectId; n: number; title: string; text: string }>('needs');
    const ids: ObjectId[] = [];
    for (let i = 0; i < DOCS; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => ({ _id: new ObjectId(), n: i + k, title: `磷石膏净化工艺改进（${i + k}）`, text: '现有磷石膏净化工艺可溶磷去除率偏低，希望引进水洗与浮选联合净化技术。'.repeat(4) }));
      await coll.insertMany(batch);
      ids.push(...batch.map((d) => d._id));
    }
    await new Promise((r) => setTimeout(r, 3000)); // the launcher indexes new collections every 2 s

    const time = async (n: number, fn: (i: number) => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fn(i);
        out.push(performance.now() - t);
      }
      return out;
    };
    const byId = await time(300, (i) => coll.findOne({ _id: ids[(i * 7919) % DOCS]! }));
    const byField = await time(15, (i) => coll.findOne({ n: (i * 7919) % DOCS }));
    const byIdAndField = await time(15, (i) => coll.findOne({ _id: ids[(i * 7919) % DOCS]!, n: (i * 7919) % DOCS }));
    // The most a page that reads one record (a signed-in page: its session) can get from the database: 50 finds by
    // _id at a time for 5 s, and the launcher's CPU time per find (its utime + stime from /proc, Linux only).
    const cpuSeconds = () => {
      try {
        const fields = readFileSync(`/proc/${db.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
      } catch {
        return Number.NaN;
      }
    };
    let finds = 0;
    const cpuBefore = cpuSeconds();
    const loadStarted = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async (_, c) => {
        for (let i = c; performance.now() - loadStarted < 5_000; i += 50) {
          await coll.findOne({ _id: ids[(i * 7919) % DOCS]! });
          finds++;
        }
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const cpuPerFind = ((cpuSeconds() - cpuBefore) * 1000) / finds;
    rows.push(['start the launcher on an empty directory (already built)', ms(startMs), '', 'until it answers']);
    rows.push(['find by _id', ms(percentile(byId, 0.5)), ms(percentile(byId, 0.95)), 'pushed down, launcher index']);
    rows.push(['find by _id, 50 at a time for 5 s', '', '', `${Math.round(finds / loadSeconds).toLocaleString('en')} finds/s; the launcher's CPU time ${ms(cpuPerFind)} ms per find`]);
    rows.push(['find by another field', ms(percentile(byField, 0.5)), ms(percentile(byField, 0.95)), 'scans the collection']);
    rows.push(['find by _id and another field', ms(percentile(byIdAndField, 0.5)), ms(percentile(byIdAndField, 0.95)), 'scans too (only _id alone is pushed down)']);

    const race = async () => {
      const id = new ObjectId();
      await coll.insertOne({ _id: id, n: 0, title: 'race', text: '' });
      for (let r = 0; r < ROUNDS; r++) await Promise.all(Array.from({ length: RACERS }, () => coll.updateOne({ _id: id }, { $inc: { n: 1 } })));
      return ROUNDS * RACERS - (await coll.findOne({ _id: id }))!.n;
    };
    // A compare-and-set (`_id` and a field's expected value) as the database runs it, then as the write lock
    // sends it (read by _id, condition tested in process, write by _id: server/platform/db/write-lock.ts).
    const casOf = (i: number) => coll.updateOne({ _id: ids[(i * 7919) % DOCS]!, n: (i * 7919) % DOCS }, { $set: { title: `磷石膏净化工艺改进（${i}）` } });
    const casWide = await time(15, casOf);
    const lostWithout = await race();
    serializeWrites();
    const lostWith = await race();
    const casNarrow = await time(300, casOf);
    rows.push(['compare-and-set by _id and another field, as sent', ms(percentile(casWide, 0.5)), ms(percentile(casWide, 0.95)), 'scans (the whole filter goes to FerretDB)']);
    rows.push(['the same under the write lock', ms(percentile(casNarrow, 0.5)), ms(percentile(casNarrow, 0.95)), 'read and written by _id, the condition tested in process']);
    rows.push([`${ROUNDS} × ${RACERS} concurrent $inc, no write lock`, '', '', `${lostWithout} of ${ROUNDS * RACERS} increments lost`]);
    rows.push([`${ROUNDS} × ${RACERS} concurrent $inc, write lock`, '', '', `${lostWith} of ${ROUNDS * RACERS} increments lost`]);
    summary.push(['ferretdb', `${DOCS.toLocaleString('en')} documents`, `find p50: by _id ${ms(percentile(byId, 0.5))} ms (50 at a time: ${Math.round(finds / loadSeconds).toLocaleString('en')}/s, ${ms(cpuPerFind)} ms of the launcher's CPU each), by another field ${ms(percentile(byField, 0.5))} ms · compare-and-set ${ms(percentile(casWide, 0.5))} → ${ms(percentile(casNarrow, 0.5))} ms under the lock · lost $inc: ${lostWithout} without the lock, ${lostWith} with it`]);
  } finally {
    await client.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { detail: table(`Embedded FerretDB 1.24: ${DOCS.toLocaleString('en')} documents in one collection`, ['operation', 'p50 ms', 'p95 ms', 'note'], rows), summary };
}
