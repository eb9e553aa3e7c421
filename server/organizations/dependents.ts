// What follows from a change to an organisation: needs and results carry its name and place, and an
// organisation with live records cannot be deleted. Uses the other modules' models only (no service cycle).
import { Demand } from '../demands/model.ts';
import { Result } from '../results/model.ts';
import { Expert } from '../experts/model.ts';
import { trusted } from '../platform/db/connection.ts';
import { retallyEnterprise } from '../targets/tallies.ts';
import type { EnterpriseDoc, InstitutionDoc } from './model.ts';

export async function onEnterpriseChanged(doc: EnterpriseDoc): Promise<void> {
  // The update marks each need dirty (searchable plugin), so the index follows.
  await Demand.updateMany({ enterprise: String(doc._id) }, { $set: { enterpriseName: doc.name, town: doc.town } });
  await retallyEnterprise(String(doc._id)); // its matches and visit stops count in its town
}

/** A deleted enterprise has no town in the figures (they count live enterprises' towns). */
export async function onEnterpriseRemoved(id: string): Promise<void> {
  await retallyEnterprise(id);
}

export async function onInstitutionChanged(doc: InstitutionDoc): Promise<void> {
  const id = String(doc._id);
  await Result.updateMany({ institution: id }, { $set: { institutionName: doc.name, province: doc.province, city: doc.city } });
  await Expert.updateMany({ institution: id }, { $set: { institutionName: doc.name, city: doc.city } });
}

export async function hasActiveRecords(kind: 'enterprise' | 'institution', id: string): Promise<boolean> {
  if (kind === 'enterprise') {
    return !!(await Demand.exists({ enterprise: id, deletedAt: null, status: trusted({ $nin: ['closed', 'contracted'] as const }) }));
  }
  return !!(await Result.exists({ institution: id, deletedAt: null }));
}
