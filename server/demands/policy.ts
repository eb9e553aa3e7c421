// Who may do what with a technical need, and which needs a list shows (docs/architecture.md "Policies").
// Pages ask `demandPolicy.can` to show a button; demands/service.ts (and matching/service.ts for claims)
// refuse with the same rule. The parties are workflow.ts `partyOf`: the owning enterprise, the broker on the
// need, organizers.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { definePolicy, refuse, type Verdict } from '../platform/auth/policy.ts';
import { FINDABLE } from '../search/visibility.ts';
import { claimRefusal, mayConfirmClaim, partyOf, type DemandStatus } from './workflow.ts';

/** What the rules read of a need. */
export interface DemandRecord {
  enterprise: string;
  broker?: string | null | undefined;
  brokerConfirmedAt?: Date | null | undefined;
  status: string;
  visibility?: string | null | undefined;
}

const NOT_FOUND = '技术需求不存在。';
const editor = (actor: Actor | undefined, doc: DemandRecord) => {
  const party = partyOf(actor, doc);
  return party === 'owner' || party === 'organizer';
};

export const demandPolicy = definePolicy<DemandRecord>()({
  /** drafts are their parties' own (404 to anyone else); members-only needs ask visitors to sign in */
  view(actor, doc): Verdict {
    if (doc.status === 'draft' && !partyOf(actor, doc)) return refuse.notFound(NOT_FOUND);
    if (doc.visibility === 'members' && !actor) return refuse.signIn('该技术需求仅对注册用户公开，请先登录。');
    return true;
  },
  edit(actor, doc) {
    if (editor(actor, doc) && doc.status !== 'contracted') return true;
    return doc.status === 'contracted' ? '已签约的需求不能再修改。' : '只能编辑本企业的技术需求。';
  },
  delete(actor, doc) {
    if (editor(actor, doc) && ['draft', 'published', 'closed'].includes(doc.status)) return true;
    return partyOf(actor, doc) ? '对接中、洽谈中或已签约的需求不能删除，可以先关闭。' : '只能删除本企业的技术需求。';
  },
  /** to change the status at all; which statuses is workflow.ts allowedTransitions (409 for another) */
  transition: (actor, doc) => (partyOf(actor, doc) ? true : '只有发布企业、对接经纪人和区科技局可以变更需求状态。'),
  clarify: (actor, doc) => (partyOf(actor, doc) ? true : '只有发布企业、对接经纪人和区科技局可以完善需求。'),
  /** organizers assign (or unassign) the broker; their assignment is confirmed */
  assignBroker: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以指派技术经纪人。'),
  /** a broker with a profile claims an unassigned need that is published or matching (workflow.ts claimRefusal) */
  claim(actor, doc) {
    const refusal = claimRefusal(actor, doc);
    if (!refusal) return true;
    return refusal.kind === 'forbidden' ? refusal.message : refuse.conflict(refusal.message);
  },
  /** the owner or an organizer confirms a waiting claim (workflow.ts mayConfirmClaim) */
  confirmClaim: (actor, doc) => (mayConfirmClaim(partyOf(actor, doc), doc) ? true : '只有发布企业和区科技局可以确认经纪人的认领。'),
});

export type DemandAction = (typeof demandPolicy.actions)[number];

/**
 * The needs a list shows this viewer (docs/security.md 44): every one, drafts and closed ones included, when
 * `mayEdit` (the viewer may edit the party whose needs are listed: an enterprise's page, a broker's page);
 * else the findable ones (search/visibility.ts FINDABLE: in progress or contracted, never drafts or closed);
 * members-only needs never to visitors. Every list of needs outside the need hall uses it.
 */
export function visibleFilter(actor: Actor | undefined, opts: { mayEdit?: boolean } = {}): Record<string, unknown> {
  return {
    deletedAt: null,
    ...(opts.mayEdit ? {} : { status: trusted({ $in: FINDABLE }) }),
    ...(actor ? {} : { visibility: trusted({ $ne: 'members' }) }),
  };
}

/** Statuses the need hall shows when no status is asked for: organizers see all but drafts, others the findable ones. */
export function hallStatuses(actor: Actor | undefined): readonly DemandStatus[] {
  return (isOrganizer(actor) ? ['published', 'matching', 'negotiating', 'contracted', 'closed'] : FINDABLE) as readonly DemandStatus[];
}
