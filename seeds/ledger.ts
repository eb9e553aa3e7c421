// The target ledger's demo data: the action plan's targets (年度目标分解表) for 2021–2025, an illustrative
// breakdown for the current year, and the records the figures come from — technology contracts and talent
// introductions for 2021 to today, and manual entries with evidence for what the platform does not record.
// Everything goes through the services and their schemas. Idempotent by natural keys.
import type { Actor } from '../server/platform/auth/actor.ts';
import { parse } from '../server/platform/http/validate.ts';
import { currentYear, isoDate } from '../server/platform/time.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../server/organizations/model.ts';
import { Broker, type BrokerDoc } from '../server/brokers/model.ts';
import { Result, type ResultDoc } from '../server/results/model.ts';
import { Contract, type ContractDoc } from '../server/deals/model.ts';
import { contracts as contractService } from '../server/deals/service.ts';
import { contractInput } from '../server/deals/schema.ts';
import { Talent, type TalentDoc } from '../server/talents/model.ts';
import { talents as talentService } from '../server/talents/service.ts';
import { talentInput } from '../server/talents/schema.ts';
import { Target, ProgressEntry, type TargetDoc, type EntryDoc } from '../server/targets/model.ts';
import { addEntry, targets as targetService } from '../server/targets/service.ts';
import { entryInput, scopeKey, targetInput, type Scope } from '../server/targets/schema.ts';
import { mulberry32, pick } from './random.ts';
import { planContracts } from './contracts.ts';
import { clock } from '../server/platform/clock.ts';

const YI = 100_000_000;
const WAN = 10_000;

/** The action plan's targets, in its own words (section 二 and the task list), plus this year's breakdown. */
function planTargets(thisYear: number) {
  const plan = [
    { indicator: 'contract-value', year: 2022, value: 6.5 * YI, lead: '区科技局', responsible: ['区经信局', '区市场监管局'], note: '行动方案任务 11：到 2022 年全区技术市场成交合同额达到 6.5 亿元' },
    { indicator: 'talent-shortage', startYear: 2021, endYear: 2025, value: 30, lead: '区委人才办', responsible: ['区人社局', '区科协', '区科技局'], note: '“十四五”期间累计引进各类高层次紧缺人才 30 人' },
    { indicator: 'talent-innovative', startYear: 2021, endYear: 2025, value: 10, lead: '区委人才办', responsible: ['区人社局', '区科技局'], note: '“十四五”期间引进国内外高端创新人才 10 名' },
    { indicator: 'talent-graduate', startYear: 2021, endYear: 2022, value: 50, lead: '区委人才办', responsible: ['区人社局', '区科协', '区科技局', '区经信局', '区农业农村局'], note: '任务 14：到 2022 年针对重点产业引进培养硕博及高端人才 50 名以上' },
    { indicator: 'high-tech-enterprises', year: 2022, value: 80, lead: '区科技局', responsible: ['区经信局', '区财政局', '区税务局'], note: '到 2022 年高新技术企业突破 80 家' },
    { indicator: 'tech-smes', year: 2022, value: 80, lead: '区科技局', responsible: ['区经信局', '区财政局', '区税务局'], note: '任务 6：到 2022 年科技型中小企业达到 80 家以上' },
    { indicator: 'rd-ratio', year: 2022, value: 2.69, lead: '区科技局', responsible: ['区发改局', '区财政局'], note: '全社会研发投入占地区生产总值比重' },
    { indicator: 'enterprise-rd-ratio', year: 2022, value: 2.1, lead: '区科技局', responsible: ['区经信局', '区税务局'], note: '企业研发经费投入占主营业务收入比重' },
    { indicator: 'rd-institutions-ratio', year: 2022, value: 70, lead: '区科技局', responsible: ['区发改局', '区经信局', '区科协'], note: '任务 8：规模以上工业企业建立研发机构的比例' },
    { indicator: 'incubation-area', startYear: 2021, endYear: 2025, value: 2_000_000, lead: '区科技局', responsible: ['区发改局', '区招商局'], note: '“十四五”期间新增孵化载体面积不少于 200 万平方米' },
    { indicator: 'incubators', startYear: 2021, endYear: 2025, value: 12, lead: '区科技局', responsible: ['区人社局', '区科协'], note: '省级科技孵化器、众创空间和星创天地累计突破 12 家' },
    { indicator: 'invention-patents', year: 2022, value: 200, lead: '区市场监管局', responsible: ['区科技局', '区经信局'], note: '任务 13：规模以上工业企业发明专利申请数 200 件以上' },
    { indicator: 'sci-tech-finance', year: 2022, value: 8 * YI, lead: '区市场监管局', responsible: ['区科技局', '区经信局', '区投融资服务中心'], note: '任务 13：全区科技金融支持力度达到 8 亿元' },
  ];
  const note = `演示数据：${thisYear} 年度目标分解（示意）`;
  // The contract targets are set at the scale of the demo's enterprises (seeds/contracts.ts: about 50 contracts
  // and under 1 亿元 a year), for the towns where those sign most, so that the year shows partial progress.
  const contractNote = `演示数据：${thisYear} 年度目标分解（示意，按演示企业的合同规模设定）`;
  const current = [
    { indicator: 'contract-value', year: thisYear, value: 9000 * WAN, responsible: ['区经信局', '区市场监管局'], note: contractNote },
    { indicator: 'contract-value', year: thisYear, scope: 'industrial-park', value: 5000 * WAN, note: contractNote },
    { indicator: 'contract-value', year: thisYear, scope: 'shiqiaoyi', value: 2800 * WAN, note: contractNote },
    { indicator: 'contract-value', year: thisYear, scope: 'zilingpu', value: 500 * WAN, note: contractNote },
    { indicator: 'contract-value', year: thisYear, scope: 'lixi', value: 150 * WAN, note: contractNote },
    { indicator: 'contract-count', year: thisYear, value: 60, note: contractNote },
    { indicator: 'talent-graduate', year: thisYear, value: 30 },
    { indicator: 'demands-published', year: thisYear, value: 150 },
    { indicator: 'matches-made', year: thisYear, value: 40 },
    { indicator: 'roadshows-held', year: thisYear, value: 6 },
    { indicator: 'expert-visits', year: thisYear, value: 60 },
    { indicator: 'high-tech-enterprises', year: thisYear, value: 110 },
  ].map((t) => ({ note, ...t }));
  return [...plan, ...current];
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗', '梁', '宋', '郑', '谢', '韩', '唐', '冯', '于', '董', '萧'];
const GIVEN = ['建华', '志强', '晓明', '海燕', '文博', '俊杰', '雪梅', '国庆', '红霞', '立新', '思远', '雨桐', '浩然', '婧', '磊', '敏', '静怡', '一鸣', '子涵', '振宇', '晨曦', '嘉懿', '春生', '明轩', '佳琪'];

/** A tiny PDF standing in for a statistics report: evidence files are checked by their bytes. */
function evidencePdf(title: string): { originalname: string; buffer: Buffer; size: number } {
  const buffer = Buffer.from(`%PDF-1.4\n% ${title}（演示证明材料）\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
  return { originalname: `${title}.pdf`, buffer, size: buffer.length };
}

export async function seedLedger(system: Actor, now = clock.now()): Promise<Record<string, number>> {
  const created = { targets: 0, contracts: 0, talents: 0, entries: 0 };
  const rand = mulberry32(20_220_650);
  const thisYear = currentYear(now);
  const live = { deletedAt: null };

  // ---- targets -------------------------------------------------------------------------------------------
  const existingTargets = new Set(
    (await Target.find(live).lean<TargetDoc[]>()).map((t) => `${t.indicator}|${t.startYear}|${t.endYear}|${scopeKey(t.scope as Scope)}`),
  );
  for (const row of planTargets(thisYear)) {
    const input = parse(targetInput, row);
    if (existingTargets.has(`${input.indicator}|${input.startYear}|${input.endYear}|${scopeKey(input.scope)}`)) continue;
    await targetService.create(system, input);
    created.targets++;
  }

  // ---- contracts ------------------------------------------------------------------------------------------
  // Planned from the demo data (seeds/contracts.ts), each found here by its records' names; a contract whose
  // records are gone is left out.
  const [enterprises, institutions, brokers, results] = await Promise.all([
    Enterprise.find(live).lean<EnterpriseDoc[]>(),
    Institution.find(live).select('name').lean<InstitutionDoc[]>(),
    Broker.find(live).select('name organization').lean<BrokerDoc[]>(),
    Result.find(live).select('title institution leadExpert').lean<ResultDoc[]>(),
  ]);
  if (!enterprises.length || !institutions.length) return created;
  const firstId = <T extends { _id: unknown }>(docs: T[], key: (d: T) => string) => {
    const ids = new Map<string, string>();
    for (const d of docs) if (!ids.has(key(d))) ids.set(key(d), String(d._id));
    return ids;
  };
  const enterpriseIds = firstId(enterprises, (d) => d.name);
  const institutionIds = firstId(institutions, (d) => d.name);
  const brokerIds = firstId(brokers, (d) => `${d.organization}|${d.name}`);
  const resultsByKey = new Map(results.map((r) => [`${r.institution}|${r.title}`, r]));
  // A contract exists by its registration number or, not registered yet, by its buyer, title and signing day.
  const existing = new Set(
    (await Contract.find(live).select('registration buyer title signedAt').lean<ContractDoc[]>()).flatMap((c) => [c.registration?.number ?? '', `${c.buyer}|${c.title}|${isoDate(c.signedAt)}`]),
  );
  for (const plan of planContracts(now)) {
    const buyer = enterpriseIds.get(plan.buyer.name);
    const institution = institutionIds.get(plan.result.institution);
    const result = institution ? resultsByKey.get(`${institution}|${plan.result.title}`) : undefined;
    if (!buyer || !institution || !result) continue;
    if (existing.has(plan.number) || existing.has(`${buyer}|${plan.title}|${isoDate(plan.signedAt)}`)) continue;
    // Consultations and services are signed by the result's lead expert when it has one, else its institution.
    const seller = plan.sellerKind === 'expert' && result.leadExpert ? { kind: 'expert', id: result.leadExpert } : { kind: 'institution', id: institution };
    const broker = plan.broker ? brokerIds.get(`${plan.broker.organization}|${plan.broker.name}`) : undefined;
    const input = parse(contractInput, {
      title: plan.title,
      type: plan.type,
      buyer,
      seller,
      broker,
      amount: plan.amount,
      techIncome: plan.techIncome,
      signedAt: isoDate(plan.signedAt),
      registration: plan.registeredAt ? { number: plan.number, date: isoDate(plan.registeredAt) } : undefined,
    });
    const view = await contractService.create(system, input);
    created.contracts++;
    if (plan.pending) await Contract.updateOne({ _id: view.id }, { $set: { verified: false }, $unset: { verifiedAt: 1, verifiedBy: 1, verifiedByName: 1 } });
  }
  const weighted = enterprises.filter((e) => e.town === 'industrial-park').concat(enterprises); // the park employs most

  // ---- talents ---------------------------------------------------------------------------------------------
  const existingTalents = new Set((await Talent.find(live).select('name employer').lean<TalentDoc[]>()).map((t) => `${t.name}|${t.employer}`));
  const perYear: Record<string, number[]> = { shortage: [5, 7, 6, 5, 4], innovative: [1, 2, 2, 2, 1], graduate: [22, 24, 18, 20, 21] };
  const degreeOf = { shortage: ['doctor', 'doctor', 'master'], innovative: ['doctor'], graduate: ['master', 'master', 'doctor'] } as const;
  const titles = ['教授级高级工程师', '研究员', '副教授', '高级工程师', '科技副总', '博士后'];
  for (let year = 2021; year <= thisYear; year++) {
    for (const category of ['shortage', 'innovative', 'graduate'] as const) {
      const n = year - 2021 < 5 ? perYear[category]![year - 2021]! : Math.max(1, Math.round(perYear[category]![4]! * 1.2 * Math.min(1, (now.getTime() - Date.UTC(year, 0, 1)) / (365 * 86_400_000))));
      for (let i = 0; i < n; i++) {
        const name = `${pick(rand, SURNAMES)}${pick(rand, GIVEN)}`;
        const employer = pick(rand, weighted);
        const maxDay = year === thisYear ? Math.max(1, Math.floor((now.getTime() - Date.UTC(year, 0, 1)) / 86_400_000) - 3) : 360;
        const date = new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * maxDay) * 86_400_000);
        const degree = pick(rand, degreeOf[category]);
        const title = pick(rand, titles);
        const mode = pick(rand, ['full-time', 'flexible', 'flexible', 'tech-vp'] as const);
        if (existingTalents.has(`${name}|${String(employer._id)}`)) continue;
        existingTalents.add(`${name}|${String(employer._id)}`);
        await talentService.create(
          system,
          parse(talentInput, {
            name,
            degree,
            title: category === 'graduate' ? undefined : title,
            category,
            mode: category === 'graduate' ? 'full-time' : mode,
            employer: String(employer._id),
            industry: employer.industry,
            date: isoDate(date),
            source: { note: category === 'innovative' ? '“专家东宝行”柔性引进' : undefined },
          }),
        );
        created.talents++;
      }
    }
  }

  // ---- manual entries with evidence ---------------------------------------------------------------------
  const existingEntries = new Set((await ProgressEntry.find(live).lean<EntryDoc[]>()).map((e) => `${e.indicator}|${e.year}|${e.scope.code}`));
  const entries: [string, number, number, string][] = [
    ['high-tech-enterprises', 2021, 64, '2021 年高新技术企业认定名单'],
    ['high-tech-enterprises', 2022, 77, '2022 年高新技术企业认定名单'],
    ['high-tech-enterprises', thisYear, 96, `${thisYear} 年高新技术企业存量统计`],
    ['tech-smes', 2022, 86, '2022 年科技型中小企业入库名单'],
    ['rd-ratio', 2021, 2.31, '2021 年研发投入统计公报'],
    ['rd-ratio', 2022, 2.52, '2022 年研发投入统计公报'],
    ['enterprise-rd-ratio', 2022, 1.86, '2022 年企业研发经费统计'],
    ['rd-institutions-ratio', 2022, 72, '2022 年规上企业研发机构统计'],
    ['incubation-area', 2021, 380_000, '2021 年新增孵化载体面积'],
    ['incubation-area', 2022, 420_000, '2022 年新增孵化载体面积'],
    ['incubation-area', 2023, 350_000, '2023 年新增孵化载体面积'],
    ['incubation-area', 2024, 300_000, '2024 年新增孵化载体面积'],
    ['incubation-area', 2025, 260_000, '2025 年新增孵化载体面积'],
    ['incubators', 2023, 9, '省级以上创新创业载体名单（2023）'],
    ['incubators', 2025, 11, '省级以上创新创业载体名单（2025）'],
    ['invention-patents', 2022, 176, '2022 年规上工业企业发明专利申请统计'],
    ['sci-tech-finance', 2022, 7.2 * YI, '2022 年科技金融支持情况'],
  ];
  for (const [indicator, year, value, title] of entries) {
    if (year > thisYear || existingEntries.has(`${indicator}|${year}|district`)) continue;
    await addEntry(system, parse(entryInput, { indicator, year, scope: 'district', value, note: `${title}（演示数据）` }), evidencePdf(title));
    created.entries++;
  }
  return created;
}
