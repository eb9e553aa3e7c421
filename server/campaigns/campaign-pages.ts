// Campaign pages: the record kit for list/show/forms/delete, with the progress board on the detail page, and
// the organizer's forms there for participating universities and for tagging results and needs.
import { isOrganizer } from '../platform/auth/actor.ts';
import { pageAction } from '../platform/http/forms.ts';
import type { RecordDef } from '../platform/http/crud.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { institutionOptions } from '../organizations/institution-service.ts';
import { GOAL_KEYS, type GoalKey } from './model.ts';
import { addParticipant, campaigns, removeParticipant, tag, tagged, untag, type CampaignView } from './campaign-service.ts';
import { roadshows } from './roadshow-service.ts';
import { visits } from './visit-service.ts';
import { campaignInput, campaignPatch, campaignQuery, GOALS, participantInput, tagInput, type CampaignInput, type CampaignQuery } from './schema.ts';
import { toDateInput } from './times.ts';
import { demandOptions, resultOptions } from './options.ts';


/** Every goal field with the kinds it belongs to; the form puts the chosen kind's first (app.js moves them as the
 *  kind changes; without JavaScript they follow the kind once the form comes back, and all are under 更多目标). */
const goalFields = () =>
  GOAL_KEYS.map((key) => ({
    key,
    name: `goals.${key}`,
    label: `${GOALS[key].label}（${GOALS[key].unit}）`,
    kinds: GOALS[key].kinds.join(','),
  }));

export const campaignDef: RecordDef<CampaignView, CampaignInput, CampaignQuery> = {
  base: '/campaigns',
  noun: '活动',
  section: 'campaigns',
  views: { list: 'campaigns/campaign-list', show: 'campaigns/campaign-show', form: 'campaigns/campaign-form' },
  service: campaigns,
  schemas: { create: campaignInput, update: campaignPatch, list: campaignQuery },
  fromForm(body) {
    const goals: Record<string, unknown> = {};
    for (const key of GOAL_KEYS) if (body[`goals.${key}`] !== undefined) goals[key] = body[`goals.${key}`];
    return { kind: body.kind, name: body.name, startsOn: body.startsOn, endsOn: body.endsOn, description: body.description, goals };
  },
  toForm: (v) => ({
    kind: v.kind,
    name: v.name,
    startsOn: toDateInput(v.startsOn),
    endsOn: toDateInput(v.endsOn),
    description: v.description ?? '',
    ...Object.fromEntries(GOAL_KEYS.map((k) => [`goals.${k}`, v.goals[k] ?? ''])),
  }),
  formLocals: () => ({ kindOptions: optionsOf('campaignKind'), goalFields: goalFields() }),
  listLocals: (_q, actor) => ({ kindOptions: optionsOf('campaignKind'), canCreate: isOrganizer(actor) }),
  async showLocals(record, actor) {
    const id = record.id;
    const [items, shows, itineraries] = await Promise.all([
      tagged(id),
      roadshows.list(actor, { campaign: id, page: 1, limit: 100 }),
      visits.list(actor, { campaign: id, page: 1, limit: 100 }),
    ]);
    const organizer = isOrganizer(actor);
    const goals = Object.entries(record.goals).map(([key, target]) => ({ label: GOALS[key as GoalKey].label, unit: GOALS[key as GoalKey].unit, target }));
    return {
      tagged: items,
      roadshows: shows.items,
      visits: itineraries.items,
      goalsSet: goals,
      isUniversities: ['hundred-universities', 'institute-tour'].includes(record.kind) || !!record.progress?.funnel.rows.length,
      isVisits: record.kind === 'expert-visit' || !!itineraries.total,
      organizer,
      institutionOptions: organizer ? await institutionOptions() : undefined,
      resultChoices: organizer ? await resultOptions() : undefined,
      demandChoices: organizer ? await demandOptions() : undefined,
    };
  },
};

/** A form on the campaign page: back to its section with the outcome. */
const campaignAction = (action: Parameters<typeof pageAction>[1], anchor: string) => pageAction((id) => `/campaigns/${id}#${anchor}`, action);

export const addParticipantForm = campaignAction(async (req, actor, id) => {
  const input = parse(participantInput, { institution: req.body?.institution, contactedOn: req.body?.contactedOn });
  const view = await addParticipant(actor, id, input);
  return `已将“${view.institutions.find((p) => p.id === input.institution)?.name ?? ''}”列入参与高校院所。`;
}, 'funnel');

export const removeParticipantForm = campaignAction(async (req, actor, id) => {
  await removeParticipant(actor, id, idParam(req, 'institution'));
  return '已移出该高校院所。';
}, 'funnel');

export const tagForm = campaignAction(async (req, actor, id) => {
  const input = parse(tagInput, { kind: req.body?.kind, ids: typeof req.body?.ids === 'string' ? req.body.ids.trim() : req.body?.ids });
  await tag(actor, id, input.kind, input.ids);
  return input.kind === 'result' ? '已将该科技成果纳入活动。' : '已将该技术需求纳入活动。';
}, 'tagged');

export const untagForm = campaignAction(async (req, actor, id) => {
  const input = parse(tagInput, { kind: req.body?.kind, ids: req.body?.ids });
  await untag(actor, id, input.kind, input.ids);
  return '已移出活动。';
}, 'tagged');
