// docs/security.md 20–21: the index never loses a write. Writes succeed while the engine is down and appear once
// it is back; records deleted behind the app's back leave the index; a rebuild swaps in while searches answer;
// a mark is cleared only for the version that was indexed; writes of other processes are picked up.
import { spawn } from 'node:child_process';
import mongoose from 'mongoose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { demandOf, owner } from '../support/directory.ts';
import { SwitchableSearch } from '../support/outage.ts';
import { repoRoot } from '../support/process.ts';
import { cliEnv } from '../support/child-db.ts';
import { Demand, type DemandDoc } from '../../server/demands/model.ts';
import { clearMark } from '../../server/platform/search/sync.ts';

const engine = new SwitchableSearch();
const { app, settle, sync } = buildTestApp({ search: engine });

const found = async (q: string) => (await request(app).get('/api/v1/search').query({ q })).body.items?.map((i: { id: string }) => i.id) ?? [];
const waitFor = async (check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('search sync', () => {
  it('when the engine is down, then writes still succeed, and the index catches up once it is back, without a restart', async () => {
    const ent = await owner('enterprise');
    await settle();
    engine.down = true;
    const res = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ title: '停机期间发布的磷石膏需求', description: '这条需求在搜索引擎停机时发布，数据库写入必须成功，恢复后要能搜到。', industry: 'chemicals', keywords: ['停机', '磷石膏'] });
    expect(res.status).toBe(201);
    expect(await Demand.findById(res.body.id).lean<DemandDoc>()).toMatchObject({ title: '停机期间发布的磷石膏需求' });
    // Search itself is unavailable meanwhile, and readiness says so.
    expect((await request(app).get('/api/v1/search').query({ q: '停机' })).status).toBe(500);
    await waitFor(async () => engine.failedCalls > 0 && !!sync.lastError);
    expect((await Demand.findById(res.body.id).lean<DemandDoc>())?.search?.dirty).toBe(true); // the mark waits

    engine.down = false;
    await waitFor(async () => (await found('停机')).includes(res.body.id)); // the retry, on its own
    await waitFor(async () => !(await Demand.findById(res.body.id).lean<DemandDoc>())?.search?.dirty);
  }, 30_000);

  it('when a record is deleted directly in the database, then reconciliation removes it from the index', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '将被直接删除的含铜废液需求' });
    await settle();
    expect(await found('直接删除')).toContain(d.id);
    await mongoose.connection.collection('demands').deleteOne({ _id: new mongoose.Types.ObjectId(d.id) });
    await settle();
    expect(await found('直接删除')).not.toContain(d.id);
  });

  it('when another process writes (no notice to this one), then the dirty scan finds it', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '另一进程修改前的标题内容' });
    await settle();
    // As the CLI or another instance would: a write with the mark, through the driver, no event here.
    await Demand.collection.updateOne(
      { _id: new mongoose.Types.ObjectId(d.id) },
      { $set: { title: '另一进程写入的香菇烘干需求', 'search.dirty': true }, $inc: { 'search.version': 1 } },
    );
    expect(await found('香菇烘干')).not.toContain(d.id);
    await settle();
    expect(await found('香菇烘干')).toContain(d.id);
  });

  it('when a record changes while it is being indexed, then its mark is not cleared for the old version', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor);
    await settle();
    const v1 = (await Demand.findById(d.id).lean<DemandDoc>())!.search!.version;
    await Demand.updateOne({ _id: d.id }, { $set: { title: '索引期间被修改的需求标题' } }); // v1 + 1, dirty
    await clearMark(Demand, new mongoose.Types.ObjectId(d.id), v1); // a worker that indexed v1 finishes late
    const after = (await Demand.findById(d.id).lean<DemandDoc>())!.search!;
    expect(after).toMatchObject({ dirty: true, version: v1 + 1 });
    await settle();
    expect(await found('索引期间')).toContain(d.id);
    expect((await Demand.findById(d.id).lean<DemandDoc>())!.search!.dirty).toBe(false);
  });

  it('when the index is rebuilt, then searches keep answering throughout and the new index takes over', async () => {
    const ent = await owner('enterprise');
    const docs = Array.from({ length: 400 }, (_, i) => ({
      title: `重建测试需求${i}：磷石膏净化`,
      description: '用于验证重建索引期间搜索照常可用的需求描述文字。',
      industry: 'chemicals',
      enterprise: ent.id,
      enterpriseName: '重建测试企业',
      status: 'published',
    }));
    await Demand.insertMany(docs);
    await settle();
    const rebuild = sync.reindex();
    const answers: number[] = [];
    while (answers.length < 20 || sync.rebuilding) {
      const r = await request(app).get('/api/v1/search').query({ q: '重建测试需求', limit: '5' });
      answers.push(r.status === 200 ? r.body.total : -1);
      if (answers.length > 2000) break;
    }
    const { documents } = await rebuild;
    expect(documents).toBeGreaterThanOrEqual(400);
    expect(answers.every((n) => n >= 400)).toBe(true);
  });

  it('when the CLI asks for a reindex, then the running app rebuilds and the CLI reports it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'reindex'], {
      cwd: repoRoot,
      env: cliEnv(),
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/Rebuilt: \d+ records/);
  }, 60_000);

  it('when readiness is checked, then it reports the search engine and its backlog, and 503 while it is down', async () => {
    const ready = await request(app).get('/readyz').expect(200);
    expect(ready.body.checks.search).toMatchObject({ ok: true, engine: 'embedded', backlog: 0 });
    expect(ready.body.checks.search.documents).toBeGreaterThan(0);
    engine.down = true;
    const down = await request(app).get('/readyz').expect(503);
    expect(down.body.checks.search.ok).toBe(false);
    engine.down = false;
    await request(app).get('/readyz').expect(200);
  });
});
