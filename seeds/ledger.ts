// The target ledger's demo data: the action plan's targets (年度目标分解表) for 2021–2025, an illustrative
// breakdown for the current year, and the records the figures come from — technology contracts and talent
// introductions for 2021 to today, and manual entries with evidence for what the platform does not record.
// Everything goes through the services and their schemas. Idempotent by natural keys.
import type { Actor } from '../server/platform/auth/actor.ts';
import { parse } from '../server/platform/http/validate.ts';
import { currentYear, isoDate } from '../server/platform/time.ts';
import { Enterprise, Institution, type EnterpriseDoc, type InstitutionDoc } from '../server/organizations/model.ts';
import { Expert, type ExpertDoc } from '../server/experts/model.ts';
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
  const current = [
    { indicator: 'contract-value', year: thisYear, value: 9 * YI, responsible: ['区经信局', '区市场监管局'] },
    { indicator: 'contract-value', year: thisYear, scope: 'industrial-park', value: 3.2 * YI },
    { indicator: 'contract-value', year: thisYear, scope: 'shiqiaoyi', value: 1.5 * YI },
    { indicator: 'contract-value', year: thisYear, scope: 'zilingpu', value: 1.2 * YI },
    { indicator: 'contract-value', year: thisYear, scope: 'longquan', value: 0.8 * YI },
    { indicator: 'contract-value', year: thisYear, scope: 'mahe', value: 0.5 * YI },
    { indicator: 'contract-count', year: thisYear, value: 60 },
    { indicator: 'talent-graduate', year: thisYear, value: 30 },
    { indicator: 'demands-published', year: thisYear, value: 150 },
    { indicator: 'matches-made', year: thisYear, value: 40 },
    { indicator: 'roadshows-held', year: thisYear, value: 6 },
    { indicator: 'expert-visits', year: thisYear, value: 60 },
    { indicator: 'high-tech-enterprises', year: thisYear, value: 110 },
  ].map((t) => ({ ...t, note }));
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
  const [enterprises, institutions, experts, brokers, results] = await Promise.all([
    Enterprise.find(live).lean<EnterpriseDoc[]>(),
    Institution.find(live).lean<InstitutionDoc[]>(),
    Expert.find(live).lean<ExpertDoc[]>(),
    Broker.find(live).lean<BrokerDoc[]>(),
    Result.find(live).select('title institution').lean<ResultDoc[]>(),
  ]);
  if (!enterprises.length || !institutions.length) return created;
  const existingNumbers = new Set((await Contract.find(live).select('registration').lean<ContractDoc[]>()).map((c) => c.registration?.number).filter(Boolean));
  // Registered value per year in 亿元: behind in 2022 (amber against 6.5), growing since.
  const yearly: Record<number, { total: number; count: number }> = {
    2021: { total: 4.3 * YI, count: 24 },
    2022: { total: 5.7 * YI, count: 28 },
    2023: { total: 6.6 * YI, count: 30 },
    2024: { total: 7.4 * YI, count: 32 },
    2025: { total: 8.1 * YI, count: 34 },
  };
  // This year up to today: about 80% of the way to the illustrative 9 亿.
  const elapsed = Math.max(0.05, (now.getTime() - Date.UTC(thisYear, 0, 1)) / (365 * 86_400_000));
  yearly[thisYear] = { total: Math.round(7.3 * YI * Math.min(1, elapsed / 0.9)), count: Math.max(3, Math.round(36 * elapsed)) };
  const types = ['development', 'development', 'transfer', 'license', 'consulting', 'service', 'service'] as const;
  const weighted = enterprises.filter((e) => e.town === 'industrial-park').concat(enterprises); // the park signs most
  let seq = 0;
  for (const [yearText, plan] of Object.entries(yearly)) {
    const year = Number(yearText);
    if (year > thisYear) continue;
    // Amounts that sum to the year's total: random weights, rounded to 万元.
    const weights = Array.from({ length: plan.count }, () => 0.3 + rand() * rand() * 4);
    const scale = plan.total / weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < plan.count; i++) {
      seq++;
      const number = `${year}4208${String(seq).padStart(5, '0')}`;
      const amount = Math.max(5 * WAN, Math.round((weights[i]! * scale) / WAN) * WAN);
      const buyer = pick(rand, weighted);
      const fromResult = rand() < 0.6 && results.length > 0;
      const result = fromResult ? pick(rand, results) : undefined;
      const expert = !fromResult ? pick(rand, experts) : undefined;
      const sellerInstitution = result ? result.institution : undefined;
      const maxDay = year === thisYear ? Math.max(1, Math.floor((now.getTime() - Date.UTC(year, 0, 1)) / 86_400_000) - 20) : 340;
      const signed = new Date(Date.UTC(year, 0, 1) + Math.floor(rand() * maxDay) * 86_400_000);
      // Registered within a month of signing; the last ones of a year land in the next (counted there).
      const registered = new Date(signed.getTime() + (5 + Math.floor(rand() * 25)) * 86_400_000);
      const type = pick(rand, types);
      const title = result ? `“${result.title}”技术${type === 'license' ? '许可' : type === 'transfer' ? '转让' : '开发'}合同` : `${buyer.name}技术${type === 'consulting' ? '咨询' : '服务'}合同（${expert!.name}）`;
      const broker = brokers.length && rand() < 0.7 ? pick(rand, brokers) : undefined;
      const techShare = 0.6 + rand() * 0.4;
      // Every draw is made before skipping an existing record, so a second run walks the same sequence.
      if (existingNumbers.has(number)) continue;
      const input = parse(contractInput, {
        title: title.slice(0, 80),
        type,
        buyer: String(buyer._id),
        seller: result ? { kind: 'institution', id: sellerInstitution } : { kind: 'expert', id: String(expert!._id) },
        broker: broker ? String(broker._id) : undefined,
        amount,
        techIncome: Math.round((amount * techShare) / WAN) * WAN,
        signedAt: isoDate(signed),
        registration: registered <= now ? { number, date: isoDate(registered) } : undefined,
      });
      const view = await contractService.create(system, input);
      created.contracts++;
      // A few of this year's contracts stand for brokers' entries still waiting for the bureau's check.
      if (year === thisYear && i % 9 === 4) await Contract.updateOne({ _id: view.id }, { $set: { verified: false }, $unset: { verifiedAt: 1, verifiedBy: 1, verifiedByName: 1 } });
    }
  }

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
