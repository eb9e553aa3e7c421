// Who may do what with a technology contract, and which contracts a list shows (docs/architecture.md
// "Policies"). Contracts are business records: seen by their parties (buyer, seller, broker, the account that
// recorded it) and organizers, and to anyone else they do not exist (404, docs/security.md 37). The recorder
// corrects an entry until an organizer verifies it; after that only organizers change it.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, refuse } from '../platform/auth/policy.ts';

export type ContractParty = 'organizer' | 'recorder' | 'broker' | 'buyer' | 'seller';

/** What the rules read of a contract. */
export interface ContractRecord {
  createdBy?: string | null | undefined;
  broker?: string | null | undefined;
  buyer?: string | null | undefined;
  seller: { kind: string; id?: string | null | undefined };
  verified: boolean;
}

export function contractPartyOf(actor: Actor | undefined, doc: ContractRecord): ContractParty | undefined {
  if (!actor || actor.status !== 'active') return undefined;
  if (isOrganizer(actor)) return 'organizer';
  if (doc.createdBy === actor.id) return 'recorder';
  const p = actor.profile;
  if (!p) return undefined;
  if (p.kind === 'broker' && doc.broker === p.id) return 'broker';
  if (p.kind === 'enterprise' && doc.buyer === p.id) return 'buyer';
  if (doc.seller.kind === p.kind && doc.seller.id === p.id) return 'seller';
  return undefined;
}

const editor = (actor: Actor | undefined, doc: ContractRecord) => {
  const party = contractPartyOf(actor, doc);
  return party === 'organizer' || (party === 'recorder' && !doc.verified);
};

export const contractPolicy = definePolicy<ContractRecord>()({
  view: (actor, doc) => (contractPartyOf(actor, doc) ? true : refuse.notFound('技术合同不存在。')),
  edit: (actor, doc) =>
    editor(actor, doc) ? true : contractPartyOf(actor, doc) === 'recorder' ? '合同已核实，如需更正请联系区科技局。' : '只有登记人和区科技局可以修改技术合同。',
  delete: (actor, doc) => (editor(actor, doc) ? true : '只有登记人（核实前）和区科技局可以删除技术合同。'),
  /** an organizer confirms it against its papers, once */
  verify: (actor, doc) => (!isOrganizer(actor) ? '只有区科技局可以核实技术合同。' : doc.verified ? refuse.conflict('该合同已核实。') : true),
});

export type ContractAction = (typeof contractPolicy.actions)[number];

/** The contracts a list shows this viewer: organizers all, others those they are a party to; visitors none (null). */
export function visibleFilter(actor: Actor | undefined): Record<string, unknown> | null {
  if (!actor || actor.status !== 'active') return null;
  if (isOrganizer(actor)) return { deletedAt: null };
  const or: Record<string, unknown>[] = [{ createdBy: actor.id }];
  const p = actor.profile;
  if (p?.kind === 'broker') or.push({ broker: p.id });
  if (p?.kind === 'enterprise') or.push({ buyer: p.id });
  if (p?.kind === 'enterprise' || p?.kind === 'institution' || p?.kind === 'expert') or.push({ 'seller.kind': p.kind, 'seller.id': p.id });
  return { deletedAt: null, $or: or };
}
