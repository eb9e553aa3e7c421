// How technology brokers appear as pages: forms, lists, detail pages (with the needs assigned to the
// broker) and exports, built on the shared record kit.
import type { RecordDef } from '../platform/http/crud.ts';
import { visibleFilter as visibleDemands } from '../demands/policy.ts';
import { optionsOf } from '../vocabulary/index.ts';
import { contactFromForm, contactToForm } from '../contacts/form.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import type { RequestHandler } from 'express';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { Invalid } from '../platform/errors.ts';
import { brokers, claimState, loadBroker, setClaimLimit, type BrokerView } from './service.ts';
import { brokerInput, brokerPatch, brokerQuery, claimLimitInput, type BrokerInput, type BrokerQuery } from './schema.ts';
import { brokerExport } from './import.ts';

export const brokerDef: RecordDef<BrokerView, BrokerInput, BrokerQuery> = {
  base: '/brokers',
  noun: '技术经纪人',
  section: 'brokers',
  views: { list: 'brokers/broker-list', show: 'brokers/broker-show', form: 'brokers/broker-form' },
  service: brokers,
  listForVisitorsFromIndex: true,
  keepListBodies: 'index', // signed-in users' lists too: the index and vocabulary alone
  schemas: { create: brokerInput, update: brokerPatch, list: brokerQuery },
  fromForm: contactFromForm,
  toForm: (v) => ({ ...v, ...contactToForm(v.contact) }),
  formLocals: () => ({ levelOptions: optionsOf('brokerLevel'), industryOptions: optionsOf('industry') }),
  listLocals: () => ({ levelOptions: optionsOf('brokerLevel'), industryOptions: optionsOf('industry') }),
  async showLocals(record, actor) {
    // The same needs as an enterprise's page shows this viewer (demands/policy.ts visibleFilter).
    const demands = await Demand.find({ broker: record.id, ...visibleDemands(actor, { mayEdit: !!record.permissions.edit }) }).sort({ createdAt: -1, _id: -1 }).limit(50).lean<DemandDoc[]>();
    return {
      demands: demands.map((d) => ({ id: String(d._id), title: d.title, status: d.status, enterpriseName: d.enterpriseName, createdAt: d.createdAt, confirmed: !!d.brokerConfirmedAt })),
      claims: await claimState(actor, await loadBroker(record.id)),
    };
  },
  export: brokerExport,
};

/** The organizer's claim-limit form on the broker's page. */
export const claimLimitForm: RequestHandler = async (req, res) => {
  const id = idParam(req);
  try {
    const { claimLimit } = parse(claimLimitInput, { claimLimit: req.body?.claimLimit });
    await setClaimLimit(req.user!, id, claimLimit);
    req.flash('success', `认领上限已设为 ${claimLimit} 项。`);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    req.flash('error', Object.values(err.fields).join(' '));
  }
  res.redirect(303, `/brokers/${id}#claims`);
};

export const apiClaimLimit: RequestHandler = async (req, res) => {
  const { claimLimit } = parse(claimLimitInput, req.body ?? {});
  res.json(await setClaimLimit(req.user!, idParam(req), claimLimit));
};
