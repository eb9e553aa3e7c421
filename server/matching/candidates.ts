// A candidate entering a need's pipeline: the one way a pipeline row (Match) is created, whether a broker takes a
// candidate up (service.ts shortlist) or a result's institution or an expert answers the need (responses.ts).
// Score and reasons are the matcher's for the need as it stands; a pair (need, candidate) exists once.
import type { SearchIndex } from '../platform/search/port.ts';
import { clock } from '../platform/clock.ts';
import type { DemandDoc } from '../demands/model.ts';
import { matchesForNeed } from './matcher.ts';
import { Match, type MatchDoc } from './model.ts';
import { needProfile } from './suggestions.ts';

const DAY = 86_400_000;

export interface Candidate {
  kind: 'result' | 'expert';
  id: string;
  title: string;
  /** who answers for the candidate: the result's institution or the expert */
  counterpart: { kind: 'institution' | 'expert'; id: string };
}

export interface Entry {
  status: 'suggested' | 'shortlisted';
  by: string;
  byName: string;
  note?: string | undefined;
  /** said first, before the matcher's reasons (e.g. "X主动揭榜") */
  reason?: string;
  /** days until the broker's feedback is due, for a stage that has a deadline */
  dueInDays?: number | undefined;
}

/** Creates the pipeline row; undefined when the candidate is already in this need's pipeline (its stage stays). */
export async function newMatch(index: SearchIndex | undefined, doc: DemandDoc, candidate: Candidate, entry: Entry): Promise<MatchDoc | undefined> {
  const demandId = String(doc._id);
  const scored = index ? (await matchesForNeed(index, needProfile(doc), candidate.kind, 200)).find((m) => m.id === candidate.id) : undefined;
  const reasons = entry.reason ? [entry.reason, ...(scored?.reasons ?? [])] : (scored?.reasons ?? ['经纪人手动添加']);
  const now = clock.now();
  try {
    const created = await Match.create({
      demand: demandId,
      demandTitle: doc.title,
      enterprise: doc.enterprise,
      candidateKind: candidate.kind,
      candidate: candidate.id,
      candidateTitle: candidate.title,
      counterpart: candidate.counterpart,
      score: scored?.score ?? 0,
      reasons,
      status: entry.status,
      broker: doc.broker,
      ...(entry.dueInDays !== undefined ? { dueAt: new Date(now.getTime() + entry.dueInDays * DAY) } : {}),
      history: [{ to: entry.status, at: now, by: entry.by, byName: entry.byName, note: entry.note }],
      pair: `${demandId}|${candidate.kind}:${candidate.id}`,
    });
    return created.toObject() as MatchDoc;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return undefined;
    throw err;
  }
}
