// Campaign pages: the record kit for list/show/forms/delete, with the progress board on the detail page, and
// the organizer's forms there for participating universities and for tagging results and needs.
import type { RequestHandler } from 'express';
import { isOrganizer, type Actor } from '../platform/auth/actor.ts';
import { Invalid } from '../platform/errors.ts';
import { pageAction } from '../platform/http/forms.ts';
import type { RecordDef } from '../platform/http/crud.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { institutionOptions } from '../organizations/institution-service.ts';
import { GOAL_KEYS, type GoalKey } from './model.ts';
import { addParticipant, campaigns, loadCampaign, removeParticipant, tagged, tagItems, untag, type CampaignView } from './campaign-service.ts';
import { roadshows } from './roadshow-service.ts';
import { visits } from './visit-service.ts';
import { campaignInput, campaignPatch, campaignQuery, GOALS, participantInput, tagInput, tagItemsInput, type CampaignInput, type CampaignQuery } from './schema.ts';
import { toDateInput } from './times.ts';
import { choicesOf, findChoices, normText, PICK_LABELS, type Choice, type PickKind } from './picker.ts';


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
  async showLocals(record, actor, ctx) {
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
      picker: organizer ? await tagPicker(ctx.search, actor, id, ctx.query) : undefined,
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

// ---- tagging results and needs: search, tick several, tag them in one POST --------------------------------------

const TAG_KINDS: PickKind[] = ['result', 'demand'];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
/** "result:<id>" → { kind, id } as the schema reads it (anything else is refused by the schema). */
const itemOf = (value: string) => {
  const [kind, id] = value.split(':');
  return { kind, id: id ?? value };
};

/**
 * The picker on the campaign page: the search (`tq`, `tk` = result | demand | both) and its choices, the ticked
 * ones (`picked`) first and still ticked, those already in the campaign shown as such.
 */
async function tagPicker(
  search: SearchIndex | undefined,
  actor: Actor | undefined,
  campaign: string,
  query: Record<string, unknown>,
  extra: { error?: string | undefined } = {},
) {
  const q = normText(query.tq);
  const kind = query.tk === 'result' || query.tk === 'demand' ? query.tk : '';
  const picked = strings(query.picked ?? query.items).map(itemOf).filter((i): i is { kind: PickKind; id: string } => TAG_KINDS.includes(i.kind as PickKind));
  const found = search && q ? await findChoices(search, actor, q, kind ? [kind] : TAG_KINDS, { limit: 30, campaign }) : { q, items: [], total: 0, more: false };
  const ticked = [...(await choicesOf(picked, campaign)).values()].filter((c) => !c.tagged);
  const tickedValues = new Set(ticked.map((c) => c.value));
  const items: (Choice & { checked?: boolean })[] = [...ticked.map((c) => ({ ...c, checked: true })), ...found.items.filter((c) => !tickedValues.has(c.value))];
  return {
    q,
    kind,
    kindOptions: TAG_KINDS.map((k) => ({ value: k, label: PICK_LABELS[k] })),
    items,
    total: found.total,
    more: found.more,
    unavailable: !search,
    open: !!q || !!extra.error || ticked.length > 0,
    error: extra.error,
  };
}

/** The choices alone, for the picker's as-you-type (views/assets/app.js swaps them in). */
export const tagChoicesFragment: RequestHandler = async (req, res) => {
  const id = idParam(req);
  await loadCampaign(id);
  const picker = await tagPicker(req.app.locals.search as SearchIndex | undefined, req.user, id, req.query as Record<string, unknown>);
  res.set('Cache-Control', 'no-store').render('campaigns/tag-choices', { layout: false, record: { id }, picker });
};

/** The field problems of a tagging request as one message for the choices list. */
function tagErrorText(fields: Record<string, string>): string {
  const messages = Object.entries(fields).map(([key, message]) => {
    const n = /^items\.(\d+)/.exec(key)?.[1];
    return n !== undefined && !message.startsWith('第') ? `所选第 ${Number(n) + 1} 项：${message}` : message;
  });
  return [...new Set(messages)].join(' ');
}

/** Tags the ticked choices; a problem comes back on the page next to the choices, with the search and the ticks kept. */
export const tagForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  try {
    const { items } = parse(tagItemsInput, { items: strings(body.items).map(itemOf) });
    const counts = await tagItems(req.user!, id, items);
    const parts = [counts.results ? `科技成果 ${counts.results} 项` : '', counts.demands ? `技术需求 ${counts.demands} 项` : ''].filter(Boolean);
    req.flash('success', `已纳入活动：${parts.join('、')}。`);
    res.redirect(303, `/campaigns/${id}#tagged`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const actor = req.user!;
    const search = req.app.locals.search as SearchIndex | undefined;
    const record = await campaigns.get(actor, id);
    const error = tagErrorText(err.fields);
    const locals = await campaignDef.showLocals!(record, actor, { search, query: {} });
    res.set('Cache-Control', 'no-store').status(400).render('campaigns/campaign-show', {
      title: record.label,
      section: 'campaigns',
      base: '/campaigns',
      record,
      ...locals,
      picker: await tagPicker(search, actor, id, { tq: body.tq, tk: body.tk, picked: body.items }, { error }),
      errorList: [error],
    });
  }
};

export const untagForm = campaignAction(async (req, actor, id) => {
  const input = parse(tagInput, { kind: req.body?.kind, ids: req.body?.ids });
  await untag(actor, id, input.kind, input.ids);
  return '已移出活动。';
}, 'tagged');
