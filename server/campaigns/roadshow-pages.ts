// Roadshow pages: list, detail (agenda, sign-up, registrations, outcomes), cancelling, the printable agenda, the
// .ics file and the organizer's outcome form. The plan form is roadshow-form-pages.ts; sign-up and check-in are
// registration-pages.ts.
import type { RequestHandler } from 'express';
import { isOrganizer } from '../platform/auth/actor.ts';
import { Forbidden } from '../platform/errors.ts';
import { pageAction } from '../platform/http/forms.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { enterpriseOptions } from '../organizations/enterprise-service.ts';
import { Contract, type ContractDoc } from '../deals/model.ts';
import { indexOf } from '../matching/api.ts';
import { campaignOptions } from './campaign-service.ts';
import { loadRoadshow, roadshows } from './roadshow-service.ts';
import { contractLink, outcomeViews, recordOutcome } from './outcome-service.ts';
import { outcomeOptions } from './options.ts';
import { checkinQrSvg } from './checkin-qr.ts';
import { roadshowIcs } from './calendar-service.ts';
import { baseUrlOf } from './api.ts';
import { str } from './form-rows.ts';
import { outcomeInput, roadshowQuery } from './schema.ts';
import { visibleFilter as visibleContracts } from '../deals/policy.ts';

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
  // the contracts this organizer may list (deals/policy.ts visibleFilter: deleted ones are gone)
  const contracts = doc ? await Contract.find({ 'source.roadshow': id, ...visibleContracts(req.user) }).lean<ContractDoc[]>() : [];
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

// ---- forms on the roadshow page ---------------------------------------------------------------------------------

/** A form on the roadshow page: back to it (at `anchor`) with the outcome. */
export const roadshowAction = (action: Parameters<typeof pageAction>[1], anchor = '') => pageAction((id) => `/roadshows/${id}${anchor}`, action);

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
