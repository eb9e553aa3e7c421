// The demo's technology contracts hold together (issue 15): each title names a demo result and ends with the
// name of the contract's type, the buyer is an enterprise of the result's industry, the seller is the result's
// institution or its lead expert, the result offers that kind of cooperation, and the amount lies within its
// type's range (ranges defined once, in the seed, and sane themselves). The seeded totals still leave the
// demo's contract targets partly met.
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../seeds/demo.ts';
import { CONTRACT_AMOUNT_WAN, resultTitleOf, titleEnding } from '../../seeds/contracts.ts';
import { Contract, type ContractDoc } from '../../server/deals/model.ts';
import { Result, type ResultDoc } from '../../server/results/model.ts';
import { Enterprise, type EnterpriseDoc } from '../../server/organizations/model.ts';
import { progress } from '../../server/targets/service.ts';
import { contractType } from '../../server/vocabulary/index.ts';

const WAN = 10_000;
const now = new Date('2026-11-27T02:00:00Z');

/** The cooperation modes a result must offer for a contract of each type. */
const MODES_FOR: Record<(typeof contractType.keys)[number], string[]> = {
  development: ['joint-development', 'commissioned-development'],
  transfer: ['transfer'],
  license: ['license'],
  consulting: ['consulting'],
  service: ['service'],
};

describe('demo contracts', () => {
  it('when the amount ranges are read, then every type has one, positive, below 2,000 万元, advice the cheapest', () => {
    expect(Object.keys(CONTRACT_AMOUNT_WAN).sort()).toEqual([...contractType.keys].sort());
    for (const type of contractType.keys) {
      const { min, max } = CONTRACT_AMOUNT_WAN[type];
      expect(min, type).toBeGreaterThan(0);
      expect(min, type).toBeLessThan(max);
      expect(max, type).toBeLessThanOrEqual(2000);
    }
    // A consultation worth millions is what issue 15 complained of.
    expect(CONTRACT_AMOUNT_WAN.consulting.max).toBeLessThanOrEqual(100);
    expect(CONTRACT_AMOUNT_WAN.consulting.max).toBeLessThan(CONTRACT_AMOUNT_WAN.development.max);
  });

  describe('when the demo is seeded', () => {
    let contracts: ContractDoc[];
    beforeAll(async () => {
      await seedDemo(now);
      contracts = await Contract.find({ deletedAt: null }).lean<ContractDoc[]>();
    }, 180_000);

    it('then every contract names a demo result, ends with its type, and its parties and amount fit the result and type', async () => {
      const results = new Map((await Result.find({ deletedAt: null }).lean<ResultDoc[]>()).map((r) => [r.title, r]));
      const enterprises = new Map((await Enterprise.find({ deletedAt: null }).lean<EnterpriseDoc[]>()).map((e) => [String(e._id), e]));
      expect(contracts.length).toBeGreaterThan(100);
      const problems: string[] = [];
      for (const c of contracts) {
        const type = c.type as (typeof contractType.keys)[number];
        const say = (what: string) => problems.push(`${c.title}（${contractType.labels[type]}，${c.buyerName}，${c.amount / WAN} 万元）：${what}`);
        if (!c.title.includes(titleEnding(type))) say(`名称不含“${titleEnding(type)}”`);
        for (const other of contractType.keys) if (other !== type && c.title.includes(titleEnding(other))) say(`名称含“${titleEnding(other)}”`);
        const result = results.get(resultTitleOf(c.title) ?? '');
        if (!result) {
          say('名称未指向演示成果');
          continue;
        }
        const buyer = enterprises.get(c.buyer ?? '');
        if (buyer?.industry !== result.industry) say(`买方行业 ${buyer?.industry} ≠ 成果行业 ${result.industry}`);
        if (c.industry !== result.industry) say(`合同行业 ${c.industry} ≠ 成果行业 ${result.industry}`);
        const sellerFits = c.seller.kind === 'institution' ? c.seller.id === result.institution : c.seller.id === result.leadExpert;
        if (!sellerFits) say(`卖方 ${c.seller.name} 不是成果的完成单位或负责人`);
        if (!MODES_FOR[type].some((m) => (result.transferModes as string[]).includes(m))) say(`成果不提供此合作方式（${result.transferModes.join('、')}）`);
        const { min, max } = CONTRACT_AMOUNT_WAN[type];
        if (c.amount < min * WAN || c.amount > max * WAN) say(`金额不在 ${min}–${max} 万元内`);
        if (c.techIncome != null && c.techIncome > c.amount) say('技术交易额超过合同额');
      }
      expect(problems).toEqual([]);
    });

    it('then a result is transferred at most once, and never both transferred and licensed', () => {
      const conveyed = new Map<string, string[]>();
      for (const c of contracts.filter((c) => c.type === 'transfer' || c.type === 'license')) {
        const title = resultTitleOf(c.title)!;
        conveyed.set(title, [...(conveyed.get(title) ?? []), c.type]);
      }
      const wrong = [...conveyed].filter(([, types]) => types.includes('transfer') && types.length > 1);
      expect(wrong).toEqual([]);
    });

    it('then the contract targets of the current year are partly met: neither nothing nor several times over', async () => {
      const { items } = await progress({ year: 2026 }, now);
      const contractTargets = items.filter((i) => i.indicator === 'contract-value' || i.indicator === 'contract-count');
      expect(contractTargets.length).toBeGreaterThan(2);
      for (const item of contractTargets) {
        expect(item.ratio, `${item.indicator} ${item.scope}`).toBeGreaterThan(0.3);
        expect(item.ratio, `${item.indicator} ${item.scope}`).toBeLessThan(1.3);
      }
    });
  });
});
