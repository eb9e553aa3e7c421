// The record types that can be imported and exported, in the order a district would load them
// (organisations before the needs and results that refer to them).
import type { ImportSpec } from '../platform/io/import.ts';
import type { RecordDef, RecordView } from '../platform/http/crud.ts';
import { enterpriseImport, institutionImport } from '../organizations/import.ts';
import { enterpriseDef, institutionDef } from '../organizations/pages.ts';
import { expertImport } from '../experts/import.ts';
import { expertDef } from '../experts/pages.ts';
import { brokerImport } from '../brokers/import.ts';
import { brokerDef } from '../brokers/pages.ts';
import { resultImport } from '../results/import.ts';
import { resultDef } from '../results/pages.ts';
import { demandImport } from '../demands/import.ts';
import { demandDef } from '../demands/pages.ts';
import { targetImport } from '../targets/import.ts';
import { contractImport } from '../deals/import.ts';
import { contractDef } from '../deals/pages.ts';
import { talentImport } from '../talents/import.ts';
import { talentDef } from '../talents/pages.ts';
import { targetDef } from '../targets/pages.ts';

export interface DataKind {
  spec: ImportSpec<unknown, unknown>;
  def: RecordDef<RecordView, unknown, { page: number; limit: number }>;
}

const kinds = {
  enterprises: { spec: enterpriseImport, def: enterpriseDef },
  institutions: { spec: institutionImport, def: institutionDef },
  experts: { spec: expertImport, def: expertDef },
  brokers: { spec: brokerImport, def: brokerDef },
  results: { spec: resultImport, def: resultDef },
  demands: { spec: demandImport, def: demandDef },
  contracts: { spec: contractImport, def: contractDef },
  talents: { spec: talentImport, def: talentDef },
  targets: { spec: targetImport, def: targetDef },
} as unknown as Record<string, DataKind>;

export const KIND_NAMES = Object.keys(kinds);

export function dataKind(name: string): DataKind | undefined {
  return Object.hasOwn(kinds, name) ? kinds[name] : undefined;
}

export const kindOptions = () => KIND_NAMES.map((k) => ({ value: k, label: kinds[k]!.spec.label }));
