// docs/security.md 20–21: the index never loses a write. Writes succeed while the engine is down and appear once
// it is back; records deleted behind the app's back leave the index; a rebuild swaps in while searches answer;
// a mark is cleared only for the version that was indexed; writes of other processes are picked up; a write is
// indexed without reading the whole index; other instances' writes arrive through the change log; a write the
// index could not take is logged with its request id.
// (Two real app processes on one database: instances.test.ts.)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { demandOf, owner } from '../support/directory.ts';
import { SwitchableSearch } from '../support/outage.ts';
import { repoRoot } from '../support/process.ts';
import { cliEnv } from '../support/child-db.ts';
import { Demand, type DemandDoc } from '../../server/demands/model.ts';
import { Expert } from '../../server/experts/model.ts';
import { clearMark } from '../../server/platform/search/sync.ts';
import { withSearchMark } from '../../server/platform/db/searchable.ts';
import { append, head, KEEP } from '../../server/platform/search/changes.ts';
import { SearchControl } from '../../server/platform/search/control.ts';
import { createLogger } from '../../server/platform/logger.ts';

const logLines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const engine = new SwitchableSearch();
const { app, settle, sync } = buildTestApp({ search: engine, logger: createLogger('warn', { destination: capture }) });

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

    // The log says which request's write waits, and that it will be retried.
    const requestId = String(res.headers['x-request-id'] ?? '');
    expect(requestId).toBeTruthy();
    const warning = logLines.find((l) => l.msg === 'search sync failed; will retry' && (l.requestIds as string[] | undefined)?.includes(requestId));
    expect(warning).toMatchObject({ retryInMs: expect.any(Number) });

    engine.down = false;
    await waitFor(async () => (await found('停机')).includes(res.body.id)); // the retry, on its own
    await waitFor(async () => !(await Demand.findById(res.body.id).lean<DemandDoc>())?.search?.dirty);
  }, 30_000);

  it('when a record is written, then it is indexed and its mark cleared at once, without reading the whole index', async () => {
    const ent = await owner('enterprise');
    await settle(); // reconciliation (which does read the whole index) now waits at least a minute
    const versions = vi.spyOn(engine, 'versions');
    try {
      const res = await request(app)
        .post('/api/v1/demands')
        .set(ent.auth)
        .send({ title: '增量同步的柑橘深加工需求', description: '写入后立即进入索引，无需读取整个索引的版本表。', industry: 'agriculture', keywords: ['柑橘深加工'] });
      expect(res.status).toBe(201);
      await waitFor(async () => (await found('柑橘深加工')).includes(res.body.id), 5_000);
      await waitFor(async () => (await Demand.findById(res.body.id).lean<DemandDoc>())?.search?.dirty === false, 5_000);
      await request(app).patch(`/api/v1/demands/${res.body.id}`).set(ent.auth).send({ title: '增量同步的柑橘果胶提取需求' }).expect(200);
      await waitFor(async () => (await found('果胶提取')).includes(res.body.id), 5_000);
      expect(versions).not.toHaveBeenCalled();
    } finally {
      versions.mockRestore();
    }
  });

  it('when records are deleted outright (an import rolled back), then they leave the index without waiting for reconciliation', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '将被回滚删除的茶叶萎凋需求' });
    await settle();
    expect(await found('茶叶萎凋')).toContain(d.id);
    await Demand.deleteMany({ _id: d.id });
    await waitFor(async () => !(await found('茶叶萎凋')).includes(d.id), 5_000);
  });

  it('when an import updates records in one bulk write (no update hooks), then they are indexed without waiting for a scan', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '批量更新前的需求标题' });
    await settle();
    await Demand.bulkWrite([{ updateOne: { filter: { _id: new mongoose.Types.ObjectId(d.id) }, update: withSearchMark({ $set: { title: '批量导入更新的猕猴桃冷链需求' } }) } }]);
    await waitFor(async () => (await found('猕猴桃冷链')).includes(d.id), 5_000);
    await waitFor(async () => (await Demand.findById(d.id).lean<DemandDoc>())?.search?.dirty === false, 5_000);
  });

  it('when another instance writes and logs the change, then this one indexes it within seconds, even past a number never written', async () => {
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '另一实例修改前的需求标题' });
    await settle();
    // Another instance drew a number and died before writing its entry…
    await SearchControl.collection.updateOne({ _id: 'changes' as never }, { $inc: { seq: 1 } });
    // …and a third one changed a record, indexed it in its own index, cleared the mark and logged it.
    await Demand.collection.updateOne(
      { _id: new mongoose.Types.ObjectId(d.id) },
      { $set: { title: '另一实例写入的魔芋精粉需求', 'search.dirty': false }, $inc: { 'search.version': 1 } },
    );
    const before = await head();
    await append('Demand', [d.id], 'another-instance');
    expect(await head()).toBe(before + 1);
    await waitFor(async () => (await found('魔芋精粉')).includes(d.id), 5_000);
  });

  it('when two writers append to the change log at once, then every entry gets its own number', async () => {
    const numbers = await Promise.all(Array.from({ length: 20 }, (_, i) => append('Demand', [new mongoose.Types.ObjectId().toHexString()], `writer-${i % 2}`)));
    expect(new Set(numbers).size).toBe(20);
  });

  it('when the change log grows, then the writer trims all but its last entries', async () => {
    const entries = mongoose.connection.collection('search_changes');
    const at = Math.ceil(((await head()) + 10_000) / 100) * 100;
    await entries.insertOne({ _id: at - KEEP - 50, model: 'Demand', ids: [], origin: 'long-gone', at: new Date(0) } as never);
    await SearchControl.collection.updateOne({ _id: 'changes' as never }, { $set: { seq: at - 1 } });
    expect(await append('Demand', [], 'trimmer')).toBe(at); // a multiple of 100: this writer trims
    expect(await entries.findOne({ _id: (at - KEEP - 50) as never })).toBeNull();
    expect(await entries.findOne({ _id: at as never })).not.toBeNull();
  });

  it('when the head of the change log is lost, then the next writer moves it past the entries and goes on', async () => {
    const last = await append('Demand', [], 'before');
    await SearchControl.collection.deleteOne({ _id: 'changes' as never });
    expect(await append('Demand', [], 'after')).toBe(last + 1);
    // …and this instance still follows: another instance's change arrives.
    const ent = await owner('enterprise');
    const d = await demandOf(ent.actor, { title: '日志头丢失前的需求标题' });
    await settle();
    await Demand.collection.updateOne(
      { _id: new mongoose.Types.ObjectId(d.id) },
      { $set: { title: '日志头丢失后写入的葛根粉需求', 'search.dirty': false }, $inc: { 'search.version': 1 } },
    );
    await append('Demand', [d.id], 'another-instance');
    await waitFor(async () => (await found('葛根粉')).includes(d.id), 5_000);
  });

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

  it('when the command line imports records, then the running app indexes them through the change log, without a dirty scan', async () => {
    await settle(); // a scan now: the next one is a minute away at least
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-cli-'));
    const file = path.join(dir, 'experts.csv');
    writeFileSync(file, `姓名,职称,产业领域,专长关键词\n命令行导入的专家,教授,电子信息,柔性电路板缺陷检测\n`);
    const imported = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'import', 'experts', file], { cwd: repoRoot, env: cliEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(imported.status, imported.stderr).toBe(0);
    await waitFor(async () => (await found('柔性电路板缺陷检测')).length === 1, 10_000);
    // Its mark is still set: the record came through the log (a dirty scan would have cleared it).
    const expert = await Expert.findOne({ name: '命令行导入的专家' }).lean<{ search?: { dirty?: boolean } }>();
    expect(expert?.search?.dirty).toBe(true);
  }, 90_000);

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
