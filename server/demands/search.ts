// How a need appears in the search index: what is searched, filtered and shown in lists.
import type { SearchDoc } from '../platform/search/port.ts';
import type { DemandDoc } from './model.ts';
import { calendarDate } from '../platform/time.ts';

export function demandSearchDoc(d: DemandDoc): SearchDoc {
  const budget = d.budgetMax ?? d.budgetMin ?? undefined;
  return {
    kind: 'demand',
    id: String(d._id),
    version: d.search?.version ?? 0,
    title: d.title,
    text: d.description,
    keywords: d.keywords ?? [],
    extra: [d.enterpriseName, d.clarification?.indicator].filter(Boolean).join(' '),
    attributes: {
      kind: 'demand',
      industry: d.industry,
      town: d.town ?? undefined,
      status: d.status,
      category: d.kind,
      mode: d.cooperationModes ?? [],
      visibility: d.visibility ?? 'public',
      enterprise: d.enterprise,
      broker: d.broker ?? undefined,
      held: d.broker ? 'yes' : 'no',
      jiebang: d.jiebang ? 'yes' : 'no',
    },
    numbers: {
      createdAt: d.createdAt.getTime(),
      updatedAt: (d.updatedAt ?? d.createdAt).getTime(),
      budget: budget ?? undefined,
      budgetFloor: d.budgetMin ?? d.budgetMax ?? undefined,
      deadline: d.deadline?.getTime(),
      publishedAt: (d.publishedAt ?? d.createdAt).getTime(),
    },
    display: {
      label: d.title,
      title: d.title,
      industry: d.industry,
      // the need's type; `kind` is the record kind ('demand') wherever search results are merged
      category: d.kind,
      status: d.status,
      jiebang: !!d.jiebang,
      enterprise: { id: d.enterprise, name: d.enterpriseName },
      town: d.town,
      budgetMin: d.budgetMin,
      budgetMax: d.budgetMax,
      deadline: calendarDate(d.deadline),
      keywords: d.keywords ?? [],
      cooperationModes: d.cooperationModes ?? [],
      targetMaturity: d.clarification?.targetMaturity,
      createdAt: d.createdAt,
    },
  };
}
