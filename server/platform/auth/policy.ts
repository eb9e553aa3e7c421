// One policy per record type (docs/architecture.md "Policies"): a table of actions, each a rule that answers
// `true` or why not. Pages ask `can` to show a button; services call `authorize` to refuse with the rule's own
// message, so a button is never shown for an action the service refuses, nor hidden for one it allows.
import { Conflict, Forbidden, NotFound, Unauthorized, type AppError } from '../errors.ts';
import type { Actor, ProfileKind } from './actor.ts';

/** Why not: the answer the service gives. A plain string is a 403 with that message. */
export type Refusal = string | { readonly status: 401 | 403 | 404 | 409; readonly message: string };

export type Verdict = true | Refusal;

export type Rule<R> = (actor: Actor | undefined, record: R) => Verdict;

/** Refusals other than 403, for rules that must answer as the service always has. */
export const refuse = {
  /** 401: sign in first (anonymous visitors of members-only records) */
  signIn: (message: string): Refusal => ({ status: 401, message }),
  /** 404: to this actor the record does not exist (docs/security.md 37) */
  notFound: (message: string): Refusal => ({ status: 404, message }),
  /** 409: allowed in principle, not in the record's present state */
  conflict: (message: string): Refusal => ({ status: 409, message }),
} as const;

export interface Policy<R, A extends string> {
  /** the actions the policy declares (test/security/policies.test.ts checks each has a case) */
  readonly actions: readonly A[];
  /** the verdict itself: true, or the refusal */
  check(actor: Actor | undefined, action: A, record: R): Verdict;
  /** for pages and `permissions` fields: may the actor do it now? */
  can(actor: Actor | undefined, action: A, record: R): boolean;
  /** for services: returns when allowed, else throws the rule's refusal as a typed error */
  authorize(actor: Actor | undefined, action: A, record: R): void;
  /** `can` for several actions at once: `{ edit: true, delete: false }` */
  permissions<K extends A>(actor: Actor | undefined, record: R, actions: readonly K[]): Record<K, boolean>;
}

export function refusalError(refusal: Refusal): AppError {
  if (typeof refusal === 'string') return new Forbidden(refusal);
  switch (refusal.status) {
    case 401:
      return new Unauthorized(refusal.message);
    case 404:
      return new NotFound(refusal.message);
    case 409:
      return new Conflict(refusal.message);
    default:
      return new Forbidden(refusal.message);
  }
}

/** Declares a record type's policy: `definePolicy<DemandDoc>()({ edit: (actor, doc) => …, … })`. */
export function definePolicy<R>() {
  return <A extends string>(rules: Record<A, Rule<R>>): Policy<R, A> => {
    const actions = Object.keys(rules) as A[];
    const check = (actor: Actor | undefined, action: A, record: R): Verdict => rules[action](actor, record);
    return {
      actions,
      check,
      can: (actor, action, record) => check(actor, action, record) === true,
      authorize(actor, action, record) {
        const verdict = check(actor, action, record);
        if (verdict !== true) throw refusalError(verdict);
      },
      permissions<K extends A>(actor: Actor | undefined, record: R, keys: readonly K[]) {
        return Object.fromEntries(keys.map((k) => [k, check(actor, k, record) === true])) as Record<K, boolean>;
      },
    };
  };
}

/** A rule from a condition and the refusal when it fails. */
export const when =
  <R>(ok: (actor: Actor | undefined, record: R) => boolean, refusal: Refusal | ((actor: Actor | undefined, record: R) => Refusal)): Rule<R> =>
  (actor, record) =>
    ok(actor, record) ? true : typeof refusal === 'function' ? refusal(actor, record) : refusal;

/** A directory record an account can speak for: its owner, or the record its account's profile links to. */
export interface OwnedRecord {
  _id: unknown;
  owner?: string | null | undefined;
}

/** Whether an active account speaks for the record: it owns it, or its profile of `kind` is this record. */
export const speaksFor =
  (kind: ProfileKind) =>
  (actor: Actor | undefined, doc: OwnedRecord): boolean => {
    if (!actor || actor.status !== 'active') return false;
    return doc.owner === actor.id || (actor.profile?.kind === kind && actor.profile.id === String(doc._id));
  };
