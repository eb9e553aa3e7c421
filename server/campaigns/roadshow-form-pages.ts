// The roadshow plan form: new and edit, with its agenda rows (a clash comes back on the form, next to the field it
// concerns) and each row's content picker.
import type { Request, RequestHandler, Response } from 'express';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { campaignOptions } from './campaign-service.ts';
import { roadshows, SLOT_LABELS, type RoadshowView } from './roadshow-service.ts';
import { choicesOf, findChoices, names, normText, PICK_LABELS, type Choice, type PickKind } from './picker.ts';
import { checkRoadshow } from './roadshow-plan.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { formRows, isBlank, postedRows, remapErrors, str } from './form-rows.ts';
import { atTimeOf, local, parseInstant, toInput, toTimeInput } from './times.ts';

const SLOT_FIELDS = ['kind', 'ref', 'startsAt', 'minutes', 'presenter'] as const;
/** …and the content picker's: the text shown (`find`) and the title it was shown with (`label`). */
const ROW_FIELDS = [...SLOT_FIELDS, 'find', 'label'] as const;
const MAX_SLOTS = 40;
const SLOT_KINDS: PickKind[] = ['result', 'demand', 'expert'];
const isId = (v: string | undefined): v is string => !!v && /^[0-9a-f]{24}$/i.test(v);
const asKind = (v: unknown): PickKind | undefined => (SLOT_KINDS.includes(v as PickKind) ? (v as PickKind) : undefined);

/** A row's content picker as drawn: the chosen record's title, a result without a lead person, the choices of a typed title. */
interface SlotPick {
  title?: string | undefined;
  noLead?: boolean | undefined;
  choices?: Choice[] | undefined;
  error?: string | undefined;
}

/**
 * What each agenda row's content picker names. A row whose text differs from the title it was shown with (typed
 * without JavaScript, or a pasted id) is looked up: an id is taken, one record with exactly that title is taken, else
 * the matches come back as choices on that row (with a field error) — the choice sent next time wins over the text.
 * Every row with a record gets its title, its kind and whether a result lacks a lead person.
 */
async function pickSlots(index: SearchIndex | undefined, actor: Actor | undefined, body: Record<string, unknown>): Promise<{ body: Record<string, unknown>; picks: Map<string, SlotPick> }> {
  const out: Record<string, unknown> = { ...body };
  const picks = new Map<string, SlotPick>();
  const chosen: { index: string; kind?: PickKind | undefined; id: string }[] = [];
  for (const row of postedRows(body, 'slots', ROW_FIELDS, MAX_SLOTS)) {
    const key = (f: string) => `slots.${row.index}.${f}`;
    const kind = asKind(row.kind);
    let ref = row.ref ?? '';
    // Text that is not the chosen record's title, or text with nothing chosen (choices came back, none was ticked).
    if (row.find !== undefined && (normText(row.find) !== normText(row.label ?? '') || !ref)) {
      const text = normText(row.find);
      ref = isId(text) ? text : '';
      if (text && !ref) {
        const found = index ? await findChoices(index, actor, text, kind ? [kind] : SLOT_KINDS, { limit: 10 }) : undefined;
        const exact = found?.items.filter((c) => names(c, text)) ?? [];
        if (exact.length === 1) ref = exact[0]!.value;
        else {
          const choices = exact.length > 1 ? exact : (found?.items ?? []);
          const what = kind ? PICK_LABELS[kind] : '成果、需求或专家';
          picks.set(row.index, {
            choices,
            error:
              exact.length > 1
                ? `有 ${exact.length} 项${what}名称都是“${text}”，请从下面选择一项。`
                : choices.length
                  ? `没有名称恰为“${text}”的${what}，请从下面 ${choices.length} 项中选择。`
                  : `没有找到与“${text}”相符的${what}，请换个名称再试。`,
          });
          out[key('label')] = row.find; // so that a choice ticked next time wins over the text
        }
      }
    }
    // A choice is "kind:id"; the picker (and the API-shaped form) send an id.
    const [k, id] = ref.includes(':') ? ref.split(':') : [kind, ref];
    out[key('ref')] = id ?? '';
    if (isId(id)) chosen.push({ index: row.index, kind: asKind(k), id });
  }
  const records = await choicesOf(chosen.flatMap((c) => (c.kind ? [c.kind] : SLOT_KINDS).map((kind) => ({ kind, id: c.id }))));
  for (const c of chosen) {
    const found = (c.kind ? [c.kind] : SLOT_KINDS).map((kind) => records.get(`${kind}:${c.id}`)).find(Boolean);
    if (!found) continue;
    out[`slots.${c.index}.kind`] = found.kind;
    out[`slots.${c.index}.find`] = found.title;
    out[`slots.${c.index}.label`] = found.title;
    picks.set(c.index, { ...picks.get(c.index), title: found.title, noLead: found.noLead });
  }
  return { body: out, picks };
}

/** The content picker's choices as you type (views/assets/app.js): a listbox for one agenda row. */
export const slotChoicesFragment: RequestHandler = async (req, res) => {
  const kind = asKind(req.query.kind);
  const row = /^\d{1,3}$/.test(str(req.query.row)) ? str(req.query.row) : '0';
  const search = req.app.locals.search as SearchIndex | undefined;
  const choices = search ? await findChoices(search, req.user, str(req.query.q), kind ? [kind] : SLOT_KINDS, { limit: 10 }) : undefined;
  res.set('Cache-Control', 'no-store').render('campaigns/slot-choices', { layout: false, row, choices, what: kind ? PICK_LABELS[kind] : '成果、需求或专家' });
};

/** Form fields → the API's input; agenda times may be "09:30" on the session's day. */
export function roadshowFromForm(body: Record<string, unknown>): { input: Record<string, unknown>; rowOf: number[] } {
  const sessionStart = parseInstant(str(body.startsAt));
  const slots: Record<string, unknown>[] = [];
  const rowOf: number[] = [];
  for (const row of postedRows(body, 'slots', SLOT_FIELDS, MAX_SLOTS)) {
    if (isBlank(row, SLOT_FIELDS)) continue;
    const time = /^\d{1,2}:\d{2}$/.test(row.startsAt ?? '') && sessionStart ? atTimeOf(sessionStart, row.startsAt!) : undefined;
    slots.push({ kind: row.kind || undefined, ref: row.ref ?? '', startsAt: time ? toInput(time) : (row.startsAt ?? ''), minutes: row.minutes ?? '', presenter: row.presenter });
    rowOf.push(Number(row.index));
  }
  const input = { campaign: body.campaign, title: body.title, venue: body.venue, startsAt: body.startsAt, endsAt: body.endsAt, capacity: body.capacity, description: body.description, slots };
  return { input, rowOf };
}

function toForm(v: RoadshowView): Record<string, unknown> {
  const sameDay = (d: Date) => local(d).hasSame(local(v.startsAt), 'day');
  const values: Record<string, unknown> = {
    campaign: v.campaign.id,
    title: v.title,
    venue: v.venue,
    startsAt: toInput(v.startsAt),
    endsAt: toInput(v.endsAt),
    capacity: String(v.capacity),
    description: v.description ?? '',
  };
  v.slots.forEach((s, i) => {
    Object.assign(values, {
      [`slots.${i}.kind`]: s.kind,
      [`slots.${i}.ref`]: s.ref,
      [`slots.${i}.find`]: s.title,
      [`slots.${i}.label`]: s.title,
      [`slots.${i}.startsAt`]: sameDay(s.startsAt) ? toTimeInput(s.startsAt) : toInput(s.startsAt),
      [`slots.${i}.minutes`]: String(s.minutes),
      [`slots.${i}.presenter`]: s.kind === 'demand' || (s.kind === 'result' && !s.presenterExpert) ? (s.presenter ?? '') : '',
    });
  });
  return values;
}

/** A form coming back after a failed save shows exactly the rows the user sent (blank ones included), no more. */
const afterPost = (locals: { errors?: Record<string, string> | undefined; detail?: string | undefined }) => !!locals.errors || !!locals.detail;

async function renderForm(
  res: Response,
  locals: { title: string; action: string; values: Record<string, unknown>; errors?: Record<string, string>; detail?: string | undefined; record?: RoadshowView | undefined; picks?: Map<string, SlotPick> },
  status = 200,
) {
  const errors = locals.errors ?? {};
  const rows = postedRows(locals.values, 'slots', ROW_FIELDS, MAX_SLOTS);
  const { picks, ...rest } = locals;
  res.status(status).render('campaigns/roadshow-form', {
    ...rest,
    section: 'campaigns',
    errors,
    errorList: locals.detail ? [locals.detail] : [...new Set(Object.values(errors))],
    rows: formRows('slots', rows, errors, { spare: afterPost(locals) ? 0 : 2, min: 5, max: MAX_SLOTS }).map((row) => ({ ...row, pick: picks?.get(row.index) })),
    campaignOptions: await campaignOptions(),
    kindOptions: Object.entries(SLOT_LABELS).map(([value, label]) => ({ value, label })),
  });
}

/** Saves the form through the service; a bad field or a clash re-renders the form with the messages. */
async function saveForm(req: Request, res: Response, id: string | undefined): Promise<void> {
  const { body, picks } = await pickSlots(req.app.locals.search as SearchIndex | undefined, req.user, req.body as Record<string, unknown>);
  const { input, rowOf } = roadshowFromForm(body);
  const again = async (errors: Record<string, string>, status: number, detail?: string) =>
    renderForm(res, { title: id ? '编辑路演' : '安排路演', action: id ? `/roadshows/${id}` : '/roadshows', values: body, errors, detail, record: id ? await roadshows.get(req.user, id) : undefined, picks }, status);
  // Every field problem at once: the fields', each row's content, the campaign's (keys of the parsed agenda,
  // "slots.k", are put back on the rows they came from), and a typed title that named no single record.
  const pickErrors = Object.fromEntries([...picks].filter(([, p]) => p.error).map(([index, p]) => [`slots.${index}.ref`, p.error!]));
  let parsed;
  try {
    parsed = await checkRoadshow(input);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return again({ ...remapErrors(err.fields, 'slots', rowOf), ...pickErrors }, 400);
  }
  if (Object.keys(pickErrors).length) return again(pickErrors, 400);
  try {
    const view = id ? await roadshows.update(req.user!, id, parsed) : await roadshows.create(req.user!, parsed);
    req.flash('success', id ? `已保存路演“${view.title}”。` : `已安排路演“${view.title}”。`);
    res.redirect(303, `/roadshows/${view.id}`);
  } catch (err) {
    if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err;
    await again(remapErrors(err.fields ?? {}, 'slots', rowOf), err.status, err instanceof Conflict ? err.detail : undefined);
  }
}

export const newForm: RequestHandler = async (req, res) => {
  await renderForm(res, { title: '安排路演', action: '/roadshows', values: { campaign: str(req.query.campaign), capacity: '100' } });
};

export const createForm: RequestHandler = (req, res) => saveForm(req, res, undefined);

export const editForm: RequestHandler = async (req, res) => {
  const record = await roadshows.get(req.user, idParam(req));
  if (!record.permissions.edit) throw new Forbidden();
  const picks = new Map(record.slots.map((s, i) => [String(i), { title: s.title, noLead: s.kind === 'result' && !s.presenterExpert }]));
  await renderForm(res, { title: '编辑路演', action: `/roadshows/${record.id}`, values: toForm(record), record, picks });
};

export const updateForm: RequestHandler = (req, res) => saveForm(req, res, idParam(req));
