// Pickers that show titles and store ids: tagging results and needs into a campaign, and choosing what a roadshow
// slot presents. Choices come from the search index as the organizer may see it (toQuery in
// server/search/service.ts), then the records are read again by _id for what the index does not hold or may not
// hold yet: whether a result has a lead person now, which campaigns a record is already in, whether it still exists.
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { toQuery, type SearchParams } from '../search/service.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';

export type PickKind = 'result' | 'demand' | 'expert';
export const PICK_LABELS: Record<PickKind, string> = { result: '科技成果', demand: '技术需求', expert: '专家' };

export interface Choice {
  kind: PickKind;
  id: string;
  /** "result:<id>": what a checkbox posts */
  value: string;
  title: string;
  kindLabel: string;
  /** the institution (result), the enterprise (need), the expert's title and institution */
  owner: string;
  /** a result without a lead person: its slot needs a presenter named */
  noLead?: boolean | undefined;
  /** already in the campaign the picker is for */
  tagged?: boolean | undefined;
  /** the stored title a slot gets: an expert's name with their title */
  slotTitle: string;
  /** an expert's name alone (typing it names the expert) */
  name?: string | undefined;
}

export interface Choices {
  q: string;
  items: Choice[];
  /** records that matched (the list shows the first `limit`) */
  total: number;
  more: boolean;
}

/** Up to 100 characters, NFC, spaces collapsed: what a title is compared as. */
export const normText = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').replace(/\s+/g, ' ').trim().slice(0, 100) : '');

const byId = <T extends { _id: unknown }>(docs: T[]) => new Map(docs.map((d) => [String(d._id), d]));

/** The records behind some ids, as choices (unknown, deleted and draft ones are left out). */
export async function choicesOf(refs: { kind: PickKind; id: string }[], campaign?: string): Promise<Map<string, Choice>> {
  const ids = (kind: PickKind) => [...new Set(refs.filter((r) => r.kind === kind && /^[0-9a-f]{24}$/i.test(r.id)).map((r) => r.id))];
  const find = async <T>(model: typeof Result | typeof Demand | typeof Expert, list: string[]): Promise<T[]> =>
    list.length ? (model as typeof Result).find({ _id: trusted({ $in: list }) }).lean<T[]>() : [];
  const [results, demands, experts] = await Promise.all([
    find<ResultDoc>(Result, ids('result')).then(byId),
    find<DemandDoc>(Demand, ids('demand')).then(byId),
    find<ExpertDoc>(Expert, ids('expert')).then(byId),
  ]);
  const out = new Map<string, Choice>();
  for (const ref of refs) {
    const base = { kind: ref.kind, id: ref.id, value: `${ref.kind}:${ref.id}`, kindLabel: PICK_LABELS[ref.kind] };
    if (ref.kind === 'result') {
      const r = results.get(ref.id);
      if (!r || r.deletedAt || r.status === 'draft') continue;
      out.set(base.value, { ...base, title: r.title, slotTitle: r.title, owner: r.institutionName, noLead: !r.leadExpert, tagged: !!campaign && !!r.campaigns?.includes(campaign) });
    } else if (ref.kind === 'demand') {
      const d = demands.get(ref.id);
      if (!d || d.deletedAt || d.status === 'draft') continue;
      out.set(base.value, { ...base, title: d.title, slotTitle: d.title, owner: d.enterpriseName, tagged: !!campaign && !!d.campaigns?.includes(campaign) });
    } else {
      const e = experts.get(ref.id);
      if (!e || e.deletedAt) continue;
      out.set(base.value, { ...base, title: `${e.name}（${e.title}）`, slotTitle: `${e.name}（${e.title}）`, name: e.name, owner: [e.title, e.institutionName].filter(Boolean).join('，') });
    }
  }
  return out;
}

/** Records of the given kinds whose text matches `q`, as the actor may find them, best first. */
export async function findChoices(
  index: SearchIndex,
  actor: Actor | undefined,
  q: string,
  kinds: PickKind[],
  opts: { limit?: number; campaign?: string } = {},
): Promise<Choices> {
  const text = normText(q);
  if (!text) return { q: text, items: [], total: 0, more: false };
  const limit = opts.limit ?? 20;
  const query = toQuery(actor, { q: text, page: 1, limit } as SearchParams);
  query.filters = { ...query.filters, kind: kinds };
  query.facets = [];
  const found = await index.search(query);
  const refs = found.items.map((h) => ({ kind: h.kind as PickKind, id: h.id }));
  const records = await choicesOf(refs, opts.campaign);
  const items = refs.map((r) => records.get(`${r.kind}:${r.id}`)).filter((c): c is Choice => !!c);
  return { q: text, items, total: found.total, more: found.total > found.items.length };
}

/** Does `typed` name this choice exactly (a title, or an expert's name with or without their title)? */
export const names = (c: Choice, typed: string): boolean => {
  const t = normText(typed);
  return normText(c.title) === t || normText(c.slotTitle) === t || (!!c.name && normText(c.name) === t);
};
