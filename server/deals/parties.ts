// The parties of a technology contract and what the contract is for the district. The seller may be a listed
// enterprise, institution or expert, or a party outside the platform known by name (and credit code); the buyer a
// listed enterprise or an outside party. A contract is 技术吸纳 when a district enterprise buys, 技术输出 when a
// district enterprise or an institution in the district's city sells, both when both; one with no district party
// is not the district's and is refused.
import { findLive } from '../platform/db/live.ts';
import { Invalid } from '../platform/errors.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../organizations/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import type { BuyerKind, ContractDoc, Direction, SellerKind } from './model.ts';
import type { ContractInput } from './schema.ts';

type BuyerInput = ContractInput['buyer'];
type SellerInput = ContractInput['seller'];
type StoredBuyer = { kind: BuyerKind; id?: string | undefined; name: string; creditCode?: string | undefined; enterprise?: EnterpriseDoc | undefined };
type StoredSeller = { kind: SellerKind; id?: string | undefined; name: string; creditCode?: string | undefined; enterprise?: EnterpriseDoc | undefined; district?: boolean };

/** The city whose institutions are the district's own (the district is part of it): their sales are 技术输出. */
export const DISTRICT_CITY = '荆门市';

async function buyerOf(input: BuyerInput): Promise<StoredBuyer> {
  if (input.kind === 'outside') return { kind: 'outside', name: input.name, creditCode: input.creditCode };
  const buyer = await findLive<EnterpriseDoc>(Enterprise, input.id);
  if (!buyer) throw new Invalid({ buyer: '所选委托方企业不存在。' });
  return { kind: 'enterprise', id: input.id, name: buyer.name, enterprise: buyer };
}

async function sellerOf(input: SellerInput): Promise<StoredSeller> {
  if (input.kind === 'outside') return { kind: 'outside', name: input.name, creditCode: input.creditCode };
  if (input.kind === 'enterprise') {
    const doc = await findLive<EnterpriseDoc>(Enterprise, input.id);
    if (!doc) throw new Invalid({ seller: '所选受托方企业不存在。' });
    return { kind: 'enterprise', id: input.id, name: doc.name, enterprise: doc, district: true };
  }
  if (input.kind === 'institution') {
    const doc = await findLive<InstitutionDoc>(Institution, input.id);
    if (!doc) throw new Invalid({ seller: '所选受托方机构不存在。' });
    return { kind: 'institution', id: input.id, name: doc.name, district: doc.city === DISTRICT_CITY };
  }
  const doc = await findLive<ExpertDoc>(Expert, input.id);
  if (!doc) throw new Invalid({ seller: '所选受托方专家不存在。' });
  return { kind: 'expert', id: input.id, name: doc.name };
}

/** 吸纳 when a district enterprise (every listed enterprise is one) buys; 输出 when a district party sells. */
export function directionOf(buyer: { kind: string }, seller: { district?: boolean | undefined }): Direction | undefined {
  const absorb = buyer.kind === 'enterprise';
  const exported = !!seller.district;
  return absorb && exported ? 'both' : absorb ? 'absorb' : exported ? 'export' : undefined;
}

/** The stored parties of a contract, for recomputing its direction when only one side changes. */
async function currentParties(doc: ContractDoc): Promise<{ buyer: StoredBuyer; seller: StoredSeller }> {
  const buyer: StoredBuyer = doc.buyer ? { kind: 'enterprise', id: doc.buyer, name: doc.buyerName, enterprise: (await findLive<EnterpriseDoc>(Enterprise, doc.buyer)) ?? undefined } : { kind: 'outside', name: doc.buyerName };
  const kind = doc.seller.kind as SellerKind;
  let seller: StoredSeller = { kind, id: doc.seller.id ?? undefined, name: doc.seller.name };
  if (kind !== 'outside' && doc.seller.id) seller = await sellerOf({ kind, id: doc.seller.id }).catch(() => seller);
  return { buyer, seller };
}

/**
 * The names, places and direction a contract copies from the parties it names (both given when creating; either
 * on a PATCH, the other taken from the stored contract).
 */
export async function resolveParties(input: Partial<ContractInput>, doc?: ContractDoc): Promise<Record<string, unknown>> {
  if (!input.buyer && !input.seller) return {};
  const stored = doc ? await currentParties(doc) : undefined;
  const buyer = input.buyer ? await buyerOf(input.buyer) : stored!.buyer;
  const seller = input.seller ? await sellerOf(input.seller) : stored!.seller;
  const direction = directionOf(buyer, seller);
  if (!direction) {
    throw new Invalid({ buyer: `合同双方至少一方应为本区单位：委托方为本区企业（技术吸纳），或受托方为本区企业、${DISTRICT_CITY}的高校院所（技术输出）。` });
  }
  if (buyer.kind === 'enterprise' && seller.kind === 'enterprise' && buyer.id === seller.id) throw new Invalid({ seller: '委托方和受托方不能是同一家企业。' });
  const local = buyer.enterprise ?? seller.enterprise;
  return {
    buyer: buyer.id,
    buyerName: buyer.name,
    buyerKind: buyer.kind,
    buyerCreditCode: buyer.creditCode,
    seller: { kind: seller.kind, id: seller.id, name: seller.name, creditCode: seller.creditCode },
    direction,
    town: local?.town,
    industry: local?.industry,
  };
}

