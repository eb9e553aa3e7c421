// Who may do what with an enterprise's or an institution's record, and which a list shows
// (docs/architecture.md "Policies"). Both directories are public; the account that speaks for the record and
// organizers edit it, only organizers delete it. The private contact is contacts/policy.ts.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, speaksFor, type OwnedRecord } from '../platform/auth/policy.ts';

export type OrganizationRecord = OwnedRecord;

export const isEnterpriseOwner = speaksFor('enterprise');
export const isInstitutionOwner = speaksFor('institution');

export const enterprisePolicy = definePolicy<OrganizationRecord>()({
  view: () => true,
  edit: (actor, doc) => (isEnterpriseOwner(actor, doc) || isOrganizer(actor) ? true : '只能编辑自己企业的信息。'),
  delete: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以删除企业。'),
});

export const institutionPolicy = definePolicy<OrganizationRecord>()({
  view: () => true,
  edit: (actor, doc) => (isInstitutionOwner(actor, doc) || isOrganizer(actor) ? true : '只能编辑本机构的信息。'),
  delete: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以删除机构。'),
});

export type EnterpriseAction = (typeof enterprisePolicy.actions)[number];
export type InstitutionAction = (typeof institutionPolicy.actions)[number];

/** Every listed enterprise and institution is public (deleted ones are gone for everyone). */
export const visibleFilter = (_actor: Actor | undefined): Record<string, unknown> => ({ deletedAt: null });
