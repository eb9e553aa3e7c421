// Who a pending contact request waits on, and since when (issue 13): the counterpart's account (from the
// request), the record's contact address through a mailed link (from the mail), the bureau (no address, or
// unanswered for a week; from then), or an address an organizer forwarded it to (from the forward). The requester
// reads it on /contact-requests and on the result or expert page; the API carries it as `holder`. The label never
// names an address: the requester reads "对方联系人", never the counterpart's private e-mail (docs/security.md 40).
import { clock } from '../platform/clock.ts';
import { ContactRequest, type ContactRequestDoc, type HolderKind } from './model.ts';

export interface HolderView {
  kind: HolderKind;
  label: string;
  since: Date;
  /** forwarded: the address, for organizers only */
  to?: string | undefined;
}

type Stored = NonNullable<ContactRequestDoc['holder']>;

const LABELS: Record<HolderKind, string> = {
  counterpart: '已送达对方的平台账户',
  'contact-mail': '已通过邮件发送给对方联系人',
  bureau: '已转交区科技局处理',
  forwarded: '已由区科技局通过邮件转交对方联系人',
};

const BUREAU_LABELS: Record<string, string> = {
  'no-address': '对方未登记联系邮箱，已转交区科技局处理',
  escalated: '超过 7 天未答复，已转交区科技局处理',
};

/** The stored holder, or for a request from before holders were recorded, what its fields tell. */
function storedOf(r: ContactRequestDoc): Stored {
  if (r.holder) return r.holder;
  return r.escalatedAt ? { kind: 'bureau', reason: 'escalated', since: r.escalatedAt } : { kind: 'counterpart', since: r.createdAt };
}

/** The holder of a pending request (undefined once answered); `to` only when `organizer`. */
export function holderOf(r: ContactRequestDoc, organizer: boolean): HolderView | undefined {
  if (r.status !== 'pending') return undefined;
  const h = storedOf(r);
  const kind = h.kind as HolderKind;
  const label = kind === 'bureau' && h.reason ? (BUREAU_LABELS[h.reason] ?? LABELS.bureau) : LABELS[kind];
  return { kind, label, since: h.since, ...(organizer && kind === 'forwarded' && h.to ? { to: h.to } : {}) };
}

/** Holds a still-pending request from now on by `kind`. */
export async function setHolder(id: string, kind: HolderKind, extra: { reason?: 'no-address' | 'escalated'; to?: string } = {}): Promise<void> {
  await ContactRequest.updateOne({ _id: id, status: 'pending' }, { $set: { holder: { kind, since: clock.now(), ...extra } } });
}
