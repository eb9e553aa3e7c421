// How enterprises and institutions appear as pages: forms, lists, detail pages and exports, built on the
// shared record kit.
import type { RecordDef } from '../platform/http/crud.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { contactFromForm, contactToForm } from '../contacts/form.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { visibleFilter as visibleDemands } from '../demands/policy.ts';
import { visibleFilter as visibleResults } from '../results/policy.ts';
import { enterprises, type EnterpriseView } from './enterprise-service.ts';
import { institutions, type InstitutionView } from './institution-service.ts';
import { enterpriseInput, enterprisePatch, enterpriseQuery, institutionInput, institutionPatch, institutionQuery, type EnterpriseInput, type EnterpriseQuery, type InstitutionInput, type InstitutionQuery } from './schema.ts';
import { enterpriseExport, institutionExport } from './import.ts';

export const enterpriseDef: RecordDef<EnterpriseView, EnterpriseInput, EnterpriseQuery> = {
  base: '/enterprises',
  noun: '企业',
  section: 'enterprises',
  views: { list: 'organizations/enterprise-list', show: 'organizations/enterprise-show', form: 'organizations/enterprise-form' },
  service: enterprises,
  schemas: { create: enterpriseInput, update: enterprisePatch, list: enterpriseQuery },
  fromForm: (body) => ({ ...contactFromForm(body), highTech: body.highTech === 'on', techSme: body.techSme === 'on' }),
  toForm: (v) => ({ ...v, ...contactToForm(v.contact) }),
  formLocals: () => ({ industryOptions: optionsOf('industry'), townOptions: optionsOf('town'), scaleOptions: optionsOf('scale') }),
  listLocals: () => ({ industryOptions: optionsOf('industry'), townOptions: optionsOf('town'), scaleOptions: optionsOf('scale') }),
  async showLocals(record, actor) {
    const demands = await Demand.find({ enterprise: record.id, ...visibleDemands(actor, { mayEdit: !!record.permissions.edit }) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(50)
      .lean<DemandDoc[]>();
    return { demands: demands.map((d) => ({ id: String(d._id), title: d.title, status: d.status, createdAt: d.createdAt })) };
  },
  export: enterpriseExport,
};

export const institutionDef: RecordDef<InstitutionView, InstitutionInput, InstitutionQuery> = {
  base: '/institutions',
  noun: '高校院所',
  section: 'institutions',
  views: { list: 'organizations/institution-list', show: 'organizations/institution-show', form: 'organizations/institution-form' },
  service: institutions,
  schemas: { create: institutionInput, update: institutionPatch, list: institutionQuery },
  fromForm: contactFromForm,
  toForm: (v) => ({ ...v, ...contactToForm(v.contact) }),
  formLocals: () => ({ kindOptions: optionsOf('institutionKind') }),
  listLocals: () => ({ kindOptions: optionsOf('institutionKind') }),
  async showLocals(record, actor) {
    // the published ones (results/policy.ts visibleFilter)
    const results = await Result.find({ institution: record.id, ...visibleResults(actor) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(50)
      .lean<ResultDoc[]>();
    return { results: results.map((r) => ({ id: String(r._id), title: r.title, maturity: r.maturity, industry: r.industry })) };
  },
  export: institutionExport,
};
