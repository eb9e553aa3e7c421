// Result pages on the record kit.
import type { RecordDef } from '../platform/http/crud.ts';
import { wanToYuan, yuanToWan } from '../platform/http/fields.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { institutionOptions } from '../organizations/institution-service.ts';
import { expertOptions, results, type ResultView } from './service.ts';
import { resultInput, resultPatch, resultQuery, type ResultInput, type ResultQuery } from './schema.ts';
import { resultExport } from './import.ts';
import { needsForResultId } from '../matching/suggestions.ts';
import { contactBox } from '../matching/contact-box.ts';

const FORM_FIELDS = ['title', 'abstract', 'industry', 'keywords', 'maturity', 'institution', 'leadExpert', 'transferModes', 'askingPrice', 'patents'];

export const resultDef: RecordDef<ResultView, ResultInput, ResultQuery> = {
  base: '/results',
  noun: '科技成果',
  section: 'results',
  views: { list: 'results/list', show: 'results/show', form: 'results/form' },
  service: results,
  listForVisitorsFromIndex: true,
  keepListBodies: 'index', // signed-in users' lists too: the index and vocabulary alone
  schemas: { create: resultInput, update: resultPatch, list: resultQuery },
  fromForm(body) {
    const input: Record<string, unknown> = {};
    for (const f of FORM_FIELDS) if (body[f] !== undefined) input[f] = body[f];
    if (input.institution === '') delete input.institution;
    if (input.patents === '') delete input.patents;
    input.draft = body.intent === 'draft';
    return wanToYuan(input, ['askingPrice']);
  },
  toForm: (v) => ({
    ...v,
    institution: v.institution.id,
    leadExpert: v.leadExpert?.id ?? '',
    keywords: v.keywords.join('、'),
    askingPrice: yuanToWan(v.askingPrice),
    patents: v.patents.map((p) => `${p.number}${p.title ? ' ' + p.title : ''}`).join('\n'),
  }),
  async formLocals(actor) {
    const organizer = actor.role === 'organizer';
    return {
      industryOptions: optionsOf('industry'),
      maturityOptions: optionsOf('maturity'),
      modeOptions: optionsOf('cooperationMode'),
      institutionOptions: organizer ? await institutionOptions() : undefined,
      expertOptions: await expertOptions(organizer ? undefined : actor.profile?.id),
      needsInstitution: actor.role === 'institution' && !actor.profile,
    };
  },
  listLocals: (q, actor) => ({
    industryOptions: optionsOf('industry'),
    maturityOptions: optionsOf('maturity'),
    modeOptions: optionsOf('cooperationMode'),
    sortOptions: [{ value: 'price', label: '报价从低到高' }],
    canPost: actor && actor.status === 'active' && (actor.role === 'organizer' || actor.role === 'institution'),
    canFilterMine: actor?.profile?.kind === 'institution',
    heading: q.mine ? '本机构的科技成果' : '成果库',
  }),
  async showLocals(record, actor, { search, query }) {
    const needs = search && record.status === 'published' ? await needsForResultId(search, actor, record.id, 5) : [];
    return { needs, contactBox: await contactBox(actor, 'result', record.id, { demand: query.demand, needs }) };
  },
  export: resultExport,
};
