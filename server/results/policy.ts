// Who may do what with a research result (成果), and which results a list shows (docs/architecture.md "Policies").
// The institution that owns the result and organizers edit it; a draft is theirs alone (404 to anyone else).
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, refuse } from '../platform/auth/policy.ts';

/** What the rules read of a result. */
export interface ResultRecord {
  institution: string;
  status?: string | null | undefined;
}

export function ownsResult(actor: Actor | undefined, doc: { institution: string }): boolean {
  return !!actor && actor.status === 'active' && actor.profile?.kind === 'institution' && actor.profile.id === doc.institution;
}

const editor = (actor: Actor | undefined, doc: ResultRecord) => ownsResult(actor, doc) || isOrganizer(actor);

export const resultPolicy = definePolicy<ResultRecord>()({
  view: (actor, doc) => (doc.status !== 'draft' || editor(actor, doc) ? true : refuse.notFound('科技成果不存在。')),
  edit: (actor, doc) => (editor(actor, doc) ? true : '只能编辑本机构的科技成果。'),
  delete: (actor, doc) => (editor(actor, doc) ? true : '只能删除本机构的科技成果。'),
  /** move the result to another institution */
  reassign: (actor) => (isOrganizer(actor) ? true : '只有区科技局可以更换成果所属机构。'),
});

export type ResultAction = (typeof resultPolicy.actions)[number];

/**
 * The results a list shows: all of them (drafts included) when the viewer may edit every listed result (an
 * organizer, or an institution listing its own), else the published ones. Profile pages (an institution's, an
 * expert's) list the published ones.
 */
export function visibleFilter(_actor: Actor | undefined, opts: { mayEdit?: boolean } = {}): Record<string, unknown> {
  return { deletedAt: null, ...(opts.mayEdit ? {} : { status: 'published' }) };
}
