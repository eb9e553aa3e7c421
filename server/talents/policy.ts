// Who may do what with a talent introduction record, and which a list shows (docs/architecture.md "Policies").
// Seen only by the account that recorded it and organizers (to anyone else it does not exist: 404,
// docs/security.md 37); the recorder corrects it until an organizer verifies it.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy, refuse } from '../platform/auth/policy.ts';

/** What the rules read of a talent record. */
export interface TalentRecord {
  createdBy?: string | null | undefined;
  verified: boolean;
}

export const isRecorder = (actor: Actor | undefined, doc: TalentRecord): boolean => !!actor && actor.status === 'active' && doc.createdBy === actor.id;

const editor = (actor: Actor | undefined, doc: TalentRecord) => isOrganizer(actor) || (isRecorder(actor, doc) && !doc.verified);

export const talentPolicy = definePolicy<TalentRecord>()({
  view: (actor, doc) => (isOrganizer(actor) || isRecorder(actor, doc) ? true : refuse.notFound('人才引进记录不存在。')),
  edit: (actor, doc) => (editor(actor, doc) ? true : isRecorder(actor, doc) ? '记录已核实，如需更正请联系区科技局。' : '只有登记人和区科技局可以修改该记录。'),
  delete: (actor, doc) => (editor(actor, doc) ? true : '只有登记人（核实前）和区科技局可以删除该记录。'),
  verify: (actor, doc) => (!isOrganizer(actor) ? '只有区科技局可以核实人才引进记录。' : doc.verified ? refuse.conflict('该记录已核实。') : true),
});

export type TalentAction = (typeof talentPolicy.actions)[number];

/** The records a list shows this viewer: organizers all, others those they recorded; visitors none (null). */
export function visibleFilter(actor: Actor | undefined): Record<string, unknown> | null {
  if (!actor || actor.status !== 'active') return null;
  return { deletedAt: null, ...(isOrganizer(actor) ? {} : { createdBy: actor.id }) };
}
