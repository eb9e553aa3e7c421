// Progress is computed from the records, never typed in (except for indicators the platform does not record,
// which take manual entries with evidence). Every figure is the sum of a list of contributions, and that list
// is what the drill-down shows, so the two cannot disagree.
//
// What counts:
//   contract-value   verified contracts by registration year (技术合同认定登记), their amount; signed-year
//                    figures and unverified amounts are reported beside it, never in it
//   contract-count   the same contracts, one each
//   talent-*         verified talent introductions of the category, by introduction year
//   demands-published needs published (not drafts, not deleted), by publication year
//   matches-made     matches that reached 达成意向 or 已签约, by the day they first did
//   roadshows-held   roadshows that have ended, by their date (district only: a venue is not a town)
//   expert-visits    visit stops that have ended, one 人次 each, by their date, in the visited enterprise's town
//   manual           entries in exactly the target's scope: summed (flows) or the latest (levels)
// A town scope counts records of enterprises in that town; a unit scope (a responsible bureau) answers for
// the district's figure, so it counts the district's records.
import { Contract, type ContractDoc } from '../deals/model.ts';
import { Talent, type TalentDoc } from '../talents/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Match, type MatchDoc } from '../matching/model.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Roadshow, Visit, type RoadshowDoc, type VisitDoc } from '../campaigns/model.ts';
import { trusted } from '../platform/db/connection.ts';
import { yearOf } from '../platform/time.ts';
import { hasTownDimension, indicator as indicatorOf, type Indicator } from './indicators.ts';
import { ProgressEntry, type EntryDoc } from './model.ts';
import type { Scope } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';

/** The entries, kept in process under 'targets', which every entry write announces (model.ts; platform/db/shared-cache.ts). */
const entryList = new SharedCache<EntryDoc[]>('targets', 1);

/** Every entry not deleted, newest year first. */
export async function liveEntries(): Promise<EntryDoc[]> {
  return (await entryList.get('all', () => ProgressEntry.find({ deletedAt: null }).sort({ year: -1, createdAt: -1 }).lean<EntryDoc[]>()))!;
}

export interface Contribution {
  kind: 'contract' | 'talent' | 'demand' | 'match' | 'roadshow' | 'visit' | 'entry';
  id: string;
  label: string;
  detail?: string | undefined;
  date: Date;
  year: number;
  town?: string | null | undefined;
  value: number;
  href: string;
  /** manual entries: the exact scope they were entered for */
  scope?: Scope | undefined;
  evidence?: { id: string; name: string } | undefined;
  enteredByName?: string | undefined;
  /** contracts: 技术吸纳, 技术输出 or both, for the district (deals/service.ts directionOf) */
  direction?: string | null | undefined;
  /** roadshows and visit stops: they count once this has passed */
  endsAt?: Date | undefined;
}

export interface Figure {
  actual: number;
  records: Contribution[];
  /** contract-value only: verified amounts by signing year, and amounts still waiting for verification */
  signed?: number;
  pending?: number;
  /** contract-value only: the counted amount of contracts in which a district enterprise buys (吸纳) or a district
   *  party sells (输出); a contract that is both is in both, so the two may add up to more than the figure */
  absorb?: number;
  export?: number;
}

const sum = (records: Contribution[]) => records.reduce((s, r) => s + r.value, 0);

/**
 * One computation's view of the records: each collection is read at most once however many figures are
 * asked for (the dashboard asks for dozens), and figures are filtered from memory.
 */
export class Ledger {
  private readonly cache = new Map<string, Promise<Contribution[]>>();
  private townsPromise: Promise<Map<string, string>> | undefined;

  constructor(readonly now = clock.now()) {}

  private once(key: string, load: () => Promise<Contribution[]>): Promise<Contribution[]> {
    let hit = this.cache.get(key);
    if (!hit) {
      hit = load();
      this.cache.set(key, hit);
    }
    return hit;
  }

  private towns(): Promise<Map<string, string>> {
    this.townsPromise ??= Enterprise.find({ deletedAt: null })
      .select('town')
      .lean<EnterpriseDoc[]>()
      .then((docs) => new Map(docs.map((d) => [String(d._id), d.town])));
    return this.townsPromise;
  }

  /** Verified contracts, dated by registration (the target's rule) or by signing. */
  contracts(by: 'registered' | 'signed', verified = true): Promise<Contribution[]> {
    return this.once(`contracts:${by}:${verified}`, async () => {
      const docs = await Contract.find({ deletedAt: null, verified }).lean<ContractDoc[]>();
      return docs.map((d) => contractContribution(d, by)).filter((c): c is Contribution => !!c);
    });
  }

  talents(category: string): Promise<Contribution[]> {
    return this.once(`talents:${category}`, async () => {
      const filter: Record<string, unknown> = { deletedAt: null, verified: true, category };
      const docs = await Talent.find(filter).lean<TalentDoc[]>();
      return docs.map(talentContribution);
    });
  }

  demands(): Promise<Contribution[]> {
    return this.once('demands', async () => {
      const docs = await Demand.find({ deletedAt: null }).select('title enterpriseName town status publishedAt').lean<DemandDoc[]>();
      return docs.map(demandContribution).filter((c): c is Contribution => !!c);
    });
  }

  matches(): Promise<Contribution[]> {
    return this.once('matches', async () => {
      const reached: Record<string, unknown> = { status: trusted({ $in: REACHED }) };
      const [docs, towns] = await Promise.all([Match.find(reached).lean<MatchDoc[]>(), this.towns()]);
      return docs.map((d) => matchContribution(d, towns.get(d.enterprise))).filter((c): c is Contribution => !!c);
    });
  }

  roadshows(): Promise<Contribution[]> {
    return this.once('roadshows', async () => {
      const docs = await Roadshow.find({ deletedAt: null }).select('title venue startsAt endsAt campaignName').lean<RoadshowDoc[]>();
      return docs.map(roadshowContribution).filter((c) => c.endsAt! <= this.now);
    });
  }

  visits(): Promise<Contribution[]> {
    return this.once('visits', async () => {
      const [docs, towns] = await Promise.all([Visit.find({ deletedAt: null }).select('expertName campaignName stops').lean<VisitDoc[]>(), this.towns()]);
      return docs.flatMap((v) => visitContributions(v, (id) => towns.get(id))).filter((c) => c.endsAt! <= this.now);
    });
  }

  entries(indicatorCode: string): Promise<Contribution[]> {
    return this.once(`entries:${indicatorCode}`, async () => {
      const docs = (await liveEntries()).filter((d) => d.indicator === indicatorCode);
      return docs.map((d) => ({
        kind: 'entry' as const,
        id: String(d._id),
        label: d.note || '手工填报',
        date: d.date,
        year: d.year,
        value: d.value,
        href: `/targets/entries/${String(d._id)}`,
        scope: { kind: d.scope.kind as Scope['kind'], code: d.scope.code },
        evidence: d.evidence ? { id: d.evidence, name: d.evidenceName ?? '证明材料' } : undefined,
        enteredByName: d.enteredByName,
      }));
    });
  }

  private source(ind: Indicator, by: 'registered' | 'signed' = 'registered'): Promise<Contribution[]> {
    switch (ind.source) {
      case 'contracts':
        return this.contracts(by);
      case 'contract-count':
        return this.contracts(by).then((rs) => rs.map((r) => ({ ...r, value: 1 })));
      case 'talents':
        return this.talents(ind.category!);
      case 'demands':
        return this.demands();
      case 'matches':
        return this.matches();
      case 'roadshows':
        return this.roadshows();
      case 'visits':
        return this.visits();
      case 'manual':
        return this.entries(ind.code);
    }
  }

  /**
   * The records behind an indicator's figure for the years from..to in a scope, newest first; `actual` is
   * their sum. Null when the indicator is not counted for that kind of scope (roadshows by town).
   */
  async figure(code: string, from: number, to: number, scope: Scope, by: 'registered' | 'signed' = 'registered'): Promise<Figure | null> {
    const ind = indicatorOf(code);
    if (!ind) return null;
    const all = await this.source(ind, by);
    const inYears = all.filter((r) => r.year >= from && r.year <= to);
    let records: Contribution[];
    if (ind.source === 'manual') {
      const here = inYears.filter((r) => r.scope?.kind === scope.kind && r.scope.code === scope.code);
      // A level (a count of enterprises, a ratio) is what the latest entry says; a flow adds up.
      records = ind.aggregate === 'level' ? here.sort(newestFirst).slice(0, 1) : here;
    } else if (scope.kind === 'town') {
      if (!hasTownDimension(ind)) return null;
      records = inYears.filter((r) => r.town === scope.code);
    } else {
      records = inYears;
    }
    records = [...records].sort(newestFirst);
    const result: Figure = { actual: sum(records), records };
    if (ind.source === 'contracts' && by === 'registered') {
      const inScope = (r: Contribution) => r.year >= from && r.year <= to && (scope.kind !== 'town' || r.town === scope.code);
      result.signed = sum((await this.contracts('signed')).filter(inScope));
      result.pending = sum((await this.contracts('signed', false)).filter(inScope));
      result.absorb = sum(records.filter((r) => r.direction === 'absorb' || r.direction === 'both'));
      result.export = sum(records.filter((r) => r.direction === 'export' || r.direction === 'both'));
    }
    return result;
  }
}

const newestFirst = (a: Contribution, b: Contribution) => b.date.getTime() - a.date.getTime() || (a.id < b.id ? 1 : -1);

// ---- what one record contributes ------------------------------------------------------------------------
// One function per kind of record, used by the Ledger (which lists records) and by the running totals
// (tallies.ts, which add them up on every write), so the two apply the same rules.

/** Match stages that count as a match made. */
export const REACHED = ['intention', 'contracted'] as const;

/** A contract dated by registration (null until registered) or by signing; deleted ones count nowhere. */
export function contractContribution(d: ContractDoc, by: 'registered' | 'signed'): Contribution | null {
  if (d.deletedAt) return null;
  const date = by === 'registered' ? d.registration?.date : d.signedAt;
  const year = by === 'registered' ? d.registeredYear : d.signedYear;
  if (!date || !year) return null; // not registered yet: not in the registered figure
  return {
    kind: 'contract',
    id: String(d._id),
    label: d.title,
    detail: `${d.buyerName} ← ${d.seller.name}${d.registration?.number ? `，登记号 ${d.registration.number}` : ''}`,
    date,
    year,
    town: d.town,
    value: d.amount,
    href: `/contracts/${String(d._id)}`,
    direction: d.direction ?? 'absorb', // contracts from before directions were recorded all had a district buyer
  };
}

/** A talent introduction (the caller decides whether unverified ones count: they do not). */
export const talentContribution = (d: TalentDoc): Contribution => ({
  kind: 'talent',
  id: String(d._id),
  label: d.name,
  detail: d.employerName,
  date: d.date,
  year: d.year,
  town: d.town,
  value: 1,
  href: `/talents/${String(d._id)}`,
});

/** A published need (not a draft, not deleted), by its publication date. */
export function demandContribution(d: Pick<DemandDoc, '_id' | 'title' | 'enterpriseName' | 'town' | 'status' | 'publishedAt' | 'deletedAt'>): Contribution | null {
  if (d.deletedAt || d.status === 'draft' || !d.publishedAt) return null;
  return {
    kind: 'demand',
    id: String(d._id),
    label: d.title,
    detail: d.enterpriseName,
    date: d.publishedAt,
    year: yearOf(d.publishedAt),
    town: d.town,
    value: 1,
    href: `/demands/${String(d._id)}`,
  };
}

/** A match that reached 达成意向 or 已签约, by the day it first did; `town` is its enterprise's. */
export function matchContribution(d: MatchDoc, town: string | null | undefined): Contribution | null {
  if (!(REACHED as readonly string[]).includes(d.status)) return null;
  const reached = (d.history ?? []).find((h) => h.to === 'intention' || h.to === 'contracted');
  const date = reached?.at ?? d.updatedAt;
  return {
    kind: 'match',
    id: String(d._id),
    label: `${d.demandTitle} ← ${d.candidateTitle}`,
    detail: reached?.to === 'contracted' ? '已签约' : '达成意向',
    date,
    year: yearOf(date),
    town,
    value: 1,
    href: `/demands/${d.demand}/pipeline`,
  };
}

/** A roadshow, by its date; it counts once `endsAt` has passed (the caller compares with its clock). */
export const roadshowContribution = (d: Pick<RoadshowDoc, '_id' | 'title' | 'venue' | 'startsAt' | 'endsAt' | 'campaignName'>): Contribution => ({
  kind: 'roadshow',
  id: String(d._id),
  label: d.title,
  detail: `${d.campaignName}，${d.venue}`,
  date: d.startsAt,
  year: yearOf(d.startsAt),
  value: 1,
  href: `/roadshows/${String(d._id)}`,
  endsAt: d.endsAt,
});

/** Each stop of a visit, one 人次, in the visited enterprise's town; each counts once its `endsAt` has passed. */
export function visitContributions(v: Pick<VisitDoc, '_id' | 'expertName' | 'campaignName' | 'stops'>, townOf: (enterprise: string) => string | null | undefined): Contribution[] {
  return (v.stops ?? []).map((s) => ({
    kind: 'visit' as const,
    id: `${String(v._id)}:${String((s as { _id?: unknown })._id ?? s.startsAt.getTime())}`,
    label: `${v.expertName} → ${s.enterpriseName}`,
    detail: v.campaignName,
    date: s.startsAt,
    year: yearOf(s.startsAt),
    town: townOf(s.enterprise),
    value: 1,
    href: `/visits/${String(v._id)}`,
    endsAt: s.endsAt,
  }));
}
