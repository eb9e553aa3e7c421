// Enterprise sign-up for roadshows: first come, first served up to the capacity, then a waitlist that moves up
// when someone cancels (the promoted enterprise is told); a short code per registration for check-in at the
// door, accepted from two hours before the start until the end (organizers may check in outside that window
// with a reason, audited). Every change is a compare-and-set on the roadshow's `rev`, so two registrations
// racing for the last seat cannot both get it.
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import type { Actor } from '../platform/auth/actor.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../platform/errors.ts';
import { datetime } from '../platform/views/helpers/datetime.ts';
import { Enterprise, type EnterpriseDoc } from '../organizations/model.ts';
import { notifyUsers, usersOf } from '../notifications/service.ts';
import { Roadshow, type RegistrationDoc, type RoadshowDoc } from './model.ts';
import { CODE_ALPHABET, CODE_LENGTH, type CheckinInput, type RegistrationInput } from './schema.ts';
import { checkinRefusal, checkinWindow, isActive, loadRoadshow, notifyPromoted, registrationOpen, registrationView, type RegistrationView } from './roadshow-service.ts';
import * as audit from '../audit/service.ts';
import { spanText } from './times.ts';
import { clock } from '../platform/clock.ts';
import * as mail from '../mail/messages.ts';

const ATTEMPTS = 8;

export function newCode(taken: Set<string>): string {
  for (;;) {
    const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    if (!taken.has(code)) return code;
  }
}

/** Writes the roadshow's registrations if nobody else changed the roadshow meanwhile. */
async function saveIfUnchanged(doc: RoadshowDoc, registrations: unknown[]): Promise<boolean> {
  const res = await Roadshow.updateOne({ _id: doc._id, rev: doc.rev }, { $set: { registrations }, $inc: { rev: 1 } });
  return res.modifiedCount === 1;
}

async function enterpriseFor(actor: Actor, requested: string | undefined): Promise<EnterpriseDoc> {
  if (isOrganizer(actor)) {
    if (!requested) throw new Invalid({ enterprise: '请选择报名企业。' });
    const doc = await findLive<EnterpriseDoc>(Enterprise, requested);
    if (!doc) throw new Invalid({ enterprise: '所选企业不存在。' });
    return doc;
  }
  if (actor.role !== 'enterprise') throw new Forbidden('只有企业可以报名参加路演。');
  if (actor.profile?.kind !== 'enterprise') throw new Conflict('请先登记企业信息，再报名路演。');
  if (requested && requested !== actor.profile.id) throw new Forbidden('只能为本企业报名。');
  const doc = await findLive<EnterpriseDoc>(Enterprise, actor.profile.id);
  if (!doc) throw new Conflict('请先登记企业信息，再报名路演。');
  return doc;
}

/** Registers an enterprise: confirmed while seats remain, else on the waitlist. */
export async function register(actor: Actor, roadshowId: string, input: RegistrationInput): Promise<RegistrationView> {
  const enterprise = await enterpriseFor(actor, input.enterprise);
  const entId = String(enterprise._id);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await loadRoadshow(roadshowId);
    if (!registrationOpen(doc, actor)) throw new Conflict(`路演“${doc.title}”${isOrganizer(actor) ? '已经结束' : '已经开始'}，报名已截止。`);
    const regs = (doc.registrations ?? []) as RegistrationDoc[];
    const existing = regs.find((g) => g.enterprise === entId && isActive(g));
    if (existing) {
      throw new Conflict(`“${enterprise.name}”已报名该路演（${existing.status === 'confirmed' ? '正式名额' : '候补'}），签到码 ${existing.code}。`);
    }
    const confirmed = regs.filter((g) => g.status === 'confirmed').length;
    const registration = {
      _id: new mongoose.Types.ObjectId(),
      enterprise: entId,
      enterpriseName: enterprise.name,
      attendee: input.attendee,
      status: confirmed < doc.capacity ? 'confirmed' : 'waitlisted',
      code: newCode(new Set(regs.map((g) => g.code))),
      registeredAt: clock.now(),
      registeredBy: actor.id,
    };
    if (await saveIfUnchanged(doc, [...regs, registration])) {
      const saved = await loadRoadshow(roadshowId);
      const view = registrationView(saved, (saved.registrations as RegistrationDoc[]).find((g) => String(g._id) === String(registration._id))!);
      await notifyUsers(await usersOf('enterprise', entId), {
        kind: 'roadshow.registered',
        title: view.status === 'confirmed' ? `已报名路演“${doc.title}”` : `已进入路演“${doc.title}”候补名单`,
        body: `${spanText(doc.startsAt, doc.endsAt)}，${doc.venue}。签到码 ${view.code}${view.position ? `，候补第 ${view.position} 位` : ''}。`,
        link: `/roadshows/${roadshowId}`,
        key: `roadshow-registration:${String(registration._id)}:registered`,
        mail: mail.roadshowRegistered({
          title: doc.title,
          when: spanText(doc.startsAt, doc.endsAt),
          venue: doc.venue,
          code: view.code,
          enterpriseName: enterprise.name,
          waitlisted: view.status !== 'confirmed',
          position: view.position ?? undefined,
          link: `/roadshows/${roadshowId}`,
        }),
      });
      return view;
    }
  }
  throw new Conflict('报名人数变化太快，请稍后重试。');
}

/** Cancels a registration (its enterprise or an organizer); a freed seat goes to the first on the waitlist. */
export async function cancel(actor: Actor, roadshowId: string, registrationId: string): Promise<RegistrationView> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await loadRoadshow(roadshowId);
    const regs = (doc.registrations ?? []) as RegistrationDoc[];
    const target = regs.find((g) => String(g._id) === registrationId);
    const mayAct = isOrganizer(actor) || (actor.profile?.kind === 'enterprise' && actor.profile.id === target?.enterprise && actor.status === 'active');
    if (!target || !mayAct) throw new NotFound('报名记录不存在。');
    if (target.status === 'cancelled') throw new Conflict('该报名已经取消。');
    if (target.checkedInAt) throw new Conflict('该企业已签到，不能取消报名。');
    if (!registrationOpen(doc, actor)) throw new Conflict(`路演“${doc.title}”已开始，不能再取消报名。`);
    const now = clock.now();
    const freed = target.status === 'confirmed';
    const next = regs.find((g) => freed && g.status === 'waitlisted');
    const registrations = regs.map((g) => {
      if (g === target) return { ...g, status: 'cancelled', cancelledAt: now };
      if (g === next) return { ...g, status: 'confirmed', promotedAt: now };
      return g;
    });
    if (await saveIfUnchanged(doc, registrations)) {
      const saved = await loadRoadshow(roadshowId);
      const byId = (id: unknown) => (saved.registrations as RegistrationDoc[]).find((g) => String(g._id) === String(id))!;
      if (next) await notifyPromoted(saved, [byId(next._id)]);
      return registrationView(saved, byId(target._id));
    }
  }
  throw new Conflict('报名人数变化太快，请稍后重试。');
}

/**
 * Marks attendance by the code the registrant shows at the door, while the check-in window is open (from two
 * hours before the start until the end). Outside it nothing is recorded unless the organizer gives a reason
 * (`override`), which is kept on the registration and written to the audit log; inside the window a reason
 * is not needed and is not recorded.
 */
export async function checkIn(actor: Actor, roadshowId: string, input: CheckinInput, opts: { ip?: string | undefined } = {}): Promise<RegistrationView> {
  if (!isOrganizer(actor)) throw new Forbidden('只有区科技局可以办理签到。');
  const { code } = input;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await loadRoadshow(roadshowId);
    const now = clock.now();
    const regs = (doc.registrations ?? []) as RegistrationDoc[];
    const index = regs.findIndex((g) => g.code === code);
    const g = regs[index];
    if (!g) throw new Invalid({ code: `签到码 ${code} 不是本场路演的报名码，请核对后重新输入。` });
    const clash = (message: string) => new Conflict(message, { code: message });
    if (g.status === 'cancelled') throw clash(`签到码 ${code}（${g.enterpriseName}）的报名已取消，不能签到。`);
    if (g.status === 'waitlisted') throw clash(`签到码 ${code}（${g.enterpriseName}）仍在候补名单中，尚未获得参会名额。`);
    if (g.checkedInAt) throw clash(`签到码 ${code} 已于 ${datetime(g.checkedInAt)} 签到（${g.enterpriseName}），不能重复使用。`);
    const window = checkinWindow(doc, now);
    const override = window.state === 'open' ? undefined : input.override;
    if (window.state !== 'open' && !override) throw clash(checkinRefusal(doc, window));
    const set: Record<string, unknown> = { [`registrations.${index}.checkedInAt`]: now, [`registrations.${index}.checkedInBy`]: actor.id };
    if (override) set[`registrations.${index}.checkInOverride`] = { reason: override.reason, by: actor.id, byName: actor.name };
    const res = await Roadshow.updateOne({ _id: roadshowId, rev: doc.rev }, { $set: set, $inc: { rev: 1 } });
    if (res.modifiedCount === 1) {
      if (override) {
        await audit.record({
          actor,
          action: 'roadshow.checkin.override',
          target: { kind: 'roadshow', id: roadshowId, label: doc.title },
          detail: `签到码 ${code}（${g.enterpriseName}）${window.state === 'early' ? '签到开放前' : '路演结束后'}补签：${override.reason}`,
          ip: opts.ip,
        });
      }
      const saved = await loadRoadshow(roadshowId);
      return registrationView(saved, (saved.registrations as RegistrationDoc[])[index]!);
    }
  }
  throw new Conflict('签到过于集中，请稍后重试。');
}

/** Registrations the actor may see: all for organizers, its own for an enterprise. */
export async function registrationsOf(actor: Actor, roadshowId: string): Promise<RegistrationView[]> {
  const doc = await loadRoadshow(roadshowId);
  const regs = (doc.registrations ?? []) as RegistrationDoc[];
  if (isOrganizer(actor)) return regs.map((g) => registrationView(doc, g));
  if (actor.profile?.kind === 'enterprise') return regs.filter((g) => g.enterprise === actor.profile!.id).map((g) => registrationView(doc, g));
  throw new Forbidden('只有区科技局和报名企业可以查看报名信息。');
}
