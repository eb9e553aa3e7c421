// Who may do what with an expert's profile, and which experts a list shows (docs/architecture.md "Policies").
// The directory is public; the expert (the account that speaks for the profile) and organizers edit it, only
// organizers delete it. The private contact is contacts/policy.ts.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, speaksFor, type OwnedRecord } from '../platform/auth/policy.ts';

export type ExpertRecord = OwnedRecord;

export const isExpertOwner = speaksFor('expert');

export const expertPolicy = definePolicy<ExpertRecord>()({
  view: () => true,
  edit: (actor, doc) => (isExpertOwner(actor, doc) || isOrganizer(actor) ? true : '只能编辑自己的专家信息。'),
  delete: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以删除专家。'),
});

export type ExpertAction = (typeof expertPolicy.actions)[number];

/** Every listed expert is public (deleted ones are gone for everyone). */
export const visibleFilter = (_actor: Actor | undefined): Record<string, unknown> => ({ deletedAt: null });
