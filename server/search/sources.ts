// The records that appear in search, and how each becomes a search document (their modules' search.ts).
import type { SearchSource } from '../platform/search/sync.ts';
import { Demand } from '../demands/model.ts';
import { demandSearchDoc } from '../demands/search.ts';
import { Result } from '../results/model.ts';
import { resultSearchDoc } from '../results/search.ts';
import { Expert } from '../experts/model.ts';
import { expertSearchDoc } from '../experts/search.ts';
import { Broker } from '../brokers/model.ts';
import { brokerSearchDoc } from '../brokers/search.ts';

export const searchSources: SearchSource[] = [
  { kind: 'demand', model: Demand, toDoc: demandSearchDoc as SearchSource['toDoc'] },
  { kind: 'result', model: Result, toDoc: resultSearchDoc as SearchSource['toDoc'] },
  { kind: 'expert', model: Expert, toDoc: expertSearchDoc as SearchSource['toDoc'] },
  { kind: 'broker', model: Broker, toDoc: brokerSearchDoc as SearchSource['toDoc'] },
];
