// Who may see a private contact (docs/security.md 10): the owner, organizers, the broker confirmed on a need (the
// enterprise's contact, and those of the candidates in that need's pipeline), and the counterpart of an accepted
// contact request. Every reveal to someone other than the owner is an
// audit entry; callers send Cache-Control: no-store on pages and responses that carry one.
// This is the contact part of every record type's policy (docs/architecture.md "Policies"): the record policies
// (server/<module>/policy.ts) decide who sees and changes a record, this file whether its private contact is shown.
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import * as audit from '../audit/service.ts';
import type { Contact } from './model.ts';
import { trusted } from '../platform/db/connection.ts';
import { Demand } from '../demands/model.ts';
import { ContactRequest, Match } from '../matching/model.ts';

export interface ContactSubject {
  kind: 'enterprise' | 'institution' | 'expert' | 'broker';
  id: string;
  label: string;
  /** the account that speaks for the record */
  ownerId?: string | null | undefined;
}

export type ContactGrant = 'owner' | 'organizer' | 'broker' | 'counterpart';

/**
 * A broker sees an enterprise's contact while one of its needs is assigned to them and the assignment is
 * confirmed: an organizer's assignment is, a broker's own claim only once the enterprise or an organizer
 * confirms it (server/matching/service.ts `claim`, `confirmClaim`). A claim alone reveals nothing.
 */
async function assignedBroker(actor: Actor, subject: ContactSubject): Promise<ContactGrant | undefined> {
  if (subject.kind !== 'enterprise' || actor.role !== 'broker' || actor.profile?.kind !== 'broker') return undefined;
  const assigned = await Demand.exists({ enterprise: subject.id, broker: actor.profile.id, brokerConfirmedAt: trusted({ $ne: null }), deletedAt: null });
  return assigned ? 'broker' : undefined;
}

/**
 * The broker confirmed on a need also sees the contact of each candidate in that need's pipeline — the institution
 * of a result, or the expert — while its row is open (not 未成): they cannot work the pipeline otherwise. The same
 * confirmation as above; a row the broker declined reveals nothing until it is taken up again.
 */
async function pipelineBroker(actor: Actor, subject: ContactSubject): Promise<ContactGrant | undefined> {
  if ((subject.kind !== 'institution' && subject.kind !== 'expert') || actor.role !== 'broker' || actor.profile?.kind !== 'broker') return undefined;
  const rows = await Match.find({ 'counterpart.kind': subject.kind, 'counterpart.id': subject.id, status: trusted({ $ne: 'declined' as const }) })
    .select('demand')
    .lean<{ demand: string }[]>();
  const needs = [...new Set(rows.map((r) => r.demand))];
  if (needs.length === 0) return undefined;
  const held = await Demand.exists({ _id: trusted({ $in: needs }), broker: actor.profile.id, brokerConfirmedAt: trusted({ $ne: null }), deletedAt: null });
  return held ? 'broker' : undefined;
}

/**
 * The two sides of an accepted contact request see each other: the enterprise sees the institution's (or
 * expert's) contact, and the institution (or expert) sees the enterprise's.
 */
async function acceptedCounterpart(actor: Actor, subject: ContactSubject): Promise<ContactGrant | undefined> {
  const profile = actor.profile;
  if (!profile) return undefined;
  if (profile.kind === 'enterprise' && (subject.kind === 'institution' || subject.kind === 'expert')) {
    const ok = await ContactRequest.exists({ enterprise: profile.id, 'counterpart.kind': subject.kind, 'counterpart.id': subject.id, status: 'accepted' });
    return ok ? 'counterpart' : undefined;
  }
  if ((profile.kind === 'institution' || profile.kind === 'expert') && subject.kind === 'enterprise') {
    const ok = await ContactRequest.exists({ enterprise: subject.id, 'counterpart.kind': profile.kind, 'counterpart.id': profile.id, status: 'accepted' });
    return ok ? 'counterpart' : undefined;
  }
  return undefined;
}

// Every rule beyond owner and organizer, in one place.
const grantRules: ((actor: Actor, subject: ContactSubject) => Promise<ContactGrant | undefined>)[] = [assignedBroker, pipelineBroker, acceptedCounterpart];

export async function contactGrant(actor: Actor | undefined, subject: ContactSubject): Promise<ContactGrant | undefined> {
  if (!actor || actor.status !== 'active') return undefined;
  if (subject.ownerId && subject.ownerId === actor.id) return 'owner';
  if (actor.profile?.kind === subject.kind && actor.profile.id === subject.id) return 'owner';
  if (isOrganizer(actor)) return 'organizer';
  for (const check of grantRules) {
    const grant = await check(actor, subject);
    if (grant) return grant;
  }
  return undefined;
}

/** The contact when the actor may see it (recording the reveal), else undefined. */
export async function reveal(
  actor: Actor | undefined,
  subject: ContactSubject,
  contact: Contact | null | undefined,
  opts: { ip?: string | undefined; contact?: boolean } = {},
): Promise<Contact | undefined> {
  if (opts.contact === false || !contact || !Object.values(contact).some(Boolean)) return undefined;
  const grant = await contactGrant(actor, subject);
  if (!grant) return undefined;
  if (grant !== 'owner') {
    await audit.record({
      actor,
      action: 'contact.reveal',
      target: { kind: subject.kind, id: subject.id, label: subject.label },
      detail: grant,
      ip: opts.ip,
    });
  }
  return { name: contact.name, phone: contact.phone, email: contact.email, wechat: contact.wechat };
}
