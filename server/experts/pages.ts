// How experts appear as pages: forms, lists, detail pages and exports, built on the shared record kit.
import type { RecordDef } from '../platform/http/crud.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { contactFromForm, contactToForm } from '../contacts/form.ts';
import { institutionOptions } from '../organizations/institution-service.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { experts, type ExpertView } from './service.ts';
import { expertInput, expertPatch, expertQuery, type ExpertInput, type ExpertQuery } from './schema.ts';
import { expertExport } from './import.ts';
import { needsForExpertId } from '../matching/suggestions.ts';
import { contactBox } from '../matching/contact-box.ts';
import { pastEngagements } from '../campaigns/itinerary.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';
import { visibleFilter as visibleResults } from '../results/policy.ts';

interface LedResult {
  id: string;
  title: string;
  maturity: string | null | undefined;
  industry: string;
  institutionName: string | null | undefined;
}

/**
 * The published results an expert leads, newest first. Filtering on `leadExpert` reads the whole results
 * collection on FerretDB, so each expert's list is kept until a result is written anywhere (results/model.ts
 * announces 'results'; platform/db/shared-cache.ts).
 */
const ledResults = new SharedCache<LedResult[]>('results', 2_000);

async function resultsLedBy(expertId: string): Promise<LedResult[]> {
  const found = await ledResults.get(expertId, async () => {
    // the same for every viewer: the published ones (results/policy.ts visibleFilter), so one list per expert is cached
    const results = await Result.find({ leadExpert: expertId, ...visibleResults(undefined) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(50)
      .lean<ResultDoc[]>();
    return results.map((r) => ({ id: String(r._id), title: r.title, maturity: r.maturity, industry: r.industry, institutionName: r.institutionName }));
  });
  return found!.map((r) => ({ ...r }));
}

export const expertDef: RecordDef<ExpertView, ExpertInput, ExpertQuery> = {
  base: '/experts',
  noun: '专家',
  section: 'experts',
  views: { list: 'experts/expert-list', show: 'experts/expert-show', form: 'experts/expert-form' },
  service: experts,
  schemas: { create: expertInput, update: expertPatch, list: expertQuery },
  fromForm: (body) => ({ ...contactFromForm(body), availableForVisits: body.availableForVisits === 'on' }),
  toForm: (v) => ({ ...v, institution: v.institution ?? '', keywords: v.keywords.join('、'), ...contactToForm(v.contact) }),
  formLocals: async () => ({ industryOptions: optionsOf('industry'), institutionOptions: await institutionOptions() }),
  listLocals: async () => ({ industryOptions: optionsOf('industry'), institutionOptions: await institutionOptions() }),
  async showLocals(record, actor, { search, query }) {
    const needs = search ? await needsForExpertId(search, record.id, 5) : [];
    const box = await contactBox(actor, 'expert', record.id, { demand: query.demand, needs });
    return {
      needs,
      contactBox: box,
      past: await pastEngagements(record.id),
      results: await resultsLedBy(record.id),
    };
  },
  export: expertExport,
};
