// How enterprises and institutions appear as pages: forms, lists, detail pages and exports, built on the
// shared record kit.
import type { RecordDef } from '../platform/http/crud.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { contactFromForm } from '../contacts/schema.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { listedDemands } from '../demands/service.ts';
import { enterprises, type EnterpriseView } from './enterprise-service.ts';
import { institutions, type InstitutionView } from './institution-service.ts';
import { enterpriseInput, enterprisePatch, enterpriseQuery, institutionInput, institutionPatch, institutionQuery, type EnterpriseInput, type EnterpriseQuery, type InstitutionInput, type InstitutionQuery } from './schema.ts';
import { enterpriseExport, institutionExport } from './import.ts';

const contactToForm = (c?: { name?: string; phone?: string; email?: string; wechat?: string }) => ({
  contactName: c?.name ?? '',
  contactPhone: c?.phone ?? '',
  contactEmail: c?.email ?? '',
  contactWechat: c?.wechat ?? '',
});

export const enterpriseDef: RecordDef<EnterpriseView, EnterpriseInput, EnterpriseQuery> = {
  base: '/enterprises',
  noun: '企业',
  section: 'enterprises',
  views: { list: 'organizations/enterprise-list', show: 'organizations/enterprise-show', form: 'organizations/enterprise-form' },
  service: enterprises,
  schemas: { create: enterpriseInput, update: enterprisePatch, list: enterpriseQuery },
  fromForm: (body) => {
    const { _csrf, ...rest } = contactFromForm(body);
    void _csrf;
    return { ...rest, highTech: body.highTech === 'on', techSme: body.techSme === 'on' };
  },
  toForm: (v) => ({ ...v, ...contactToForm(v.contact) }),
  formLocals: () => ({ industryOptions: optionsOf('industry'), townOptions: optionsOf('town'), scaleOptions: optionsOf('scale') }),
  listLocals: () => ({ industryOptions: optionsOf('industry'), townOptions: optionsOf('town'), scaleOptions: optionsOf('scale') }),
  async showLocals(record, actor) {
    const demands = await Demand.find({ enterprise: record.id, ...listedDemands(actor, !!record.permissions.edit) })
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
  fromForm: (body) => {
    const { _csrf, ...rest } = contactFromForm(body);
    void _csrf;
    return rest;
  },
  toForm: (v) => ({ ...v, ...contactToForm(v.contact) }),
  formLocals: () => ({ kindOptions: optionsOf('institutionKind') }),
  listLocals: () => ({ kindOptions: optionsOf('institutionKind') }),
  async showLocals(record) {
    const results = await Result.find({ institution: record.id, deletedAt: null, status: 'published' })
      .sort({ createdAt: -1, _id: -1 })
      .limit(50)
      .lean<ResultDoc[]>();
    return { results: results.map((r) => ({ id: String(r._id), title: r.title, maturity: r.maturity, industry: r.industry })) };
  },
  export: institutionExport,
};
