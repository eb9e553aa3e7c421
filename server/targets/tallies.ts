// Running totals of the target figures, so the dashboard does not read every contract and talent on each view
// (on FerretDB every filter but `_id` scans its collection; docs/design.md "Target figures at scale").
//
// Each record's contribution to the figures is a list of parts: a series (registered contract value, talents of
// a category, …), a year, a town, and for contracts a month, for events the moment they end. The parts come
// from the same per-record rules the Ledger lists records by (progress.ts), so the two cannot differ in what
// counts. A tally is the sum of one key's parts over all records; a mark remembers the parts last added for a
// record. On every write of a record (observed.ts) the record is read again, its parts compared with its mark,
// and only the difference is added to the tallies, after the mark has moved (compare-and-set on `rev`, so two
// writers never add the same difference twice).
//
// Events (roadshows, visit stops) count once they have ended: their tallies keep the end moment, and the reader
// counts those ended by its clock, so nothing needs rewriting when time passes.
//
// If a tally update fails after its mark moved, the figures would be off: the failure is logged, the state is
// marked stale, and the next maintenance pass (or `npm run cli -- targets:retally`) rebuilds everything from the
// records. The rebuild is also how a database that predates the tallies gets them (at start-up).
import mongoose, { Schema } from 'mongoose';
import type { Logger } from '../platform/logger.ts';
import { observe } from '../platform/db/observed.ts';
import { exclusive } from '../platform/db/write-lock.ts';
import { withLease } from '../platform/db/lease.ts';
import { monthOf } from '../platform/time.ts';
import { clock } from '../platform/clock.ts';
import { Contract, type ContractDoc } from '../deals/model.ts';
import { Talent, type TalentDoc } from '../talents/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Match, type MatchDoc } from '../matching/model.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Roadshow, Visit, type RoadshowDoc, type VisitDoc } from '../campaigns/model.ts';
import { hasTownDimension, indicator as indicatorOf } from './indicators.ts';
import type { Scope } from './schema.ts';
import { Ledger, contractContribution, demandContribution, matchContribution, roadshowContribution, talentContribution, visitContributions, type Contribution } from './progress.ts';
import { SharedCache, announceChanges } from '../platform/db/shared-cache.ts';

/** Raised when the meaning of a part changes, so start-up rebuilds tallies made by older code. */
const FORMAT = 1;
const STATE_ID = '@state';

interface Part {
  key: string;
  series: string;
  year: number;
  /** '' when the record has no town (or the series is not counted by town) */
  town: string;
  month?: number | undefined;
  endsAt?: Date | undefined;
  value: number;
  count: number;
}

const partFields = {
  series: { type: String, required: true },
  year: { type: Number, required: true },
  town: { type: String, default: '' },
  month: { type: Number },
  endsAt: { type: Date },
  value: { type: Number, default: 0 },
  count: { type: Number, default: 0 },
};

const tallySchema = new Schema({ _id: { type: String, required: true }, ...partFields }, { collection: 'target_tallies', versionKey: false });
const markSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${kind}:${id}`, or STATE_ID
    parts: { type: [new Schema({ key: { type: String, required: true }, ...partFields }, { _id: false })], default: [] },
    rev: { type: Number, default: 0 },
    /** STATE_ID only */
    format: { type: Number },
    stale: { type: Boolean },
    builtAt: { type: Date },
  },
  { collection: 'target_tally_marks', versionKey: false },
);

export type TallyDoc = Omit<Part, 'key'> & { _id: string };
type MarkDoc = { _id: string; parts: Part[]; rev: number; format?: number; stale?: boolean };

tallySchema.plugin(announceChanges(['targets'])); // the figures are summed from a copy kept in process (TallyBook.load)
export const Tally = mongoose.model('TargetTally', tallySchema);
const Mark = mongoose.model('TargetTallyMark', markSchema);

// ---- parts of a record ------------------------------------------------------------------------------------

type Kind = 'contract' | 'talent' | 'demand' | 'match' | 'roadshow' | 'visit';
type TownOf = (enterprise: string) => Promise<string | null | undefined>;

function part(series: string, c: Contribution, opts: { month?: boolean; byTown?: boolean } = {}): Part {
  const town = opts.byTown === false ? '' : (c.town ?? '');
  const month = opts.month ? monthOf(c.date) : undefined;
  const end = c.endsAt?.getTime();
  return {
    key: [series, c.year, town, month ?? '', end ?? ''].join('|'),
    series,
    year: c.year,
    town,
    month,
    endsAt: c.endsAt,
    value: c.value,
    count: 1,
  };
}

function contractParts(d: ContractDoc): Part[] {
  if (d.deletedAt) return [];
  if (!d.verified) {
    const signed = contractContribution(d, 'signed');
    return signed ? [part('contract-pending', signed)] : [];
  }
  const parts: Part[] = [];
  const registered = contractContribution(d, 'registered');
  if (registered) {
    parts.push(part('contract-registered', registered), part('contract-registered', registered, { month: true, byTown: false }));
    if (registered.direction === 'absorb' || registered.direction === 'both') parts.push(part('contract-absorb', registered));
    if (registered.direction === 'export' || registered.direction === 'both') parts.push(part('contract-export', registered));
  }
  const signed = contractContribution(d, 'signed');
  if (signed) parts.push(part('contract-signed', signed), part('contract-signed', signed, { month: true, byTown: false }));
  return parts;
}

/** The parts of a record as written, for the kinds whose parts need nothing else (not matches, not visits). */
function ownParts(kind: 'contract' | 'talent' | 'demand' | 'roadshow', d: never): Part[] {
  switch (kind) {
    case 'contract':
      return contractParts(d);
    case 'talent': {
      const t = d as TalentDoc;
      return !t.deletedAt && t.verified ? [part(`talent-${t.category}`, talentContribution(t))] : [];
    }
    case 'demand': {
      const c = demandContribution(d);
      return c ? [part('demand', c)] : [];
    }
    case 'roadshow': {
      const r = d as RoadshowDoc;
      return r.deletedAt ? [] : [part('roadshow', roadshowContribution(r), { byTown: false })];
    }
  }
}

/**
 * New records of an insertMany (imports: thousands of rows), counted from the documents as written: their marks
 * in one insert, their parts summed into one bulk of increments, instead of four round trips a record.
 */
async function tallyInserted(kind: Kind, docs: object[]): Promise<void> {
  if (kind === 'match' || kind === 'visit') return retally(kind, docs.map((d) => String((d as { _id: unknown })._id)));
  const marks: { _id: string; parts: Part[]; rev: number }[] = [];
  for (const d of docs) {
    const parts = ownParts(kind, d as never);
    if (parts.length) marks.push({ _id: `${kind}:${String((d as { _id: unknown })._id)}`, parts, rev: 1 });
  }
  if (!marks.length) return;
  await Mark.insertMany(marks, { ordered: true });
  const diff = [...merged(marks.flatMap((m) => m.parts)).values()];
  for (let i = 0; i < diff.length; i += 100) await add(diff.slice(i, i + 100));
}

async function partsOf(kind: Kind, id: string, townOf: TownOf): Promise<Part[]> {
  switch (kind) {
    case 'contract': {
      const d = await Contract.findById(id).lean<ContractDoc>();
      return d ? ownParts(kind, d as never) : [];
    }
    case 'talent': {
      const d = await Talent.findById(id).lean<TalentDoc>();
      return d ? ownParts(kind, d as never) : [];
    }
    case 'demand': {
      const d = await Demand.findById(id).select('title enterpriseName town status publishedAt deletedAt').lean<DemandDoc>();
      return d ? ownParts(kind, d as never) : [];
    }
    case 'roadshow': {
      const d = await Roadshow.findById(id).select('title venue startsAt endsAt campaignName deletedAt').lean<RoadshowDoc>();
      return d ? ownParts(kind, d as never) : [];
    }
    case 'match': {
      const d = await Match.findById(id).lean<MatchDoc>();
      const c = d && matchContribution(d, await townOf(d.enterprise));
      return c ? [part('match', c)] : [];
    }
    case 'visit': {
      const d = await Visit.findById(id).select('expertName campaignName stops deletedAt').lean<VisitDoc>();
      if (!d || d.deletedAt) return [];
      const towns = new Map<string, string | null | undefined>();
      for (const s of d.stops ?? []) if (!towns.has(s.enterprise)) towns.set(s.enterprise, await townOf(s.enterprise));
      return visitContributions(d, (e) => towns.get(e)).map((c) => part('visit', c));
    }
  }
}

/** Parts with the same key (two stops in one town ending together) become one. */
function merged(parts: Part[]): Map<string, Part> {
  const byKey = new Map<string, Part>();
  for (const p of parts) {
    const seen = byKey.get(p.key);
    byKey.set(p.key, seen ? { ...seen, value: seen.value + p.value, count: seen.count + p.count } : { ...p });
  }
  return byKey;
}

/** What to add to each tally to go from `before` to `after`. */
function difference(before: Part[], after: Part[]): Part[] {
  const old = merged(before);
  const now = merged(after);
  const out: Part[] = [];
  for (const [key, p] of now) {
    const o = old.get(key);
    const d = { ...p, value: p.value - (o?.value ?? 0), count: p.count - (o?.count ?? 0) };
    if (d.value !== 0 || d.count !== 0) out.push(d);
  }
  for (const [key, o] of old) if (!now.has(key)) out.push({ ...o, value: -o.value, count: -o.count });
  return out;
}

async function add(diff: Part[]): Promise<void> {
  if (!diff.length) return;
  await Tally.bulkWrite(
    diff.map(({ key, value, count, ...where }) => ({
      updateOne: {
        filter: { _id: key },
        update: { $inc: { value, count }, $setOnInsert: { series: where.series, year: where.year, town: where.town, month: where.month, endsAt: where.endsAt } },
        upsert: true,
      },
    })),
  );
}

const enterpriseTown: TownOf = async (id) => {
  if (!mongoose.isValidObjectId(id)) return undefined;
  const e = await Enterprise.findById(id).select('town deletedAt').lean<EnterpriseDoc>();
  return e && !e.deletedAt ? e.town : undefined; // the Ledger's towns are those of live enterprises
};

/** Brings the tallies in line with the current state of some records of one kind. */
export async function retally(kind: Kind, ids: string[]): Promise<void> {
  for (const id of ids) {
    const markId = `${kind}:${id}`;
    for (let attempt = 0; ; attempt++) {
      const [parts, mark] = await Promise.all([partsOf(kind, id, enterpriseTown), Mark.findById(markId).lean<MarkDoc>()]);
      const diff = difference(mark?.parts ?? [], parts);
      if (!diff.length) break;
      // Move the mark first, only from the version read: a concurrent writer that got there first makes this
      // one start again from the new mark.
      let moved: boolean;
      if (!mark) moved = await Mark.create({ _id: markId, parts, rev: 1 }).then(() => true, (err: { code?: number }) => (err.code === 11000 ? false : Promise.reject(err)));
      else if (!parts.length) moved = (await Mark.deleteOne({ _id: markId, rev: mark.rev })).deletedCount === 1;
      else moved = (await Mark.updateOne({ _id: markId, rev: mark.rev }, { $set: { parts }, $inc: { rev: 1 } })).modifiedCount === 1;
      if (moved) {
        await add(diff);
        break;
      }
      if (attempt >= 5) throw new Error(`tally mark ${markId} keeps changing`);
    }
  }
}

// ---- keeping them on every write ---------------------------------------------------------------------------

let log: Logger | undefined;

/** Where a failed tally update is reported (the app's logger; the CLI's). */
export function useTallyLogger(logger: Logger): void {
  log = logger;
}

async function markStale(err: unknown, kind: Kind, ids: string[]): Promise<void> {
  log?.error({ err, kind, ids: ids.slice(0, 20) }, 'target tallies not updated; they will be rebuilt');
  await Mark.updateOne({ _id: STATE_ID }, { $set: { stale: true } }, { upsert: true }).catch(() => {});
}

const watched: [string, Kind][] = [
  [Contract.modelName, 'contract'],
  [Talent.modelName, 'talent'],
  [Demand.modelName, 'demand'],
  [Match.modelName, 'match'],
  [Roadshow.modelName, 'roadshow'],
  [Visit.modelName, 'visit'],
];
for (const [model, kind] of watched) {
  observe(model, (ids, inserted) => (inserted ? tallyInserted(kind, inserted) : retally(kind, ids)).catch((err: unknown) => markStale(err, kind, ids)));
}

/** An enterprise's town decides the town of its matches and visit stops (needs carry their own copy). */
export async function retallyEnterprise(id: string): Promise<void> {
  const matches = await Match.find({ enterprise: id }).select('_id').lean();
  const visits = await Visit.find({ 'stops.enterprise': id }).select('_id').lean();
  await retally('match', matches.map((m) => String(m._id))).catch((err: unknown) => markStale(err, 'match', [id]));
  await retally('visit', visits.map((v) => String(v._id))).catch((err: unknown) => markStale(err, 'visit', [id]));
}

// ---- rebuilding from the records --------------------------------------------------------------------------

const CHUNK = 1000;

/** One rebuild at a time across instances: two interleaving drops and inserts would leave holes. */
const rebuildLease = {
  ttlMs: 30_000,
  waitMs: 15 * 60_000,
  busy: () => new Error('another process has been rebuilding the target tallies for 15 minutes'),
};

/**
 * Recomputes every mark and tally from the records. Holds the 'tallies' lease (platform/db/lease.ts), so no other
 * instance rebuilds meanwhile, and this process's write lock, so no write of this process interleaves; a write of
 * another process during the rebuild may need another one (maintenance does it when marked stale).
 */
export async function rebuildTallies(): Promise<{ records: number; tallies: number; ms: number }> {
  return withLease('tallies', rebuildLease, () => exclusive(rebuild));
}

async function rebuild(): Promise<{ records: number; tallies: number; ms: number }> {
  const started = performance.now();
  const towns = new Map(
    (await Enterprise.find({ deletedAt: null }).select('town').lean<EnterpriseDoc[]>()).map((e) => [String(e._id), e.town as string | undefined]),
  );
  const townOf = (id: string) => towns.get(id);
  const marks: { _id: string; parts: Part[]; rev: number }[] = [];
  const keep = (kind: Kind, id: unknown, parts: Part[]) => {
    if (parts.length) marks.push({ _id: `${kind}:${String(id)}`, parts, rev: 1 });
  };
  for (const d of await Contract.find({ deletedAt: null }).lean<ContractDoc[]>()) keep('contract', d._id, ownParts('contract', d as never));
  const talentFilter: Record<string, unknown> = { deletedAt: null, verified: true };
  for (const d of await Talent.find(talentFilter).lean<TalentDoc[]>()) keep('talent', d._id, ownParts('talent', d as never));
  for (const d of await Demand.find({ deletedAt: null }).select('title enterpriseName town status publishedAt deletedAt').lean<DemandDoc[]>()) {
    keep('demand', d._id, ownParts('demand', d as never));
  }
  for (const d of await Match.find().lean<MatchDoc[]>()) {
    const c = matchContribution(d, townOf(d.enterprise));
    if (c) keep('match', d._id, [part('match', c)]);
  }
  for (const d of await Roadshow.find({ deletedAt: null }).select('title venue startsAt endsAt campaignName').lean<RoadshowDoc[]>()) {
    keep('roadshow', d._id, ownParts('roadshow', d as never));
  }
  for (const d of await Visit.find({ deletedAt: null }).select('expertName campaignName stops').lean<VisitDoc[]>()) {
    keep('visit', d._id, visitContributions(d, townOf).map((c) => part('visit', c)));
  }
  const totals = new Map<string, Part>();
  for (const m of marks) {
    for (const p of m.parts) {
      const t = totals.get(p.key);
      totals.set(p.key, t ? { ...t, value: t.value + p.value, count: t.count + p.count } : { ...p });
    }
  }
  // A fresh revision: a writer that read a mark before the rebuild cannot move it afterwards (its compare fails).
  const rev = clock.ms();
  for (const m of marks) m.rev = rev;
  // Dropped and written again: a deleteMany of 100,000 documents is one SQL statement too many for FerretDB's
  // SQLite backend, and bulk upserts of existing tallies were seen never to be answered by FerretDB 1.24. A
  // dashboard read between the drop and the insert sees no tallies (zeros) for that moment; a rebuild runs at
  // start-up, from the CLI, or when maintenance finds the totals stale.
  const drop = (c: { drop(): Promise<unknown> }) => c.drop().catch((err: { codeName?: string }) => (err.codeName === 'NamespaceNotFound' ? undefined : Promise.reject(err)));
  await drop(Mark.collection);
  for (let i = 0; i < marks.length; i += CHUNK) await Mark.insertMany(marks.slice(i, i + CHUNK), { ordered: false });
  const tallies = [...totals.values()].map(({ key, ...rest }) => ({ _id: key, ...rest }));
  await drop(Tally.collection);
  for (let i = 0; i < tallies.length; i += CHUNK) await Tally.insertMany(tallies.slice(i, i + CHUNK), { ordered: false });
  await Mark.updateOne({ _id: STATE_ID }, { $set: { format: FORMAT, stale: false, builtAt: clock.now(), rev: 0 } }, { upsert: true });
  return { records: marks.length, tallies: tallies.length, ms: Math.round(performance.now() - started) };
}

const current = async () => {
  const state = await Mark.findById(STATE_ID).lean<MarkDoc>();
  return !!state && state.format === FORMAT && !state.stale;
};

/**
 * At start-up and in maintenance: rebuilds when the tallies are missing, made by older code, or marked stale. Two
 * instances starting together on a database without tallies: one rebuilds, the other waits for the lease and then
 * finds them current.
 */
export async function ensureTallies(logger?: Logger): Promise<boolean> {
  if (await current()) return false;
  const result = await withLease('tallies', rebuildLease, async () => ((await current()) ? null : exclusive(rebuild)));
  if (!result) return false;
  logger?.info(result, 'target tallies rebuilt');
  return true;
}

// ---- reading --------------------------------------------------------------------------------------------

export interface Sum {
  value: number;
  count: number;
}

/**
 * All tallies, read once (a few thousand small documents even after years), summed from memory. The documents are
 * kept in process under the 'targets' topic, which every tally write announces (platform/db/shared-cache.ts).
 */
const allTallies = new SharedCache<TallyDoc[]>('targets', 1);

export class TallyBook {
  private constructor(
    private readonly bySeries: Map<string, TallyDoc[]>,
    readonly now: Date,
  ) {}

  static async load(now = clock.now()): Promise<TallyBook> {
    const bySeries = new Map<string, TallyDoc[]>();
    for (const t of (await allTallies.get('all', () => Tally.find().lean<TallyDoc[]>()))!) {
      const list = bySeries.get(t.series) ?? [];
      list.push(t);
      bySeries.set(t.series, list);
    }
    return new TallyBook(bySeries, now);
  }

  /** The sum of a series over the years from..to, in one town or all; events only once ended by `now`. */
  sum(series: string, from: number, to: number, town?: string): Sum {
    const out = { value: 0, count: 0 };
    for (const t of this.bySeries.get(series) ?? []) {
      if (t.year < from || t.year > to || t.month != null) continue;
      if (town !== undefined && t.town !== town) continue;
      if (t.endsAt && t.endsAt > this.now) continue;
      out.value += t.value;
      out.count += t.count;
    }
    return out;
  }

  /** A contract series month by month for one year (not cumulative). */
  months(series: 'contract-registered' | 'contract-signed', year: number): number[] {
    const months = Array.from({ length: 12 }, () => 0);
    for (const t of this.bySeries.get(series) ?? []) if (t.year === year && t.month != null) months[t.month - 1]! += t.value;
    return months;
  }
}

// ---- the figures of indicators ---------------------------------------------------------------------------

/** A figure from the tallies: what the dashboard shows (the drill-down lists the records through the Ledger). */
export interface Total {
  actual: number;
  /** how many records make it up */
  records: number;
  signed?: number;
  pending?: number;
  absorb?: number;
  export?: number;
}

/**
 * The dashboard's source of figures: tallies for what the platform records, the Ledger for manual entries (a
 * small collection: a few entries per indicator and year), both read at most once.
 */
export class Figures {
  private bookPromise: Promise<TallyBook> | undefined;
  readonly ledger: Ledger;

  constructor(readonly now = clock.now()) {
    this.ledger = new Ledger(now);
  }

  book(): Promise<TallyBook> {
    this.bookPromise ??= TallyBook.load(this.now);
    return this.bookPromise;
  }

  /** Null when the indicator is not counted for that kind of scope (roadshows by town). */
  async figure(code: string, from: number, to: number, scope: Scope): Promise<Total | null> {
    const ind = indicatorOf(code);
    if (!ind) return null;
    if (ind.source === 'manual') {
      const f = await this.ledger.figure(code, from, to, scope);
      return f && { actual: f.actual, records: f.records.length };
    }
    if (scope.kind === 'town' && !hasTownDimension(ind)) return null;
    const town = scope.kind === 'town' ? scope.code : undefined;
    const book = await this.book();
    const of = (series: string) => book.sum(series, from, to, town);
    switch (ind.source) {
      case 'contracts': {
        const s = of('contract-registered');
        return { actual: s.value, records: s.count, signed: of('contract-signed').value, pending: of('contract-pending').value, absorb: of('contract-absorb').value, export: of('contract-export').value };
      }
      case 'contract-count': {
        const s = of('contract-registered');
        return { actual: s.count, records: s.count };
      }
      default: {
        const series = ind.source === 'talents' ? `talent-${ind.category!}` : (SERIES_OF[ind.source] ?? ind.source);
        const s = of(series);
        return { actual: s.value, records: s.count };
      }
    }
  }
}

const SERIES_OF: Record<string, string> = { demands: 'demand', matches: 'match', roadshows: 'roadshow', visits: 'visit' };
