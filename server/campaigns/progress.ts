// A campaign's progress, computed from the records and never typed in:
// - per university (联百校转千果): contacted → results collected (results tagged into the campaign from that
//   university) → matched (of those results, the ones with a live Match in a broker pipeline) → contracts
//   signed (verified contracts from the campaign whose seller is that university);
// - 专家东宝行: experts who visited, visits made (stops held), enterprises served, problems collected and
//   follow-up needs, from the visit itineraries and their reports;
// - events: roadshows held, registered and checked-in enterprises, intentions, verified contracts.
import { trusted } from '../platform/db/connection.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Match, type MatchDoc } from '../matching/model.ts';
import { Contract, type ContractDoc } from '../deals/model.ts';
import { GOAL_KEYS, Roadshow, Visit, type CampaignDoc, type GoalKey, type RoadshowDoc, type VisitDoc } from './model.ts';
import { GOALS } from './schema.ts';
import { clock } from '../platform/clock.ts';
import { calendarDate } from '../platform/time.ts';

export interface FunnelRow {
  institution: { id: string; name: string };
  /** taken on by the campaign (rather than only having results in it) */
  listed: boolean;
  contactedOn?: Date | null | undefined;
  results: number;
  matched: number;
  contracts: number;
  amount: number;
}

export interface Progress {
  goals: { key: GoalKey; label: string; unit: string; target: number; actual: number; percent: number }[];
  funnel: { rows: FunnelRow[]; totals: { institutions: number; contacted: number; results: number; matched: number; contracts: number; amount: number } };
  visits: { itineraries: number; experts: number; visits: number; enterprises: number; problems: number; followUps: number };
  events: { roadshows: number; held: number; registrations: number; checkedIn: number; intentions: number; contracts: number; amount: number };
}

async function funnelOf(campaign: CampaignDoc, contracts: ContractDoc[]): Promise<Progress['funnel']> {
  const id = String(campaign._id);
  const results = await Result.find({ campaigns: id, deletedAt: null }).lean<ResultDoc[]>();
  const resultIds = results.map((r) => String(r._id));
  const matches = resultIds.length
    ? await Match.find({ candidateKind: 'result', candidate: trusted({ $in: resultIds }) }).lean<MatchDoc[]>()
    : [];
  const matchedResults = new Set(matches.filter((m) => m.status !== 'declined').map((m) => m.candidate));

  const rows = new Map<string, FunnelRow>();
  const row = (instId: string, name: string) => {
    let r = rows.get(instId);
    if (!r) rows.set(instId, (r = { institution: { id: instId, name }, listed: false, results: 0, matched: 0, contracts: 0, amount: 0 }));
    return r;
  };
  for (const p of campaign.institutions ?? []) Object.assign(row(p.institution, p.name), { listed: true, contactedOn: calendarDate(p.contactedOn) });
  for (const r of results) {
    const entry = row(r.institution, r.institutionName);
    entry.results++;
    if (matchedResults.has(String(r._id))) entry.matched++;
  }
  for (const c of contracts) {
    if (c.seller?.kind !== 'institution' || !c.seller.id) continue;
    const entry = row(c.seller.id, c.seller.name);
    entry.contracts++;
    entry.amount += c.amount ?? 0;
  }
  const list = [...rows.values()].sort((a, b) => b.contracts - a.contracts || b.matched - a.matched || b.results - a.results || a.institution.name.localeCompare(b.institution.name, 'zh-CN'));
  const sum = (f: (r: FunnelRow) => number) => list.reduce((n, r) => n + f(r), 0);
  return {
    rows: list,
    totals: {
      institutions: list.length,
      contacted: list.filter((r) => r.contactedOn).length,
      results: sum((r) => r.results),
      matched: sum((r) => r.matched),
      contracts: sum((r) => r.contracts),
      amount: sum((r) => r.amount),
    },
  };
}

function visitsOf(visits: VisitDoc[], now: Date): Progress['visits'] {
  const experts = new Set<string>();
  const enterprises = new Set<string>();
  let held = 0;
  let problems = 0;
  let followUps = 0;
  for (const v of visits) {
    for (const s of v.stops ?? []) {
      problems += s.report?.problems?.length ?? 0;
      followUps += s.followUps?.length ?? 0;
      // A stop counts once it has been reported on or its time is over.
      if (!s.report?.at && s.endsAt.getTime() > now.getTime()) continue;
      held++;
      experts.add(v.expert);
      enterprises.add(s.enterprise);
    }
  }
  return { itineraries: visits.length, experts: experts.size, visits: held, enterprises: enterprises.size, problems, followUps };
}

function eventsOf(roadshows: RoadshowDoc[], contracts: ContractDoc[], now: Date): Progress['events'] {
  let registrations = 0;
  let checkedIn = 0;
  let intentions = 0;
  for (const r of roadshows) {
    registrations += (r.registrations ?? []).filter((g) => g.status === 'confirmed').length;
    checkedIn += (r.registrations ?? []).filter((g) => g.checkedInAt).length;
    intentions += (r.outcomes ?? []).filter((o) => o.kind === 'intention').length;
  }
  return {
    roadshows: roadshows.length,
    held: roadshows.filter((r) => r.startsAt.getTime() <= now.getTime()).length,
    registrations,
    checkedIn,
    intentions,
    contracts: contracts.length,
    amount: contracts.reduce((n, c) => n + (c.amount ?? 0), 0),
  };
}

export async function progressOf(campaign: CampaignDoc, now = clock.now()): Promise<Progress> {
  const id = String(campaign._id);
  const [contracts, roadshows, visits] = await Promise.all([
    Contract.find({ 'source.campaign': id, verified: true }).lean<ContractDoc[]>(),
    Roadshow.find({ campaign: id, deletedAt: null }).lean<RoadshowDoc[]>(),
    Visit.find({ campaign: id, deletedAt: null }).lean<VisitDoc[]>(),
  ]);
  const live = contracts.filter((c) => !c.deletedAt);
  const funnel = await funnelOf(campaign, live);
  const visitFigures = visitsOf(visits, now);
  const events = eventsOf(roadshows, live, now);
  const actual: Record<GoalKey, number> = {
    universities: funnel.totals.contacted,
    results: funnel.totals.results,
    matches: funnel.totals.matched,
    contracts: events.contracts,
    experts: visitFigures.experts,
    visits: visitFigures.visits,
    enterprises: visitFigures.enterprises,
    problems: visitFigures.problems,
    followUps: visitFigures.followUps,
    roadshows: events.held,
    attendees: events.checkedIn,
    intentions: events.intentions,
  };
  const targets = (campaign.goals ?? {}) as Partial<Record<GoalKey, number | null>>;
  const goals = GOAL_KEYS.filter((k) => typeof targets[k] === 'number' && targets[k]! > 0).map((key) => {
    const target = targets[key]!;
    return { key, label: GOALS[key].label, unit: GOALS[key].unit, target, actual: actual[key], percent: Math.min(100, Math.round((actual[key] / target) * 100)) };
  });
  return { goals, funnel, visits: visitFigures, events };
}
