// The district's 2026 campaigns for the demo, entered through the campaign services as the bureau would:
// 联百校转千果 with the universities taken on and results and needs tagged into it, two roadshows at 东宝工业园
// with their agendas and sign-ups, and a week of 专家东宝行 visits with reports and a follow-up need.
// Runs after seedDemo (it picks its experts, enterprises, results and needs from the demo data). Idempotent:
// a campaign, roadshow or visit that exists (by name, title, or expert and start) is left alone. Steps that
// depend on the clock (sign-ups before a roadshow, reports after a visit) are taken only when the time allows.
import type { Actor } from '../server/platform/auth/actor.ts';
import { AppError, Conflict } from '../server/platform/errors.ts';
import { parse } from '../server/platform/http/validate.ts';
import { findByEmail } from '../server/accounts/service.ts';
import { Institution, Enterprise, type EnterpriseDoc, type InstitutionDoc } from '../server/organizations/model.ts';
import { Expert, type ExpertDoc } from '../server/experts/model.ts';
import { Result, type ResultDoc } from '../server/results/model.ts';
import { Demand, type DemandDoc } from '../server/demands/model.ts';
import { Campaign, Roadshow, Visit, type CampaignDoc, type RoadshowDoc, type VisitDoc } from '../server/campaigns/model.ts';
import { campaigns, tag } from '../server/campaigns/campaign-service.ts';
import { roadshows } from '../server/campaigns/roadshow-service.ts';
import { register } from '../server/campaigns/registration-service.ts';
import { visits } from '../server/campaigns/visit-service.ts';
import { createFollowUp, saveReport } from '../server/campaigns/visit-report.ts';
import { campaignInput, reportInput, roadshowInput, visitInput } from '../server/campaigns/schema.ts';
import { mulberry32, sample } from './random.ts';
import { clock } from '../server/platform/clock.ts';

const SYSTEM: Actor = { id: 'seed', email: 'seed@localhost', name: '演示数据', role: 'organizer', status: 'active' };

const HUNDRED = '2026年“联百校转千果”科技成果转化行动';
const EXPERT_VISITS = '2026年“专家东宝行”科惠活动';

const PARTICIPANTS = [
  '武汉理工大学', '武汉工程大学', '华中科技大学', '武汉大学', '中国地质大学（武汉）', '武汉科技大学',
  '湖北工业大学', '华中农业大学', '荆楚理工学院', '长江大学', '三峡大学', '湖北大学',
];

const PROBLEMS: Record<string, string[]> = {
  chemicals: ['磷石膏堆存量大，综合利用率不足四成', '湿法磷酸萃取工段磷收率偏低', '尾气中氟化物回收装置运行不稳定'],
  electronics: ['线路板电镀废水含铜浓度波动大，处理成本高', '显示模组贴合良率偏低，缺少在线检测手段'],
  building: ['石膏板生产线干燥能耗偏高', '装配式构件连接节点设计依赖外部设计院'],
  agriculture: ['香菇烘干能耗高、品相不稳定', '冷链仓储温控靠人工记录'],
  manufacturing: ['关键工序仍靠人工上下料，效率低', '设备故障缺少预警，停机损失大'],
};
const problemsFor = (industry: string) => PROBLEMS[industry] ?? ['生产工艺有待优化，缺少专业技术支撑'];

export interface CampaignSeedSummary {
  created: Record<string, number>;
  skipped: string[];
}

const at = (iso: string) => new Date(`${iso}+08:00`);

/** The district's 2026 campaigns, roadshows and a week of visits (idempotent, deterministic). */
export async function seedCampaigns(now = clock.now()): Promise<CampaignSeedSummary> {
  const created: Record<string, number> = { campaigns: 0, roadshows: 0, registrations: 0, visits: 0, reports: 0, followUps: 0 };
  const skipped: string[] = [];
  const organizer = (await findByEmail('kjj@dongbao.demo')) ?? SYSTEM;
  const rand = mulberry32(20_260_101);

  const live = { deletedAt: null };
  const institutions = (await Institution.find(live).lean<InstitutionDoc[]>()).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const enterprises = (await Enterprise.find(live).lean<EnterpriseDoc[]>()).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const experts = (await Expert.find(live).lean<ExpertDoc[]>()).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || String(a.institutionName).localeCompare(String(b.institutionName), 'zh-CN'));
  const results = (await Result.find({ ...live, status: 'published' }).lean<ResultDoc[]>()).sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
  const needs = (await Demand.find(live).lean<DemandDoc[]>()).filter((d) => d.status !== 'draft' && d.status !== 'closed').sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
  if (!institutions.length || !enterprises.length || !experts.length) return { created, skipped: ['没有演示用的机构、企业或专家，请先运行 seedDemo()'] };

  // ---- the two campaigns ------------------------------------------------------------------------------------
  const campaignId = async (name: string, input: Record<string, unknown>): Promise<string> => {
    const existing = await Campaign.findOne({ name, deletedAt: null }).lean<CampaignDoc>();
    if (existing) return String(existing._id);
    created.campaigns!++;
    return (await campaigns.create(organizer, parse(campaignInput, { name, ...input }))).id;
  };
  const idOf = new Map(institutions.map((i) => [i.name, String(i._id)]));
  const hundred = await campaignId(HUNDRED, {
    kind: 'hundred-universities',
    startsOn: '2026-01-01',
    endsOn: '2026-12-31',
    description: '深入实施科技成果大转化工程，聚焦电子信息、绿色建材和装配式建筑、磷化工、现代农业等主导产业需求，联合百所高校院所征集千项科技成果，推动一批见效快、带动强的成果在东宝就地转化。',
    goals: { universities: 100, results: 1000, matches: 200, contracts: 50, roadshows: 6, attendees: 300 },
    institutions: PARTICIPANTS.filter((n) => idOf.has(n)).map((name, i) => ({ institution: idOf.get(name), contactedOn: new Date(Date.UTC(2026, 0, 12 + i * 9)).toISOString().slice(0, 10) })),
  });
  const visiting = await campaignId(EXPERT_VISITS, {
    kind: 'expert-visit',
    startsOn: '2026-03-01',
    endsOn: '2026-12-31',
    description: '组织高校院所专家深入东宝企业一线，“把脉问诊”技术难题，现场提出解决建议，把企业问题转化为技术需求进入对接流程。',
    goals: { experts: 60, visits: 300, enterprises: 150, problems: 400, followUps: 100 },
  });

  // ---- results and needs of the priority industries, tagged into 联百校转千果 ----------------------------------------
  const participating = new Set(PARTICIPANTS);
  const priority = new Set(['chemicals', 'electronics', 'building']);
  const tagResults = results.filter((r) => participating.has(r.institutionName) && priority.has(r.industry)).slice(0, 40).map((r) => String(r._id));
  const tagNeeds = needs.filter((d) => priority.has(d.industry)).slice(0, 15).map((d) => String(d._id));
  if (tagResults.length) await tag(organizer, hundred, 'result', tagResults);
  if (tagNeeds.length) await tag(organizer, hundred, 'demand', tagNeeds);

  // ---- a week of 专家东宝行 (16–20 November 2026) -------------------------------------------------------------------
  const demoExpert = (await findByEmail('zhuanjia@dongbao.demo'))?.profile?.id;
  const available = experts.filter((e) => e.availableForVisits && e.industries?.some((i) => i in PROBLEMS));
  const chosen = [...(demoExpert ? available.filter((e) => String(e._id) === demoExpert) : []), ...available.filter((e) => String(e._id) !== demoExpert)].slice(0, 5);
  const days = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
  for (const [i, expert] of chosen.entries()) {
    const industry = expert.industries!.find((x) => x in PROBLEMS)!;
    const hosts = sample(rand, enterprises.filter((e) => e.industry === industry), 2);
    if (hosts.length < 2) continue;
    const stops = [
      { enterprise: String(hosts[0]!._id), startsAt: `${days[i]}T09:00`, minutes: 120 },
      { enterprise: String(hosts[1]!._id), startsAt: `${days[i]}T14:30`, minutes: 90 },
    ];
    let visit = await Visit.findOne({ campaign: visiting, expert: String(expert._id), startsAt: at(stops[0]!.startsAt), deletedAt: null }).lean<VisitDoc>();
    if (!visit) {
      try {
        const view = await visits.create(organizer, parse(visitInput, { campaign: visiting, expert: String(expert._id), stops }));
        visit = await Visit.findById(view.id).lean<VisitDoc>();
        created.visits!++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        skipped.push(`走访 ${expert.name}：${err.detail}`);
        continue;
      }
    }
    // Reports for the stops that have taken place, and a follow-up need from the first problem of the first stop.
    for (const [s, stop] of (visit!.stops ?? []).entries()) {
      if (stop.startsAt.getTime() > now.getTime()) continue;
      const host = hosts.find((h) => String(h._id) === stop.enterprise) ?? hosts[s]!;
      if (!stop.report?.at) {
        const problems = problemsFor(host.industry).slice(s, s + 2);
        await saveReport(organizer, String(visit!._id), parse(reportInput, { stop: String(stop._id), problems, suggestions: `${expert.name}建议与高校院所共建试验线，先小试验证再推广。` }), now);
        created.reports!++;
      }
      if (s === 0 && !(stop.followUps ?? []).length) {
        try {
          await createFollowUp(organizer, String(visit!._id), { stop: String(stop._id), problem: 0, publish: true });
          created.followUps!++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          skipped.push(`跟进需求：${err.detail}`);
        }
      }
    }
  }

  // ---- two roadshows at 东宝工业园 --------------------------------------------------------------------------------
  const lead = (r: ResultDoc) => (r.leadExpert ? {} : { presenter: `${r.institutionName}成果团队` });
  const pick = (industry: string, n: number) => results.filter((r) => r.industry === industry && tagResults.includes(String(r._id))).slice(0, n);
  const speaker = (industry: string) => experts.find((e) => (e.industries as string[] | undefined)?.includes(industry) && !chosen.includes(e));
  const plans = [
    { title: '磷化工与新材料专场', industry: 'chemicals', venue: '东宝工业园科技服务中心一楼路演厅', day: '2026-12-04', from: '09:00', to: '11:40', capacity: 80 },
    { title: '电子信息专场', industry: 'electronics', venue: '东宝工业园电子信息产业园报告厅', day: '2026-12-11', from: '14:00', to: '16:40', capacity: 60 },
  ];
  const demoEnterprise = (await findByEmail('qiye@dongbao.demo'))?.profile?.id;
  for (const plan of plans) {
    let doc = await Roadshow.findOne({ campaign: hundred, title: plan.title, deletedAt: null }).lean<RoadshowDoc>();
    if (!doc) {
      const slots: Record<string, unknown>[] = [];
      let clock = at(`${plan.day}T${plan.from}`).getTime();
      const add = (slot: Record<string, unknown>, minutes: number) => {
        slots.push({ ...slot, startsAt: new Date(clock).toISOString(), minutes });
        clock += minutes * 60_000;
      };
      const talk = speaker(plan.industry);
      if (talk) add({ kind: 'expert', ref: String(talk._id) }, 30);
      for (const r of pick(plan.industry, 3)) add({ kind: 'result', ref: String(r._id), ...lead(r) }, 25);
      const need = needs.find((d) => d.industry === plan.industry && tagNeeds.includes(String(d._id)));
      if (need) add({ kind: 'demand', ref: String(need._id), presenter: `${need.enterpriseName}技术负责人` }, 20);
      try {
        const view = await roadshows.create(
          organizer,
          parse(roadshowInput, { campaign: hundred, title: plan.title, venue: plan.venue, startsAt: `${plan.day}T${plan.from}`, endsAt: `${plan.day}T${plan.to}`, capacity: plan.capacity, slots }),
        );
        doc = await Roadshow.findById(view.id).lean<RoadshowDoc>();
        created.roadshows!++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        skipped.push(`路演“${plan.title}”：${err.detail}`);
        continue;
      }
    }
    // Sign-ups while registration is open: the demo enterprise and a few of the industry's enterprises.
    if ((doc!.registrations ?? []).length || doc!.startsAt.getTime() <= now.getTime()) continue;
    const attendees = [
      ...(demoEnterprise && plan.industry === 'chemicals' ? [demoEnterprise] : []),
      ...enterprises.filter((e) => e.industry === plan.industry && String(e._id) !== demoEnterprise).slice(0, 5).map((e) => String(e._id)),
    ];
    for (const enterprise of attendees) {
      try {
        await register(organizer, String(doc!._id), { enterprise });
        created.registrations!++;
      } catch (err) {
        if (!(err instanceof Conflict)) throw err;
      }
    }
  }
  return { created, skipped };
}
