// Who must pass which step, and how long an API token lives — the accounts module's rules in one place.
// Organizers manage all the platform's data: they sign in with a second factor (TOTP, totp.ts), and the web
// lets them make API tokens only from a session that passed it. The server's command line (server/cli.ts) is
// the administrator's way in and needs neither.
import type { Actor } from '../platform/auth/actor.ts';

const DAY = 86_400_000;

/**
 * Days an API token made on the web (the /account page) lives before it must be renewed: 90 for organizers,
 * one year for every other account. Tokens made with `npm run cli -- token:create` do not expire unless
 * `--days` is given.
 */
export const WEB_TOKEN_DAYS = { organizer: 90, other: 365 } as const;

/** Accounts that must use a second factor: organizers. They cannot turn it off, and make web tokens only with it. */
export const secondFactorRequired = (actor: Pick<Actor, 'role'>): boolean => actor.role === 'organizer';

/**
 * Web sessions held at the code step or at enrolment until they pass a second factor (accounts/second-factor.ts):
 * those of active accounts that must use one. A pending organizer can do nothing anyway; once approved, its
 * next request is held.
 */
export const sessionNeedsSecondFactor = (actor: Pick<Actor, 'role' | 'status'>): boolean => secondFactorRequired(actor) && actor.status === 'active';

/** How long a token made on the web lives, for this account. */
export const webTokenLifetimeMs = (actor: Pick<Actor, 'role'>): number =>
  (actor.role === 'organizer' ? WEB_TOKEN_DAYS.organizer : WEB_TOKEN_DAYS.other) * DAY;

/**
 * Whether a web session may make (or renew) an API token: an account that must use a second factor only from
 * a session that passed it, since a token outlives the session and skips the code.
 */
export const mayManageWebTokens = (actor: Pick<Actor, 'role'>, session: { secondFactor: boolean }): boolean =>
  !secondFactorRequired(actor) || session.secondFactor;
