// docs/security.md 20, under a stream of writes: the search engine stops partway through a run of creates, edits
// and deletes through the API and comes back later. Every write is answered with success while it is down,
// and afterwards the index converges, on its own (no restart, no forced pass), to exactly what the database
// holds: every live record at its current version, edits reflected, deletions gone, nothing extra.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { owner } from '../support/directory.ts';
import { SwitchableSearch } from '../support/outage.ts';
import { keyOf } from '../../server/platform/search/port.ts';
import { searchSources } from '../../server/search/sources.ts';

const engine = new SwitchableSearch();
const { app } = buildTestApp({ search: engine });

const STREAMS = 4;
const PER_STREAM = 30; // 120 records in all
const DOWN_AT = 60; // completed writes when the engine stops …
const UP_AT = 150; // … and when it comes back

type Kind = 'demand' | 'result';
interface Tracked {
  kind: Kind;
  n: number;
  id: string;
  title: string;
  deleted: boolean;
}
interface Answer {
  op: string;
  status: number;
  duringOutage: boolean;
}

const MARKER = '流式写入';
const titleOf = (kind: Kind, n: number, edits = 0) => `${MARKER}${kind === 'demand' ? '需求' : '成果'}第${n}号${edits ? ` 修订${edits}次` : ''}`;

async function waitFor(what: string, check: () => Promise<string | undefined>, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  let last: string | undefined;
  while ((last = await check()) !== undefined) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every record of every searchable collection that is not deleted → its current version. */
async function databaseState(): Promise<Map<string, number>> {
  const state = new Map<string, number>();
  for (const source of searchSources) {
    const docs = await source.model.find({}).select('_id deletedAt search').lean<{ _id: unknown; deletedAt?: Date | null; search?: { version?: number } }[]>();
    for (const d of docs) if (!d.deletedAt) state.set(keyOf({ kind: source.kind, id: String(d._id) }), d.search?.version ?? 0);
  }
  return state;
}

/** Undefined when the index holds exactly the database's live records at their versions; else the first differences. */
async function drift(): Promise<string | undefined> {
  const [db, index] = [await databaseState(), await engine.inner.versions()];
  const problems: string[] = [];
  for (const [key, version] of db) if (index.get(key) !== version) problems.push(`${key}: database v${version}, index ${index.has(key) ? `v${index.get(key)}` : 'missing'}`);
  for (const key of index.keys()) if (!db.has(key)) problems.push(`${key}: in the index, not live in the database`);
  return problems.length ? `${problems.length} differences, e.g. ${problems.slice(0, 5).join('; ')}` : undefined;
}

async function dirtyMarks(): Promise<string | undefined> {
  let count = 0;
  for (const source of searchSources) count += await source.model.countDocuments({ 'search.dirty': true });
  return count ? `${count} records still marked dirty` : undefined;
}

describe('search engine outage under a stream of writes', () => {
  it('when the engine stops mid-run and comes back, then every write succeeds and the index ends exactly at the database state', async () => {
    const enterprise = await owner('enterprise');
    const institution = await owner('institution');
    const authOf = (kind: Kind) => (kind === 'demand' ? enterprise.auth : institution.auth);
    const pathOf = (kind: Kind) => (kind === 'demand' ? '/api/v1/demands' : '/api/v1/results');
    const bodyOf = (kind: Kind, n: number) =>
      kind === 'demand'
        ? { title: titleOf(kind, n), description: '东宝区企业在搜索引擎停机演练期间连续发布的技术需求，用于验证索引追平。', industry: 'chemicals', keywords: ['磷石膏', '停机演练'] }
        : { title: titleOf(kind, n), abstract: '高校院所在搜索引擎停机演练期间连续发布的科技成果，用于验证索引追平。', industry: 'chemicals', keywords: ['磷石膏', '停机演练'], maturity: 'pilot' };

    const answers: Answer[] = [];
    const records: Tracked[] = [];
    let completed = 0;
    const send = async (op: string, req: request.Test): Promise<request.Response> => {
      const duringOutage = engine.down;
      const res = await req;
      answers.push({ op, status: res.status, duringOutage: duringOutage && engine.down });
      completed++;
      if (completed === DOWN_AT) engine.down = true;
      if (completed === UP_AT) engine.down = false;
      return res;
    };

    // Concurrent streams, each creating its own records and editing and deleting some of them.
    const stream = async (s: number) => {
      const mine: Tracked[] = [];
      const edits = new Map<Tracked, number>();
      const edit = async (r: Tracked | undefined) => {
        if (!r || r.deleted) return;
        const count = (edits.get(r) ?? 0) + 1;
        const title = titleOf(r.kind, r.n, count);
        const res = await send('edit', request(app).patch(`${pathOf(r.kind)}/${r.id}`).set(authOf(r.kind)).send({ title }));
        if (res.status === 200) {
          edits.set(r, count);
          r.title = title;
        }
      };
      for (let i = 0; i < PER_STREAM; i++) {
        const n = i * STREAMS + s;
        const kind: Kind = n % 2 ? 'result' : 'demand';
        const res = await send('create', request(app).post(pathOf(kind)).set(authOf(kind)).send(bodyOf(kind, n)));
        if (res.status === 201) {
          const r: Tracked = { kind, n, id: res.body.id, title: titleOf(kind, n), deleted: false };
          mine.push(r);
          records.push(r);
        }
        if (i % 3 === 2) await edit(mine.at(-2));
        if (i % 5 === 4) await edit(mine.at(-5)); // some records are edited twice
        if (i % 4 === 3) {
          const victim = mine.at(-4)!;
          const del = await send('delete', request(app).delete(`${pathOf(victim.kind)}/${victim.id}`).set(authOf(victim.kind)));
          if (del.status === 204) victim.deleted = true;
        }
      }
    };
    await Promise.all(Array.from({ length: STREAMS }, (_, s) => stream(s)));

    // Every write succeeded, and the outage really fell in the middle of creates, edits and deletes.
    expect(answers.filter((a) => ![200, 201, 204].includes(a.status))).toEqual([]);
    expect(records).toHaveLength(STREAMS * PER_STREAM);
    const during = answers.filter((a) => a.duringOutage);
    for (const op of ['create', 'edit', 'delete']) expect(during.filter((a) => a.op === op).length, `${op}s during the outage`).toBeGreaterThanOrEqual(5);
    expect(engine.failedCalls).toBeGreaterThan(0);
    expect(engine.down).toBe(false);

    // The index catches up by itself: exactly the database's live records, at their versions …
    await waitFor('the index to match the database', drift);
    await waitFor('the dirty marks to be cleared', dirtyMarks);
    // … and so does what a user finds: each live record under its latest title, no deleted one.
    const found = new Map<string, string>();
    for (let page = 1; page <= 3; page++) {
      const res = await request(app).get('/api/v1/search').set(enterprise.auth).query({ q: MARKER, limit: '100', page: String(page) }).expect(200);
      for (const item of res.body.items as { id: string; title: string }[]) found.set(item.id, item.title);
    }
    const live = records.filter((r) => !r.deleted);
    expect(live.length).toBeGreaterThan(80);
    expect(records.some((r) => r.deleted)).toBe(true);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(live.map((r) => [r.id, r.title])));
  }, 120_000);
});
