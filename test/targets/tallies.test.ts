// Issue 15 (scale): the dashboard reads running totals kept on every write (server/targets/tallies.ts) instead of
// every record. They must always equal what the Ledger computes from the records: after the demo data, after a few
// hundred random writes of every kind and by every write method (create, updateOne, updateMany, bulkWrite,
// insertMany, deleteMany, deleteOne, save), after time passes (roadshows and visits count once they end), and
// after a rebuild. Each comparison covers every recorded indicator, every year, the district and every town.
import { spawn } from 'node:child_process';
import mongoose from 'mongoose';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken } from '../support/agent.ts';
import { advanceClock } from '../support/clock.ts';
import { cliEnv } from '../support/child-db.ts';
import { repoRoot } from '../support/process.ts';
import { seedDemo } from '../../seeds/index.ts';
import { clock } from '../../server/platform/clock.ts';
import { yearOf } from '../../server/platform/time.ts';
import { mulberry32, pick } from '../../seeds/random.ts';
import { Contract } from '../../server/deals/model.ts';
import { Talent } from '../../server/talents/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { Match } from '../../server/matching/model.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { Roadshow, Visit } from '../../server/campaigns/model.ts';
import { INDICATORS } from '../../server/targets/indicators.ts';
import { Ledger } from '../../server/targets/progress.ts';
import { Figures, Tally, ensureTallies, rebuildTallies } from '../../server/targets/tallies.ts';
import { unobserved } from '../../server/platform/db/observed.ts';
import { town } from '../../server/vocabulary/index.ts';
import type { Scope } from '../../server/targets/schema.ts';

const { app } = buildTestApp();
const recorded = INDICATORS.filter((i) => i.source !== 'manual');
const scopes: Scope[] = [{ kind: 'district', code: 'district' }, ...town.keys.map((code) => ({ kind: 'town' as const, code }))];

/** Every difference between the running totals and the Ledger, as readable lines (none expected). */
async function differences(): Promise<string[]> {
  const now = clock.now();
  const figures = new Figures(now);
  const ledger = new Ledger(now);
  const out: string[] = [];
  const years = [yearOf(now) - 6, yearOf(now) + 1];
  for (const ind of recorded) {
    for (const scope of scopes) {
      for (let y = years[0]!; y <= years[1]!; y++) {
        const ranges = [[y, y], [years[0]!, y]] as const;
        for (const [from, to] of ranges) {
          const [kept, computed] = await Promise.all([figures.figure(ind.code, from, to, scope), ledger.figure(ind.code, from, to, scope)]);
          const want = computed && { actual: computed.actual, records: computed.records.length, signed: computed.signed, pending: computed.pending, absorb: computed.absorb, export: computed.export };
          const got = kept && { actual: kept.actual, records: kept.records, signed: kept.signed, pending: kept.pending, absorb: kept.absorb, export: kept.export };
          if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${ind.code} ${scope.code} ${from}–${to}: kept ${JSON.stringify(got)} computed ${JSON.stringify(want)}`);
        }
      }
    }
  }
  const book = await figures.book();
  for (let y = years[0]!; y <= years[1]!; y++) {
    for (const by of ['registered', 'signed'] as const) {
      const months = Array.from({ length: 12 }, () => 0);
      for (const c of await ledger.contracts(by)) if (c.year === y) months[new Date(c.date.getTime() + 8 * 3_600_000).getUTCMonth()]! += c.value;
      const kept = book.months(by === 'registered' ? 'contract-registered' : 'contract-signed', y);
      if (JSON.stringify(kept) !== JSON.stringify(months)) out.push(`months ${by} ${y}: kept ${kept.join(',')} computed ${months.join(',')}`);
    }
  }
  return out;
}

const rand = mulberry32(15_100_000);
const DAY = 86_400_000;
const anyDate = () => new Date(clock.ms() - Math.floor(rand() * 5 * 365 * DAY) + Math.floor(rand() * 200 * DAY));

async function ids(model: mongoose.Model<never>): Promise<string[]> {
  return (await model.find({ deletedAt: null }).select('_id').lean<{ _id: unknown }[]>()).map((d) => String(d._id));
}

beforeAll(async () => {
  await seedDemo();
}, 240_000);

describe('running totals of the target figures', () => {
  it('when the demo data is loaded, then every kept figure equals the computed one', async () => {
    expect(await Tally.countDocuments()).toBeGreaterThan(50);
    expect(await differences()).toEqual([]);
  }, 120_000);

  it('when hundreds of random writes of every kind and method are made, then the kept figures still equal the computed ones', async () => {
    const enterprises = await Enterprise.find({ deletedAt: null }).lean();
    const towns = town.keys;
    const contracts = () => ids(Contract as never);
    const talents = () => ids(Talent as never);
    const demands = () => ids(Demand as never);
    let changed = 0;
    for (let step = 0; step < 160; step++) {
      const r = rand();
      if (r < 0.15) {
        const id = pick(rand, await contracts());
        const signedAt = anyDate();
        const regDate = new Date(signedAt.getTime() + 20 * DAY);
        await Contract.updateOne(
          { _id: id },
          rand() < 0.3
            ? { $set: { verified: !(rand() < 0.5), amount: Math.round(rand() * 5e6) } }
            : { $set: { signedAt, signedYear: yearOf(signedAt), registration: { number: `T${step}`, date: regDate }, registeredYear: yearOf(regDate), town: pick(rand, towns), direction: pick(rand, ['absorb', 'export', 'both'] as const) } },
        );
      } else if (r < 0.22) {
        const source = await Contract.findById(pick(rand, await contracts())).lean();
        const { _id, ...copy } = source!;
        void _id;
        await Contract.create({ ...copy, title: `${copy.title}（复制${step}）`, registration: copy.registration?.number ? { ...copy.registration, number: `C${step}` } : undefined });
      } else if (r < 0.27) {
        await Contract.updateOne({ _id: pick(rand, await contracts()) }, { $set: { deletedAt: clock.now() } });
      } else if (r < 0.37) {
        const id = pick(rand, await talents());
        const date = anyDate();
        await Talent.updateOne({ _id: id }, { $set: { verified: rand() < 0.7, date, year: yearOf(date), category: pick(rand, ['shortage', 'innovative', 'graduate'] as const), town: pick(rand, towns) } });
      } else if (r < 0.45) {
        const id = pick(rand, await demands());
        const publishedAt = anyDate();
        await Demand.updateOne({ _id: id }, rand() < 0.3 ? { $set: { status: 'draft' } } : { $set: { status: 'published', publishedAt, town: pick(rand, towns) } });
      } else if (r < 0.5) {
        // updateMany and bulkWrite: several records whose ids the hooks must find themselves
        const e = pick(rand, enterprises);
        await Demand.updateMany({ enterprise: String(e._id) }, { $set: { town: pick(rand, towns) } });
        const some = (await talents()).slice(0, 3);
        await Talent.bulkWrite(some.map((t) => ({ updateOne: { filter: { _id: t }, update: { $set: { verified: rand() < 0.5 } } } })));
      } else if (r < 0.6) {
        const match = await Match.findOne().skip(Math.floor(rand() * 20)).lean();
        if (match) {
          const to = pick(rand, ['intention', 'contracted', 'contacted'] as const);
          await Match.updateOne({ _id: match._id }, { $set: { status: to }, $push: { history: { from: match.status, to, at: anyDate(), by: 'test' } } });
        }
      } else if (r < 0.7) {
        const rs = await Roadshow.findOne({ deletedAt: null }).skip(Math.floor(rand() * 3)).lean();
        if (rs) {
          const startsAt = new Date(clock.ms() + (rand() - 0.5) * 60 * DAY);
          if (rand() < 0.15) await Roadshow.updateOne({ _id: rs._id }, { $set: { deletedAt: clock.now() } });
          else await Roadshow.updateOne({ _id: rs._id }, { $set: { startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3_600_000) } });
        }
      } else if (r < 0.78) {
        const v = await Visit.findOne({ deletedAt: null }).skip(Math.floor(rand() * 3)).lean();
        if (v && v.stops.length) {
          const doc = await Visit.findById(v._id);
          const stop = doc!.stops[Math.floor(rand() * doc!.stops.length)]!;
          stop.startsAt = new Date(clock.ms() + (rand() - 0.6) * 40 * DAY);
          stop.endsAt = new Date(stop.startsAt.getTime() + 2 * 3_600_000);
          await doc!.save();
        }
      } else if (r < 0.84) {
        // an enterprise moves town: its matches and visit stops follow it
        const e = pick(rand, enterprises);
        const token = await apiToken('organizer');
        await request(app).patch(`/api/v1/enterprises/${String(e._id)}`).set(token.auth).send({ town: pick(rand, towns) }).expect(200);
      } else if (r < 0.9) {
        // insertMany then deleteMany, as an import and its rollback do
        const source = await Talent.findById(pick(rand, await talents())).lean();
        const { _id, ...copy } = source!;
        void _id;
        await Talent.insertMany([1, 2, 3].map((k) => ({ ...copy, name: `${copy.name}${step}-${k}`, importBatch: `batch-${step}`, verified: true })));
        if (rand() < 0.5) await Talent.deleteMany({ importBatch: `batch-${step}` });
      } else {
        await Talent.deleteOne({ _id: pick(rand, await talents()) });
      }
      changed++;
      if (step % 80 === 79) expect(await differences(), `after ${step + 1} writes`).toEqual([]);
    }
    expect(changed).toBe(160);
    expect(await differences()).toEqual([]);
  }, 600_000);

  it('when time passes, then roadshows and visits that have ended count, kept and computed alike', async () => {
    const before = await new Figures(clock.now()).figure('roadshows-held', 2000, 2100, { kind: 'district', code: 'district' });
    advanceClock(45 * DAY);
    const after = await new Figures(clock.now()).figure('roadshows-held', 2000, 2100, { kind: 'district', code: 'district' });
    expect(after!.actual).toBeGreaterThanOrEqual(before!.actual);
    expect(await differences()).toEqual([]);
  }, 120_000);

  it('when records were written past the models, then a rebuild recounts them, and a stale mark makes maintenance rebuild', async () => {
    await unobserved(() => Talent.updateMany({}, { $set: { verified: true } }));
    expect((await differences()).length).toBeGreaterThan(0); // the kept figures no longer know
    await rebuildTallies();
    expect(await differences()).toEqual([]);

    await unobserved(() => Talent.updateMany({}, { $set: { verified: false } }));
    await mongoose.connection.collection('target_tally_marks').updateOne({ _id: '@state' as never }, { $set: { stale: true } });
    expect(await ensureTallies()).toBe(true);
    expect(await ensureTallies()).toBe(false); // once rebuilt, nothing more to do
    expect(await differences()).toEqual([]);
  }, 240_000);

  it('when several processes rebuild at the same moment (instances starting together), then each finishes and the figures are right', async () => {
    // Real processes: the rebuild holds this process's write lock, so only another process can interleave with it.
    const retally = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'targets:retally'], { cwd: repoRoot, env: cliEnv() });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.once('exit', (code) => resolve({ code, out }));
      });
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all([retally(), retally(), retally(), retally()]);
      for (const run of runs) expect(run, run.out).toMatchObject({ code: 0 });
      expect(await differences()).toEqual([]);
    }
  }, 300_000);

  it('when the dashboard is asked for, then its figures are the kept ones and agree with the drill-down', async () => {
    const token = await apiToken('organizer');
    const year = yearOf(clock.now());
    await request(app).post('/api/v1/targets').set(token.auth).send({ indicator: 'contract-count', year, value: 10, scope: 'district' }).expect(201);
    const progress = (await request(app).get('/api/v1/targets/progress').set(token.auth).query({ year, indicator: 'contract-count' }).expect(200)).body.items[0];
    const drill = (await request(app).get('/api/v1/targets/records').set(token.auth).query({ indicator: 'contract-count', from: year, to: year, scope: 'district' }).expect(200)).body;
    expect(progress.actual).toBe(drill.total);
    expect(progress.records).toBe(drill.total);
  }, 60_000);
});
