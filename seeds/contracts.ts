// The demo's technology contracts (技术合同), planned from the demo data alone so that each one holds together
// (issue 15): a demo result (科技成果) is transferred, licensed, developed further, or applied in a consultation
// or a service — only in a way the result offers — for an enterprise of the result's own industry whose
// business or needs mention the result's subject, by the result's institution (or its lead expert, for
// consultations and services), at an amount within its type's range, near the asking price for transfers and
// licences. The title names the result and ends with the type's name: “…”技术转让合同. Deterministic: the same
// `now` gives the same plan (and past years the same whatever `now`), so the seed stays idempotent by
// registration number.
import { contractType } from '../server/vocabulary/index.ts';
import { yearOf } from '../server/platform/time.ts';
import { brokers as seedBrokers } from './data/brokers.ts';
import { demands as seedDemands } from './data/demands.ts';
import { enterprises as seedEnterprises } from './data/enterprises.ts';
import { results as seedResults } from './data/results.ts';
import type { ModeCode, SeedEnterprise, SeedResult } from './data/types.ts';
import { mulberry32, pick } from './random.ts';

export type ContractTypeCode = (typeof contractType.keys)[number];

const WAN = 10_000;
const DAY = 86_400_000;

/**
 * The plausible amount of one contract of each type, in 万元: the one definition the seed draws within and its
 * test checks against. 咨询: a feasibility study or an expert opinion, a few to some tens of 万元. 服务: testing,
 * process tuning, training, up to a plant-wide service for a large enterprise. 开发: from a small commissioned
 * project to a pilot or production line developed with a large enterprise. 转让: from a single patent to a
 * complete process package. 许可: a licence costs less than the rights themselves.
 */
export const CONTRACT_AMOUNT_WAN: Readonly<Record<ContractTypeCode, { readonly min: number; readonly max: number }>> = {
  consulting: { min: 3, max: 80 },
  service: { min: 5, max: 300 },
  development: { min: 20, max: 1500 },
  transfer: { min: 5, max: 1500 },
  license: { min: 3, max: 800 },
};

/**
 * Contracts signed per year: the demo's 60 enterprises sign 36–56 a year, 0.5–0.9 亿元 in all at the amounts
 * above (the action plan's 6.5 亿 for 2022 is the whole district's, not these few enterprises'). Every year is
 * planned in full, the current one too; a seed shows those signed by three weeks before its `now`.
 */
export const CONTRACTS_PER_YEAR: Readonly<Record<number, number>> = { 2021: 36, 2022: 40, 2023: 44, 2024: 48, 2025: 52 };
const CONTRACTS_LATER = 56;
/** The random sequence's seed: the first of those tried whose yearly values grow, as the district's have. */
const SEED = 20_220_658;

/** The ending of a contract's title for its type: 技术开发合同, 技术转让合同 … */
export const titleEnding = (type: ContractTypeCode): string => `${contractType.labels[type]}合同`;

const PHASES = ['一', '二', '三', '四', '五'];

/**
 * A contract's title: the result it applies, in quotes, then its type — “磷石膏…技术”技术转让合同; a later
 * contract of the same parties, result and type is the next phase of their programme — “…”技术开发合同（二期）.
 */
export const contractTitle = (resultTitle: string, type: ContractTypeCode, phase = 1): string =>
  `“${resultTitle}”${titleEnding(type)}${phase > 1 ? `（${PHASES[phase - 1] ?? phase}期）` : ''}`;

/** The result a title made by contractTitle names; undefined for any other title. */
export const resultTitleOf = (title: string): string | undefined => /^“(.+)”技术(?:开发|转让|许可|咨询|服务)合同(?:（.+期）)?$/.exec(title)?.[1];

/** How a result's cooperation mode is registered as a contract; 技术入股 and the rest are not contracts here. */
const TYPE_OF_MODE: Partial<Record<ModeCode, ContractTypeCode>> = {
  transfer: 'transfer',
  license: 'license',
  'joint-development': 'development',
  'commissioned-development': 'development',
  consulting: 'consulting',
  service: 'service',
};
/** How often each type is signed, relative to the others, when a result offers it: large enterprises commission
 *  development, small ones buy services and advice more often. */
const TYPE_WEIGHT: Record<'large' | 'small', Record<ContractTypeCode, number>> = {
  large: { development: 8, service: 2, transfer: 2, license: 1.5, consulting: 1 },
  small: { development: 2, service: 3, transfer: 1.5, license: 1.5, consulting: 2 },
};
/** Results further along are signed more often. */
const MATURITY_WEIGHT: Record<SeedResult['maturity'], number> = { lab: 1, 'small-pilot': 1.5, pilot: 2.5, industrial: 3 };
/** A development or service programme between the same parties runs in up to three phases, two years apart. */
const MAX_PHASES = 3;
const PHASE_GAP_YEARS = 2;

export interface PlannedContract {
  /** 技术合同认定登记号, the contract's natural key (also given to contracts not registered yet). */
  number: string;
  title: string;
  type: ContractTypeCode;
  result: SeedResult;
  buyer: SeedEnterprise;
  /** 'expert': the result's lead expert signs (consultations and services), when the result has one. */
  sellerKind: 'institution' | 'expert';
  broker?: { name: string; organization: string } | undefined;
  amount: number; // 元
  techIncome: number; // 元
  signedAt: Date;
  /** undefined: signed but not registered by `now` */
  registeredAt?: Date | undefined;
  /** a broker's entry still waiting for the bureau's check */
  pending: boolean;
}

function weighted<T>(rand: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((s, x) => s + weight(x), 0);
  let r = rand() * total;
  for (const x of items) {
    r -= weight(x);
    if (r < 0) return x;
  }
  return items[items.length - 1]!;
}

/** Log-uniform between a and b: small amounts are common, large ones rare. */
const between = (rand: () => number, a: number, b: number) => a * (b / a) ** rand();

/** What an enterprise says it does and needs, for matching it with a result's keywords. */
const enterpriseText = new Map(
  seedEnterprises.map((e) => [
    e.name,
    [e.intro, ...seedDemands.filter((d) => d.enterprise === e.name).flatMap((d) => [d.title, d.description, ...d.keywords])].join('|'),
  ]),
);

/**
 * How well an enterprise fits a result, 0 for not at all: it must be of the result's industry, and its business
 * or needs must mention two of the result's keywords, or the first (the result's subject); the fit is then the
 * number mentioned. One shared generic word (保鲜, 节能) does not make a buyer.
 */
function fit(result: SeedResult, e: SeedEnterprise): number {
  if (e.industry !== result.industry) return 0;
  const text = enterpriseText.get(e.name)!;
  const hits = result.keywords.filter((k) => text.includes(k));
  return hits.length >= 2 || (hits.length === 1 && hits[0] === result.keywords[0]) ? hits.length : 0;
}

/**
 * What an enterprise spends on one technology project, 万元: the largest budget of its needs, or a guess by its
 * size when it states none. Development and services are priced from it, so a mushroom grower's service costs
 * what its own needs say it can pay, and a phosphate group's pilot line what its needs say.
 */
const budgetWan = new Map(
  seedEnterprises.map((e) => [
    e.name,
    Math.max(e.scale === 'above-designated' ? 100 : 40, ...seedDemands.filter((d) => d.enterprise === e.name).map((d) => d.budgetMaxWan ?? 0)),
  ]),
);

/** An amount in 万元 for a contract of this type on this result with this buyer, within the type's range. */
function amountWan(rand: () => number, type: ContractTypeCode, result: SeedResult, buyer: SeedEnterprise): number {
  const mature = result.maturity === 'pilot' || result.maturity === 'industrial';
  const ask = result.askingPriceWan;
  const budget = budgetWan.get(buyer.name)!;
  let wan: number;
  switch (type) {
    case 'transfer':
      // Near the asking price; a result offered 面议 by its maturity.
      wan = ask ? ask * (0.8 + 0.4 * rand()) : mature ? between(rand, 200, 1500) : between(rand, 30, 300);
      break;
    case 'license':
      wan = ask ? ask * (0.3 + 0.4 * rand()) : mature ? between(rand, 80, 800) : between(rand, 15, 150);
      break;
    case 'development':
      // A pilot or production line with a large enterprise can run to several times one project's budget, and
      // to several times the result's asking price, not more.
      wan = mature && buyer.scale === 'above-designated' ? between(rand, 0.6 * budget, 3 * budget) : between(rand, 0.3 * budget, 1.5 * budget);
      if (ask) wan = Math.min(wan, 8 * ask);
      break;
    case 'service':
      wan = between(rand, 0.1 * budget, 0.6 * budget);
      if (ask) wan = Math.min(wan, 3 * ask);
      break;
    case 'consulting':
      wan = between(rand, 3, Math.min(60, 0.2 * budget + 10));
      break;
  }
  const { min, max } = CONTRACT_AMOUNT_WAN[type];
  return Math.min(max, Math.max(min, Math.round(wan)));
}

/** Each result with the enterprises that fit it (results no enterprise of the district has a use for are left out). */
const buyersOf: { result: SeedResult; buyers: { e: SeedEnterprise; fit: number }[] }[] = seedResults
  .map((result) => ({ result, buyers: seedEnterprises.map((e) => ({ e, fit: fit(result, e) })).filter((b) => b.fit > 0) }))
  .filter((r) => r.buyers.length > 0);

/** The types of contract a result offers. */
const typesOf = (r: SeedResult): ContractTypeCode[] => [...new Set(r.transferModes.map((m) => TYPE_OF_MODE[m]).filter((t): t is ContractTypeCode => !!t))];

/**
 * The demo's contracts from 2021 to `now`, each signed in its year and registered within a month. The plan of a
 * year does not depend on `now`, which only cuts it off, so a later seed adds to an earlier one.
 */
export function planContracts(now: Date): PlannedContract[] {
  const rand = mulberry32(SEED);
  const thisYear = yearOf(now);
  const lastSigning = now.getTime() - 20 * DAY;
  // The rights in a result go to one buyer (转让) or to licensees (许可), each licensed once; development and
  // services go on in phases; advice is given once.
  const rights = new Map<string, 'transfer' | 'license'>();
  const history = new Map<string, number[]>(); // result|buyer|type → the years signed
  const key = (r: SeedResult, e: SeedEnterprise, type: ContractTypeCode) => `${r.title}|${e.name}|${type}`;
  const open = (r: SeedResult, e: SeedEnterprise, type: ContractTypeCode, year: number): boolean => {
    const years = history.get(key(r, e, type)) ?? [];
    const held = rights.get(r.title);
    switch (type) {
      case 'transfer':
        return !held;
      case 'license':
        return held !== 'transfer' && !years.length;
      case 'consulting':
        return !years.length;
      default:
        return years.length < MAX_PHASES && (years.at(-1) ?? 0) <= year - PHASE_GAP_YEARS;
    }
  };
  const planned: PlannedContract[] = [];
  let seq = 0;
  for (let year = 2021; year <= thisYear; year++) {
    const count = CONTRACTS_PER_YEAR[year] ?? CONTRACTS_LATER;
    for (let i = 0; i < count; i++) {
      // Every result, fitting buyer and type still open, weighted: results further along, closer fits and large
      // enterprises sign more often, and each size of enterprise has its usual types.
      const choices = buyersOf.flatMap(({ result, buyers }) =>
        buyers.flatMap(({ e, fit }) => {
          const size = e.scale === 'above-designated' ? 'large' : 'small';
          return typesOf(result)
            .filter((type) => open(result, e, type, year))
            .map((type) => ({ result, buyer: e, type, weight: MATURITY_WEIGHT[result.maturity] * fit * (size === 'large' ? 3 : 1) * TYPE_WEIGHT[size][type] }));
        }),
      );
      if (!choices.length) break;
      const { result, buyer, type } = weighted(rand, choices, (c) => c.weight);
      const years = [...(history.get(key(result, buyer, type)) ?? []), year];
      history.set(key(result, buyer, type), years);
      if (type === 'transfer' || type === 'license') rights.set(result.title, type);
      const amount = amountWan(rand, type, result, buyer) * WAN;
      // 技术交易额: development includes materials and equipment; the other types are nearly all technology.
      const techShare = type === 'development' ? 0.6 + rand() * 0.3 : 0.85 + rand() * 0.15;
      const specialists = seedBrokers.filter((b) => b.specialties.includes(result.industry));
      const broker = specialists.length && rand() < 0.7 ? pick(rand, specialists) : undefined;
      const signedAt = new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * 340) * DAY);
      // Registered within a month of signing; the last ones of a year land in the next (counted there).
      const registeredAt = new Date(signedAt.getTime() + (5 + Math.floor(rand() * 25)) * DAY);
      seq++;
      if (signedAt.getTime() > lastSigning) continue;
      planned.push({
        number: `${year}4208${String(seq).padStart(5, '0')}`,
        title: contractTitle(result.title, type, years.length),
        type,
        result,
        buyer,
        sellerKind: type === 'consulting' || type === 'service' ? 'expert' : 'institution',
        broker: broker && { name: broker.name, organization: broker.organization },
        amount,
        techIncome: Math.round((amount * techShare) / WAN) * WAN,
        signedAt,
        registeredAt: registeredAt <= now ? registeredAt : undefined,
        // A few of this year's contracts with a broker stand for the broker's entries awaiting the bureau's check.
        pending: year === thisYear && !!broker && i % 6 === 4,
      });
    }
  }
  return planned;
}
