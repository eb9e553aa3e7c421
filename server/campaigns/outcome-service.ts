// What came of a roadshow, recorded by organizers once it has begun: an intention between a need and a result
// or expert goes into the need's broker pipeline (matching's shortlist); a contract is recorded in the deals
// module from a link that carries the roadshow and its campaign.
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { Match, type MatchDoc } from '../matching/model.ts';
import { shortlist } from '../matching/service.ts';
import { Roadshow, type RoadshowDoc } from './model.ts';
import type { OutcomeInput } from './schema.ts';
import { loadRoadshow } from './roadshow-service.ts';
import { clock } from '../platform/clock.ts';

export interface OutcomeView {
  id: string;
  kind: 'intention' | 'contract';
  kindLabel: string;
  enterprise?: { id: string; name: string } | undefined;
  demand?: { id: string; title: string } | undefined;
  candidate?: { kind: 'result' | 'expert'; id: string; title: string } | undefined;
  match?: string | undefined;
  note?: string | null | undefined;
  at: Date;
  byName?: string | null | undefined;
  /** where the contract is to be recorded (kind contract) */
  contractLink?: string | undefined;
}

const KIND_LABELS = { intention: '合作意向', contract: '签约' } as const;

export const contractLink = (doc: { _id: unknown; campaign: string }) => `/contracts/new?roadshow=${String(doc._id)}&campaign=${doc.campaign}`;

export function outcomeViews(doc: RoadshowDoc): OutcomeView[] {
  return (doc.outcomes ?? []).map((o) => {
    const kind = o.kind as OutcomeView['kind'];
    return {
      id: String((o as { _id?: unknown })._id),
      kind,
      kindLabel: KIND_LABELS[kind],
      enterprise: o.enterprise?.id ? { id: o.enterprise.id, name: o.enterprise.name ?? '' } : undefined,
      demand: o.demand?.id ? { id: o.demand.id, title: o.demand.title ?? '' } : undefined,
      candidate: o.candidate?.id ? { kind: o.candidate.kind as 'result' | 'expert', id: o.candidate.id, title: o.candidate.title ?? '' } : undefined,
      match: o.match ?? undefined,
      note: o.note,
      at: o.at,
      byName: o.byName,
      contractLink: kind === 'contract' ? contractLink(doc) : undefined,
    };
  });
}

async function named(input: OutcomeInput) {
  const demand = input.demand ? await findLive<DemandDoc>(Demand, input.demand) : undefined;
  if (input.demand && !demand) throw new Invalid({ demand: '所选技术需求不存在。' });
  const entId = input.enterprise ?? demand?.enterprise;
  const enterprise = entId ? await findLive<EnterpriseDoc>(Enterprise, entId) : undefined;
  if (entId && !enterprise) throw new Invalid({ enterprise: '所选企业不存在。' });
  let candidate: { kind: 'result' | 'expert'; id: string; title: string } | undefined;
  if (input.candidate) {
    const { kind, id } = input.candidate;
    const doc = kind === 'result' ? await findLive<ResultDoc>(Result, id) : await findLive<ExpertDoc>(Expert, id);
    if (!doc) throw new Invalid({ candidate: kind === 'result' ? '所选科技成果不存在。' : '所选专家不存在。' });
    candidate = { kind, id, title: kind === 'result' ? (doc as ResultDoc).title : (doc as ExpertDoc).name };
  }
  return { demand, enterprise, candidate };
}

/** The pipeline record for an intention: a new shortlisting, or the one the pair already has. */
async function pipelineMatch(index: SearchIndex, actor: Actor, demandId: string, candidate: { kind: 'result' | 'expert'; id: string }, note: string): Promise<string> {
  try {
    return (await shortlist(index, actor, demandId, candidate, note)).id;
  } catch (err) {
    if (!(err instanceof Conflict)) throw err;
    const existing = await Match.findOne({ pair: `${demandId}|${candidate.kind}:${candidate.id}` }).lean<MatchDoc>();
    if (!existing) throw err;
    return String(existing._id);
  }
}

export async function recordOutcome(index: SearchIndex, actor: Actor, roadshowId: string, input: OutcomeInput, now = clock.now()): Promise<OutcomeView> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以记录路演成果。');
  const doc = await loadRoadshow(roadshowId);
  if (doc.startsAt.getTime() > now.getTime()) throw new Conflict(`路演“${doc.title}”尚未开始，活动开始后再记录成果。`);
  const { demand, enterprise, candidate } = await named(input);
  let match: string | undefined;
  if (input.kind === 'intention' && demand && candidate) {
    match = await pipelineMatch(index, actor, String(demand._id), candidate, input.note ?? `路演“${doc.title}”达成合作意向`);
  }
  const outcome = {
    _id: new mongoose.Types.ObjectId(),
    kind: input.kind,
    enterprise: enterprise ? { id: String(enterprise._id), name: enterprise.name } : undefined,
    demand: demand ? { id: String(demand._id), title: demand.title } : undefined,
    candidate,
    match,
    note: input.note,
    at: now,
    by: actor.id,
    byName: actor.name,
  };
  await Roadshow.updateOne({ _id: roadshowId }, { $push: { outcomes: { $each: [outcome] } }, $inc: { rev: 1 } });
  const saved = await loadRoadshow(roadshowId);
  return outcomeViews(saved).find((o) => o.id === String(outcome._id))!;
}
