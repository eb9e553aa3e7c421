// Two app processes on one database, each with its own embedded search index (docs/design.md "How data flows" 3):
// what one writes, the other finds within seconds — through the change log, not the hourly reconciliation (the
// writer clears the dirty marks itself, so no dirty scan could tell the other).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../support/child-db.ts';
import { owner } from '../support/directory.ts';
import { startServer, type ServerProcess } from '../support/process.ts';
import { Demand, type DemandDoc } from '../../server/demands/model.ts';

const dirs: string[] = [];
let a: ServerProcess;
let b: ServerProcess;

async function start(): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-instance-'));
  dirs.push(dataDir);
  return startServer({
    MONGODB_URI: cliEnv().MONGODB_URI!,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'instances-test-secret-instances-test-secret',
    SEED_ON_EMPTY: 'false',
    LOG_LEVEL: 'warn',
  });
}

beforeAll(async () => {
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  for (const s of [a, b]) {
    if (!s || s.child.exitCode !== null) continue;
    s.child.kill('SIGTERM');
    await s.exited;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ids = async (server: ServerProcess, q: string): Promise<string[]> => {
  const res = await fetch(`${server.url}/api/v1/search?${new URLSearchParams({ q })}`);
  const body = (await res.json()) as { items?: { id: string }[] };
  return body.items?.map((i) => i.id) ?? [];
};

/** How long until `check` holds (polled every 50 ms), failing after 10 s. */
async function within(check: () => Promise<boolean>, ms = 10_000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not converged within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

const api = async (server: ServerProcess, method: string, url: string, auth: Record<string, string>, body?: unknown) => {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
};

describe('two app instances on one database', () => {
  it('when one instance creates, edits and deletes a need, then the other finds each change within seconds', async () => {
    const ent = await owner('enterprise');
    const created = await api(a, 'POST', '/api/v1/demands', ent.auth, {
      title: '双实例同步测试：香菇烘干余热回收需求',
      description: '第一个实例发布的需求，第二个实例的搜索必须在几秒内找到它，而不是等到下一次对账。',
      industry: 'agriculture',
      keywords: ['香菇烘干', '余热回收'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body!.id);

    const seenOnA = await within(async () => (await ids(a, '香菇烘干')).includes(id));
    const seenOnB = await within(async () => (await ids(b, '香菇烘干')).includes(id));
    // The writer indexed it and cleared the mark: the other instance learnt of it from the change log.
    await within(async () => (await Demand.findById(id).lean<DemandDoc>())?.search?.dirty === false);

    const edited = await api(b, 'PATCH', `/api/v1/demands/${id}`, ent.auth, { title: '双实例同步测试：磷石膏制砖需求（已修改）', keywords: ['磷石膏制砖'] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const editOnA = await within(async () => (await ids(a, '磷石膏制砖')).includes(id) && !(await ids(a, '香菇烘干')).includes(id));

    const removed = await api(a, 'DELETE', `/api/v1/demands/${id}`, ent.auth);
    expect([200, 204]).toContain(removed.status);
    const deleteOnB = await within(async () => !(await ids(b, '磷石膏制砖')).includes(id));

    console.warn(`convergence (ms): create A→A ${seenOnA.toFixed(0)}, A→B ${seenOnB.toFixed(0)}; edit B→A ${editOnA.toFixed(0)}; delete A→B ${deleteOnB.toFixed(0)}`);
    for (const ms of [seenOnB, editOnA, deleteOnB]) expect(ms).toBeLessThan(5_000);
  }, 60_000);

  it('when both instances write at once, then each ends with every record of both', async () => {
    const ent = await owner('enterprise');
    const writes = Array.from({ length: 12 }, (_, i) =>
      api(i % 2 ? a : b, 'POST', '/api/v1/demands', ent.auth, {
        title: `并发写入测试需求${i}：废旧锂电池回收`,
        description: '两个实例同时写入，每个实例最终都要能搜到全部记录。',
        industry: 'energy',
        keywords: ['锂电池回收'],
      }),
    );
    const made = (await Promise.all(writes)).map((r) => String(r.body!.id));
    for (const server of [a, b]) {
      await within(async () => {
        const found = await fetch(`${server.url}/api/v1/search?${new URLSearchParams({ q: '并发写入测试需求', limit: '50' })}`).then(
          (r) => r.json() as Promise<{ items: { id: string }[] }>,
        );
        return made.every((id) => found.items.some((i) => i.id === id));
      });
    }
    // The log is read by _id: numbers are dense and unique however the two instances interleaved.
    const log = await mongoose.connection.collection('search_changes').find({}).project({ _id: 1 }).toArray();
    expect(new Set(log.map((e) => e._id)).size).toBe(log.length);
  }, 60_000);
});
