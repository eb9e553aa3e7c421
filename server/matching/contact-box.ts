// The contact-request box on a result's or an expert's page, for an enterprise: ask — choosing which of its open
// needs the request is about, so that the need's broker sees it too — or read where its request stands and who
// holds it (contact-holder.ts).
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { Demand } from '../demands/model.ts';
import { ContactRequest, type ContactRequestDoc } from './model.ts';
import { holderOf, type HolderView } from './contact-holder.ts';

/** The needs a request can be about: the enterprise's own, while they are open. */
const OPEN_NEEDS = ['published', 'matching', 'negotiating'] as const;

export interface ContactBox {
  state: 'none' | 'pending' | 'accepted' | 'declined';
  holder?: HolderView | undefined;
  /** when asking: the enterprise's open needs, and the one chosen in advance ('' for none) */
  needOptions: { id: string; title: string }[];
  selectedDemand: string;
}

export interface BoxHints {
  /** `?demand=` of the page: it was reached from that need's suggestions */
  demand?: unknown;
  /** the needs the page suggests, best first */
  needs?: { id: string }[] | undefined;
}

async function openNeeds(enterprise: string): Promise<{ id: string; title: string }[]> {
  const docs = await Demand.find({ enterprise, status: trusted({ $in: [...OPEN_NEEDS] }), deletedAt: null })
    .sort({ createdAt: -1, _id: -1 })
    .limit(50)
    .select('title')
    .lean<{ _id: unknown; title: string }[]>();
  return docs.map((d) => ({ id: String(d._id), title: d.title }));
}

/** The need named by the page's link, else the best-matching of the enterprise's needs, else its only one. */
function preselect(options: { id: string }[], hints: BoxHints): string {
  const ids = new Set(options.map((o) => o.id));
  if (typeof hints.demand === 'string' && ids.has(hints.demand)) return hints.demand;
  const best = hints.needs?.find((n) => ids.has(n.id));
  if (best) return best.id;
  return options.length === 1 ? options[0]!.id : '';
}

/** The box for an enterprise's account; undefined for everyone else (they cannot ask). */
export async function contactBox(actor: Actor | undefined, kind: 'result' | 'expert', id: string, hints: BoxHints = {}): Promise<ContactBox | undefined> {
  if (actor?.role !== 'enterprise' || actor.profile?.kind !== 'enterprise') return undefined;
  const r = await ContactRequest.findOne({ enterprise: actor.profile.id, 'target.kind': kind, 'target.id': id }).sort({ createdAt: -1, _id: -1 }).lean<ContactRequestDoc>();
  if (r) return { state: r.status as ContactBox['state'], holder: holderOf(r, false), needOptions: [], selectedDemand: '' };
  const needOptions = await openNeeds(actor.profile.id);
  return { state: 'none', needOptions, selectedDemand: preselect(needOptions, hints) };
}
