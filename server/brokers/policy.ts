// Who may do what with a technology broker's profile, and which brokers a list shows (docs/architecture.md
// "Policies"). The directory is public; the broker and organizers edit the profile and see its claims, only
// organizers delete it or set its claim limit (docs/security.md 38). The private contact is contacts/policy.ts.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, speaksFor, type OwnedRecord } from '../platform/auth/policy.ts';

export type BrokerRecord = OwnedRecord;

export const isBrokerOwner = speaksFor('broker');

const editor = (actor: Actor | undefined, doc: BrokerRecord) => isBrokerOwner(actor, doc) || isOrganizer(actor);

export const brokerPolicy = definePolicy<BrokerRecord>()({
  view: () => true,
  edit: (actor, doc) => (editor(actor, doc) ? true : '只能编辑自己的技术经纪人信息。'),
  delete: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以删除技术经纪人。'),
  /** the unconfirmed claims and their limit, on the broker's page */
  seeClaims: (actor, doc) => (editor(actor, doc) ? true : '只有该经纪人和区科技局可以查看认领情况。'),
  setClaimLimit: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以调整经纪人的认领上限。'),
});

export type BrokerAction = (typeof brokerPolicy.actions)[number];

/** Every listed broker is public (deleted ones are gone for everyone). */
export const visibleFilter = (_actor: Actor | undefined): Record<string, unknown> => ({ deletedAt: null });
