import { Forbidden } from '../errors.ts';
// Who is asking: a plain value services receive instead of req.user. The user's linked profile (their
// enterprise, institution, expert or broker record) is how ownership is decided.
export const ROLES = ['enterprise', 'institution', 'expert', 'broker', 'organizer'] as const;
export type Role = (typeof ROLES)[number];
export type AccountStatus = 'pending' | 'active' | 'disabled';
export type ProfileKind = 'enterprise' | 'institution' | 'expert' | 'broker';

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: AccountStatus;
  /** The record this account speaks for, once it has one. */
  profile?: { kind: ProfileKind; id: string } | undefined;
  totpEnabled?: boolean;
}

export const isOrganizer = (actor: Actor | undefined): boolean => actor?.role === 'organizer' && actor.status === 'active';

/** A service's check for work only the bureau does; `what` completes 只有区科技局可以…。 (the HTTP guard is guards.ts organizerOnly). */
export function assertOrganizer(actor: Actor | undefined, what: string): void {
  if (!isOrganizer(actor)) throw new Forbidden(`只有区科技局可以${what}。`);
}
export const isActive = (actor: Actor | undefined): boolean => actor?.status === 'active';
