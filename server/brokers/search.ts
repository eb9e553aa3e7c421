// How a technology broker appears in the search index (never their contact).
import type { SearchDoc } from '../platform/search/port.ts';
import type { BrokerDoc } from './model.ts';

export function brokerSearchDoc(b: BrokerDoc): SearchDoc {
  return {
    kind: 'broker',
    id: String(b._id),
    version: b.search?.version ?? 0,
    title: b.name,
    text: b.bio ?? '',
    keywords: [],
    extra: b.organization,
    attributes: { kind: 'broker', industry: b.specialties ?? [], level: b.level, status: 'published', visibility: 'public' },
    numbers: { createdAt: b.createdAt.getTime(), publishedAt: b.createdAt.getTime() }, // findable from creation
    display: { label: b.name, name: b.name, level: b.level, organization: b.organization, specialties: b.specialties ?? [], createdAt: b.createdAt },
  };
}
