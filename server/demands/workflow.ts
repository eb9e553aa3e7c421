// The need's life: draft → published → matching → negotiating → contracted | closed (docs/design.md "Vocabulary"), and who
// may move it. Contracted is normally reached by recording a contract (deals module).
import type { Actor } from '../platform/auth/actor.ts';
import type { demandStatus } from '../vocabulary/index.ts';

export type DemandStatus = (typeof demandStatus.keys)[number];

export const transitions: Readonly<Record<DemandStatus, readonly DemandStatus[]>> = {
  draft: ['published', 'closed'],
  published: ['matching', 'draft', 'closed'],
  matching: ['negotiating', 'published', 'closed'],
  negotiating: ['contracted', 'matching', 'closed'],
  contracted: [],
  closed: ['published'],
};

/** What each party may do, beyond what the graph allows. */
const byParty: Record<'owner' | 'broker' | 'organizer', readonly DemandStatus[]> = {
  owner: ['published', 'draft', 'closed', 'matching', 'negotiating'],
  broker: ['matching', 'negotiating', 'contracted', 'published'],
  organizer: ['published', 'draft', 'closed', 'matching', 'negotiating', 'contracted'],
};

export type Party = 'owner' | 'broker' | 'organizer';

export function partyOf(actor: Actor | undefined, demand: { enterprise: string; broker?: string | null }): Party | undefined {
  if (!actor || actor.status !== 'active') return undefined;
  if (actor.role === 'organizer') return 'organizer';
  if (actor.profile?.kind === 'enterprise' && actor.profile.id === demand.enterprise) return 'owner';
  if (actor.profile?.kind === 'broker' && demand.broker && actor.profile.id === demand.broker) return 'broker';
  return undefined;
}

/**
 * Who may confirm a broker's claim on the need (which is what lets the broker see the enterprise's contact):
 * the enterprise that owns it and organizers, while a claim waits.
 */
export function mayConfirmClaim(party: Party | undefined, demand: { broker?: string | null; brokerConfirmedAt?: Date | null }): boolean {
  return (party === 'owner' || party === 'organizer') && !!demand.broker && !demand.brokerConfirmedAt;
}

export function allowedTransitions(party: Party | undefined, from: DemandStatus): DemandStatus[] {
  if (!party) return [];
  return transitions[from].filter((to) => byParty[party].includes(to));
}

/** Needs anyone may see (drafts are their owners' own). */
export const PUBLIC_STATUSES: readonly DemandStatus[] = ['published', 'matching', 'negotiating', 'contracted', 'closed'];

/**
 * How complete the need is for matchmaking (0–100) and what is missing, in the owner's words: vague needs
 * are the first reason matchmaking fails.
 */
export function completeness(d: {
  description: string;
  keywords?: string[] | null;
  budgetMin?: number | null;
  budgetMax?: number | null;
  deadline?: Date | null;
  cooperationModes?: string[] | null;
  clarification?: { indicator?: string | null; bottleneck?: string | null; targetMaturity?: string | null } | null;
}): { score: number; missing: string[] } {
  const checks: [number, boolean, string][] = [
    [15, Array.from(d.description).length >= 80, '需求描述不少于 80 字，写清现状、问题和目标'],
    [15, (d.keywords?.length ?? 0) >= 3, '至少 3 个关键词'],
    [15, d.budgetMin != null || d.budgetMax != null, '预算范围'],
    [10, !!d.deadline, '截止日期'],
    [10, (d.cooperationModes?.length ?? 0) > 0, '可接受的合作方式'],
    [15, !!d.clarification?.indicator, '关键技术指标（要达到的具体数值）'],
    [10, !!d.clarification?.bottleneck, '当前瓶颈（卡在哪里、已试过什么）'],
    [10, !!d.clarification?.targetMaturity, '期望的成果成熟度'],
  ];
  let score = 0;
  const missing: string[] = [];
  for (const [points, ok, hint] of checks) {
    if (ok) score += points;
    else missing.push(hint);
  }
  return { score, missing };
}

/** Statuses in which an unassigned need may be claimed by a broker. */
export const CLAIMABLE: readonly DemandStatus[] = ['published', 'matching'];

/**
 * Why the actor may not claim the need, or undefined when they may: the claim button (demands/pages.ts) and the
 * claim itself (matching/service.ts `claim`) both ask this, so a button is never shown for a claim that is refused.
 * `forbidden` reasons are 403, `conflict` ones 409.
 */
export function claimRefusal(
  actor: Actor | undefined,
  demand: { broker?: string | null; status: string },
): { kind: 'forbidden' | 'conflict'; message: string } | undefined {
  if (!actor || actor.status !== 'active' || actor.role !== 'broker' || actor.profile?.kind !== 'broker') {
    return { kind: 'forbidden', message: '只有完善了资料的技术经纪人可以认领需求。' };
  }
  if (demand.broker) return { kind: 'conflict', message: demand.broker === actor.profile.id ? '您已认领该需求。' : '该需求已由其他经纪人负责。' };
  if (!CLAIMABLE.includes(demand.status as DemandStatus)) return { kind: 'conflict', message: '只能认领已发布或对接中的需求。' };
  return undefined;
}
