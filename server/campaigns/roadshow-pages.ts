// Roadshow pages: list, detail (agenda, sign-up, registrations, outcomes), the plan form with its agenda rows
// (a clash comes back on the form, next to the field it concerns), the printable agenda, check-in at the door
// and the .ics file.
import type { Request, RequestHandler, Response } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Conflict, Forbidden, Invalid } from '../platform/errors.ts';
import { pageAction } from '../platform/http/forms.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { Contract, type ContractDoc } from '../deals/model.ts';
import { indexOf } from '../matching/api.ts';
import { campaignOptions } from './campaign-service.ts';
import { CHECKIN_OPENS_HOURS_BEFORE, loadRoadshow, roadshows, SLOT_LABELS, type RoadshowView } from './roadshow-service.ts';
import { cancel, checkIn, register } from './registration-service.ts';
import { contractLink, outcomeViews, recordOutcome } from './outcome-service.ts';
import { outcomeOptions } from './options.ts';
import { choicesOf, findChoices, names, normText, PICK_LABELS, type Choice, type PickKind } from './picker.ts';
import { checkRoadshow } from './roadshow-plan.ts';
import { checkinQrSvg } from './checkin-qr.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { roadshowIcs } from './calendar-service.ts';
import { baseUrlOf } from './api.ts';
import { formRows, isBlank, postedRows, remapErrors } from './form-rows.ts';
import { checkinInput, outcomeInput, registrationInput, roadshowQuery } from './schema.ts';
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
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

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

export const listPage: RequestHandler = async (req, res) => {
  const when = req.query.when === 'all' ? undefined : (req.query.when ?? 'upcoming');
  const q = parse(roadshowQuery, { ...req.query, when });
  const result = await roadshows.list(req.user, q);
  res.render('campaigns/roadshow-list', {
    title: '项目路演',
    section: 'campaigns',
    items: result.items,
    pager: pager(result),
    filters: { ...q, when: when ?? 'all' },
    campaignOptions: await campaignOptions(),
    canCreate: isOrganizer(req.user),
  });
};

export const showPage: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const record = await roadshows.get(req.user, id);
  const organizer = isOrganizer(req.user);
  const doc = organizer ? await loadRoadshow(id) : undefined;
  const contracts = doc ? await Contract.find({ 'source.roadshow': id }).lean<ContractDoc[]>() : [];
  res.set('Cache-Control', 'no-store');
  const mine = record.mine && record.mine.status !== 'cancelled' ? record.mine : undefined;
  res.render('campaigns/roadshow-show', {
    title: record.title,
    section: 'campaigns',
    record,
    organizer,
    // the sign-up's check-in code as a QR code that opens the check-in page with it (checkin-qr.ts)
    mineQr: mine ? await checkinQrSvg(baseUrlOf(req), id, mine.code, `签到二维码，签到码 ${mine.code}`) : undefined,
    outcomes: doc ? outcomeViews(doc) : undefined,
    outcomeChoices: doc && record.started ? await outcomeOptions(doc) : undefined,
    contracts: contracts.filter((c) => !c.deletedAt).map((c) => ({ id: String(c._id), title: c.title, amount: c.amount, verified: c.verified })),
    contractLink: doc ? contractLink(doc) : undefined,
    enterpriseChoices: organizer && record.permissions.register ? await enterpriseOptions() : undefined,
    outcomeKindOptions: [
      { value: 'intention', label: '合作意向' },
      { value: 'contract', label: '签约' },
    ],
  });
};

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

export const confirmDelete: RequestHandler = async (req, res) => {
  const record = await roadshows.get(req.user, idParam(req));
  if (!record.permissions.delete) throw new Forbidden();
  res.render('shared/confirm-delete', { title: '取消路演', section: 'campaigns', noun: '路演', record, action: `/roadshows/${record.id}/delete`, back: `/roadshows/${record.id}` });
};

export const removeForm: RequestHandler = async (req, res) => {
  await roadshows.remove(req.user!, idParam(req));
  req.flash('success', '已取消该路演，已报名的企业会收到通知。');
  res.redirect(303, '/roadshows');
};

/** The agenda to print or hand out: a page of its own, no scripts. */
export const agendaPage: RequestHandler = async (req, res) => {
  const record = await roadshows.get(req.user, idParam(req));
  res.render('campaigns/roadshow-agenda', { layout: false, title: `${record.title} · 议程`, record });
};

export const icsFile: RequestHandler = async (req, res) => {
  const doc = await loadRoadshow(idParam(req));
  res
    .type('text/calendar; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="roadshow-${String(doc._id)}.ics"`)
    .set('Cache-Control', 'no-cache')
    .send(roadshowIcs(doc, baseUrlOf(req)));
};

// ---- sign-up, check-in and outcomes -----------------------------------------------------------------------------

/** A form on the roadshow page: back to it (at `anchor`) with the outcome. */
const roadshowAction = (action: Parameters<typeof pageAction>[1], anchor = '') => pageAction((id) => `/roadshows/${id}${anchor}`, action);

export const registerForm = roadshowAction(async (req, actor, id) => {
  const input = parse(registrationInput, { enterprise: req.body?.enterprise, attendee: req.body?.attendee });
  const view = await register(actor, id, input);
  return view.status === 'confirmed'
    ? `“${view.enterprise.name}”报名成功，签到码 ${view.code}，请在入场时出示。`
    : `名额已满，“${view.enterprise.name}”已进入候补名单第 ${view.position} 位（签到码 ${view.code}）；有人取消时将按顺序递补并通知。`;
}, '#signup');

export const cancelForm = roadshowAction(async (req, actor, id) => {
  const view = await cancel(actor, id, idParam(req, 'registration'));
  return `已取消“${view.enterprise.name}”的报名。`;
}, '#signup');

export const outcomeForm = roadshowAction(async (req, actor, id) => {
  const [kind, candidateId] = str(req.body?.candidate).split(':');
  const input = parse(outcomeInput, {
    kind: req.body?.kind,
    enterprise: req.body?.enterprise,
    demand: req.body?.demand,
    candidate: candidateId ? { kind, id: candidateId } : undefined,
    note: req.body?.note,
  });
  const outcome = await recordOutcome(indexOf(req), actor, id, input);
  if (outcome.kind === 'contract') return '已记录签约成果，请点击“登记技术合同”录入合同。';
  return outcome.match ? '已记录合作意向，并列入该需求的对接清单。' : '已记录合作意向。';
}, '#outcomes');

async function renderCheckin(res: Response, id: string, locals: { errors?: Record<string, string>; typed?: string; reason?: string } = {}, status = 200) {
  const record = await roadshows.get(res.req.user, id);
  if (!record.permissions.manage) throw new Forbidden();
  const errors = locals.errors ?? {};
  res.set('Cache-Control', 'no-store');
  res.status(status).render('campaigns/roadshow-checkin', {
    title: `签到 · ${record.title}`,
    section: 'campaigns',
    record,
    hoursBefore: CHECKIN_OPENS_HOURS_BEFORE,
    // The reason field is offered outside the window (or when one was typed or refused).
    showOverride: record.checkin.state !== 'open' || !!locals.reason || !!errors['override.reason'],
    ...locals,
    errors,
    reasonError: errors['override.reason'],
  });
}

// A scanned QR code (checkin-qr.ts) opens this page with ?code=: the code is filled in, one tap checks in.
export const checkinPage: RequestHandler = async (req, res) => renderCheckin(res, idParam(req), { typed: str(req.query.code).toUpperCase().slice(0, 12) });

export const checkinForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const typed = str(body.code);
  const reason = str(body['override.reason']);
  try {
    const input = parse(checkinInput, { code: typed, override: reason ? { reason } : undefined });
    const view = await checkIn(req.user!, id, input, { ip: req.ip });
    const overridden = view.checkInOverride ? `（签到时间外补签，原因：${view.checkInOverride.reason}）` : '';
    req.flash('success', `签到成功：${view.enterprise.name}${view.attendee ? `（${view.attendee}）` : ''}，签到码 ${view.code}${overridden}。`);
    res.redirect(303, `/roadshows/${id}/checkin`);
  } catch (err) {
    if (!(err instanceof Invalid) && !(err instanceof Conflict)) throw err;
    const errors = err instanceof Invalid ? err.fields : (err.fields ?? { code: err.detail });
    await renderCheckin(res, id, { errors, typed, reason }, err.status);
  }
};
