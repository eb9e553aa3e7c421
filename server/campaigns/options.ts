// Choices for the roadshow outcome form: the needs and candidates an outcome can link. (A slot's content and a
// campaign's tagged records are picked by searching, server/campaigns/picker.ts.)
import { trusted } from '../platform/db/connection.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import type { RoadshowDoc } from './model.ts';

export interface Option {
  value: string;
  label: string;
}

export async function demandOptions(filter: Record<string, unknown> = {}): Promise<Option[]> {
  const query: Record<string, unknown> = { deletedAt: null, status: trusted({ $in: ['published', 'matching', 'negotiating'] }), ...filter };
  const docs = await Demand.find(query)
    .sort({ title: 1, _id: 1 })
    .select('title enterpriseName')
    .lean<DemandDoc[]>();
  return docs.map((d) => ({ value: String(d._id), label: `需求：${d.title}（${d.enterpriseName}）` }));
}

/** For the outcome form: the needs on the agenda and those of the registered enterprises; the results and experts presented. */
export async function outcomeOptions(doc: RoadshowDoc): Promise<{ demands: Option[]; candidates: Option[]; enterprises: Option[] }> {
  const slots = doc.slots ?? [];
  const registered = (doc.registrations ?? []).filter((g) => g.status !== 'cancelled');
  const onAgenda = slots.filter((s) => s.kind === 'demand').map((s) => s.ref);
  const ofRegistrants = registered.map((g) => g.enterprise);
  const demands = onAgenda.length || ofRegistrants.length
    ? await demandOptions({ $or: [{ _id: trusted({ $in: onAgenda }) }, { enterprise: trusted({ $in: ofRegistrants }) }] })
    : [];
  const candidates = slots
    .filter((s) => s.kind !== 'demand')
    .map((s) => ({ value: `${s.kind}:${s.ref}`, label: `${s.kind === 'result' ? '成果' : '专家'}：${s.title}` }));
  const enterprises = [...new Map(registered.map((g) => [g.enterprise, { value: g.enterprise, label: g.enterpriseName }])).values()];
  return { demands, candidates, enterprises };
}
