// Who may do what with a row of the 年度目标分解表, and which rows a list shows (docs/architecture.md
// "Policies"). The table and its progress are public; only organizers maintain it and open the drill-down of
// the records behind a figure (the link on a target's page).
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { definePolicy } from '../platform/auth/policy.ts';

const ORGANIZERS_ONLY = '只有区科技局可以维护目标分解表。';

export const targetPolicy = definePolicy<unknown>()({
  view: () => true,
  edit: (actor) => (isOrganizer(actor) ? true : ORGANIZERS_ONLY),
  delete: (actor) => (isOrganizer(actor) ? true : ORGANIZERS_ONLY),
});

export type TargetAction = (typeof targetPolicy.actions)[number];

/** Every row of the table is public (deleted ones are gone for everyone). */
export const visibleFilter = (_actor: Actor | undefined): Record<string, unknown> => ({ deletedAt: null });
