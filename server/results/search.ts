// How a research result appears in the search index.
import type { SearchDoc } from '../platform/search/port.ts';
import type { ResultDoc } from './model.ts';

export function resultSearchDoc(r: ResultDoc): SearchDoc {
  return {
    kind: 'result',
    id: String(r._id),
    version: r.search?.version ?? 0,
    title: r.title,
    text: r.abstract,
    keywords: r.keywords ?? [],
    extra: [r.institutionName, r.leadExpertName, ...(r.patents ?? []).map((p) => p.title)].filter(Boolean).join(' '),
    attributes: {
      kind: 'result',
      industry: r.industry,
      status: r.status ?? 'published',
      maturity: r.maturity,
      mode: r.transferModes ?? [],
      institution: r.institution,
      visibility: 'public',
    },
    numbers: { createdAt: r.createdAt.getTime(), price: r.askingPrice ?? undefined, publishedAt: (r.publishedAt ?? r.createdAt).getTime() },
    display: {
      label: r.title,
      title: r.title,
      industry: r.industry,
      maturity: r.maturity,
      status: r.status ?? 'published',
      institution: { id: r.institution, name: r.institutionName },
      city: r.city,
      province: r.province,
      leadExpert: r.leadExpert ? { id: r.leadExpert, name: r.leadExpertName } : undefined,
      transferModes: r.transferModes ?? [],
      askingPrice: r.askingPrice,
      keywords: r.keywords ?? [],
      createdAt: r.createdAt,
    },
  };
}
