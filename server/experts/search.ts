// How an expert appears in the search index (never their contact).
import type { SearchDoc } from '../platform/search/port.ts';
import type { ExpertDoc } from './model.ts';

export function expertSearchDoc(e: ExpertDoc): SearchDoc {
  return {
    kind: 'expert',
    id: String(e._id),
    version: e.search?.version ?? 0,
    title: `${e.name} ${e.title}`,
    text: e.bio ?? '',
    keywords: e.keywords ?? [],
    extra: e.institutionName ?? '',
    attributes: {
      kind: 'expert',
      industry: e.industries ?? [],
      institution: e.institution ?? undefined,
      available: e.availableForVisits ? 'yes' : 'no',
      status: 'published',
      visibility: 'public',
    },
    numbers: { createdAt: e.createdAt.getTime(), publishedAt: e.createdAt.getTime() }, // findable from creation
    display: {
      label: e.name,
      name: e.name,
      title: e.title,
      institutionName: e.institutionName,
      institution: e.institution,
      city: e.city,
      industries: e.industries ?? [],
      keywords: e.keywords ?? [],
      availableForVisits: !!e.availableForVisits,
      createdAt: e.createdAt,
    },
  };
}
