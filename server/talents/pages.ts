// Talent introduction pages on the record kit, the verify action, and exports (organizers' own view).
import type { RequestHandler } from 'express';
import type { RecordDef } from '../platform/http/crud.ts';
import { idParam } from '../platform/http/params.ts';
import { isOrganizer } from '../platform/auth/actor.ts';
import { isoDate } from '../platform/time.ts';
import { degree, labelOf, optionsOf } from '../vocabulary/index.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { campaignOptions } from '../deals/sources.ts';
import { talents, verify, type TalentView } from './service.ts';
import { talentInput, talentPatch, talentQuery, type TalentInput, type TalentQuery } from './schema.ts';

const degreeOptions = optionsOf('degree');

export const talentDef: RecordDef<TalentView, TalentInput, TalentQuery> = {
  base: '/talents',
  noun: '人才引进记录',
  section: 'talents',
  views: { list: 'talents/list', show: 'talents/show', form: 'talents/form' },
  // the list reads the 'ledger' page cache and vocabulary only (service.ts), and writes no CSRF token
  keepListBodies: 'ledger',
  service: talents,
  schemas: { create: talentInput, update: talentPatch, list: talentQuery },
  fromForm: (body) => ({
    name: body.name,
    degree: body.degree,
    title: body.title,
    category: body.category,
    mode: body.mode,
    employer: body.employer,
    industry: body.industry,
    date: body.date,
    source: { campaign: body.sourceCampaign, note: body.sourceNote },
  }),
  toForm: (v) => ({
    ...v,
    employer: v.employer.id,
    date: isoDate(v.date),
    sourceCampaign: v.source.campaign ?? '',
    sourceNote: v.source.note ?? '',
  }),
  async prefill(query, actor) {
    const campaign = typeof query.campaign === 'string' && /^[0-9a-f]{24}$/i.test(query.campaign) ? query.campaign : '';
    return { sourceCampaign: campaign, employer: actor.profile?.kind === 'enterprise' ? actor.profile.id : '' };
  },
  async formLocals(actor) {
    const own = actor.profile?.kind === 'enterprise';
    return {
      degreeOptions,
      categoryOptions: optionsOf('talentCategory'),
      modeOptions: optionsOf('talentMode'),
      industryOptions: optionsOf('industry'),
      employerOptions: own ? undefined : await enterpriseOptions(),
      campaignOptions: await campaignOptions(),
    };
  },
  listLocals: (_q, actor) => ({
    categoryOptions: optionsOf('talentCategory'),
    modeOptions: optionsOf('talentMode'),
    townOptions: optionsOf('town'),
    stateOptions: [
      { value: 'verified', label: '已核实' },
      { value: 'pending', label: '待核实' },
    ],
    degrees: degree.labels,
    canPost: !!actor && actor.status === 'active' && ['organizer', 'broker', 'enterprise'].includes(actor.role),
    heading: isOrganizer(actor) ? '人才引进登记' : '我登记的人才引进',
  }),
  showLocals: async (record) => ({ degreeLabel: labelOf('degree', record.degree) }),
  export: {
    sheet: '人才引进',
    columns: [
      { header: '姓名' },
      { header: '学历学位' },
      { header: '职称或职务', width: 20 },
      { header: '人才类别', width: 18 },
      { header: '引进方式' },
      { header: '用人企业', width: 28 },
      { header: '所在镇街' },
      { header: '所属行业', width: 20 },
      { header: '引进日期' },
      { header: '状态' },
      { header: '登记人' },
    ],
    row: (v: TalentView) => [
      v.name,
      labelOf('degree', v.degree),
      v.title ?? '',
      labelOf('talentCategory', v.category),
      labelOf('talentMode', v.mode),
      v.employer.name,
      labelOf('town', v.town),
      labelOf('industry', v.industry),
      isoDate(v.date),
      v.verified ? '已核实' : '待核实',
      v.createdByName ?? '',
    ],
  },
};

export const verifyPage: RequestHandler = async (req, res) => {
  const view = await verify(req.user!, idParam(req));
  req.flash('success', `已核实“${view.label}”，计入目标进度。`);
  res.redirect(303, `/talents/${view.id}`);
};

export const verifyApi: RequestHandler = async (req, res) => {
  res.json(await verify(req.user!, idParam(req)));
};
