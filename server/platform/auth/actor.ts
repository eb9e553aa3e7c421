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
export const isActive = (actor: Actor | undefined): boolean => actor?.status === 'active';
