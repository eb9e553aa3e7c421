// The district's demo data, loaded through the services as the district bureau would enter it: every record
// passes its module's schema and rules. Idempotent: a record that exists (by its natural key) is skipped, so
// running the seed twice changes nothing. Dates are spread over the past year, deterministically.
import mongoose from 'mongoose';
import type { Actor, ProfileKind } from '../server/platform/auth/actor.ts';
import { parse } from '../server/platform/http/validate.ts';
import * as accounts from '../server/accounts/service.ts';
import { Enterprise, Institution } from '../server/organizations/model.ts';
import { enterprises as enterpriseService } from '../server/organizations/enterprise-service.ts';
import { institutions as institutionService } from '../server/organizations/institution-service.ts';
import { enterpriseInput, institutionInput } from '../server/organizations/schema.ts';
import { makeCreditCode } from '../server/organizations/credit-code.ts';
import { Expert } from '../server/experts/model.ts';
import { experts as expertService } from '../server/experts/service.ts';
import { expertInput } from '../server/experts/schema.ts';
import { Broker } from '../server/brokers/model.ts';
import { brokers as brokerService } from '../server/brokers/service.ts';
import { brokerInput } from '../server/brokers/schema.ts';
import { Result } from '../server/results/model.ts';
import { results as resultService } from '../server/results/service.ts';
import { resultInput } from '../server/results/schema.ts';
import { Demand } from '../server/demands/model.ts';
import { assignBroker, clarify, demands as demandService, transition } from '../server/demands/service.ts';
import { clarificationInput, demandInput } from '../server/demands/schema.ts';
import { institutions } from './data/institutions.ts';
import { enterprises } from './data/enterprises.ts';
import { experts } from './data/experts.ts';
import { brokers } from './data/brokers.ts';
import { results } from './data/results.ts';
import { demands } from './data/demands.ts';
import { mulberry32, pick } from './random.ts';
import { seedLedger } from './ledger.ts';
import { seedCampaigns } from './campaigns.ts';
import { clock, clockFrom, withClock } from '../server/platform/clock.ts';
import { rebuildTallies } from '../server/targets/tallies.ts';
import { unobserved } from '../server/platform/db/observed.ts';

/** Demo accounts, one per role. Demo only: never use these passwords anywhere real. */
export const DEMO_PASSWORD = 'Dongbao-Demo-2026';
/** The demo organizer's two-step login secret (organizers must use one, server/accounts/policy.ts): add it to
 *  an authenticator app by hand. Printed with the demo accounts. Demo only, like the password. */
export const DEMO_TOTP_SECRET = 'DONGBAOKEJIJUDEMOTOTPKJJSECRETAB';
export const DEMO_ACCOUNTS = [
  { role: 'organizer', email: 'kjj@dongbao.demo', name: '东宝区科技局（演示）' },
  { role: 'enterprise', email: 'qiye@dongbao.demo', name: '湖北桥驿磷化集团（演示）', profile: { kind: 'enterprise', name: enterprises[0]!.name } },
  { role: 'institution', email: 'gaoxiao@dongbao.demo', name: '荆楚理工学院科技处（演示）', profile: { kind: 'institution', name: '荆楚理工学院' } },
  { role: 'expert', email: 'zhuanjia@dongbao.demo', name: experts.find((e) => e.institution === '荆楚理工学院')!.name, profile: { kind: 'expert', name: experts.find((e) => e.institution === '荆楚理工学院')!.name } },
  { role: 'broker', email: 'jingjiren@dongbao.demo', name: brokers[0]!.name, profile: { kind: 'broker', name: brokers[0]!.name } },
] as const;

const SYSTEM: Actor = { id: 'seed', email: 'seed@localhost', name: '演示数据', role: 'organizer', status: 'active' };
const WAN = 10_000;
const DAY = 86_400_000;

export interface SeedSummary {
  created: Record<string, number>;
  accounts: { role: string; email: string; password: string; totpSecret?: string | undefined }[];
}

/** Seeds the demo as of `now`: every service it calls reads that clock, so the demo's roadshows, deadlines and
 *  ledger sit where they would had it been seeded then. */
export function seedDemo(now = clock.now()): Promise<SeedSummary> {
  // The target figures' running totals are counted once at the end rather than on each of the seed's writes.
  return withClock(clockFrom(now), () => unobserved(() => seedAt(now)));
}

async function seedAt(now: Date): Promise<SeedSummary> {
  const created: Record<string, number> = { users: 0, institutions: 0, enterprises: 0, experts: 0, brokers: 0, results: 0, demands: 0 };
  const rand = mulberry32(20_211_026);
  // A date in the past year, weighted toward recent months, for record i of n.
  const pastDate = (i: number, n: number) => new Date(now.getTime() - Math.floor((1 - i / n) ** 1.3 * 360 * DAY) - Math.floor(rand() * DAY));

  // What exists already, by natural key, read once per collection: FerretDB pushes only _id lookups down to
  // SQLite, so one query per record would scan each collection hundreds of times.
  const keys = <T extends { _id: unknown }>(docs: T[], key: (d: T) => string) => new Map(docs.map((d) => [key(d), String(d._id)]));
  const live = { deletedAt: null };
  const existingInstitutions = keys(await Institution.find(live).lean(), (d) => d.name);
  const existingEnterprises = keys(await Enterprise.find(live).lean(), (d) => d.creditCode);
  const existingExperts = keys(await Expert.find(live).lean(), (d) => `${d.institutionName}|${d.name}`);
  const existingBrokers = keys(await Broker.find(live).lean(), (d) => `${d.organization}|${d.name}`);
  const existingResults = keys(await Result.find(live).lean(), (d) => `${d.institution}|${d.title}`);
  const existingDemands = keys(await Demand.find(live).lean(), (d) => `${d.enterprise}|${d.title}`);

  // ---- organisations -----------------------------------------------------------------------------------------
  const institutionIds = new Map<string, string>();
  for (const seed of institutions) {
    const existing = existingInstitutions.get(seed.name);
    if (existing) {
      institutionIds.set(seed.name, existing);
      continue;
    }
    const view = await institutionService.create(SYSTEM, parse(institutionInput, seed));
    institutionIds.set(seed.name, view.id);
    created.institutions!++;
  }

  const enterpriseIds = new Map<string, string>();
  for (const [i, seed] of enterprises.entries()) {
    const creditCode = makeCreditCode(100_000 + i * 7919);
    const existing = existingEnterprises.get(creditCode);
    if (existing) {
      enterpriseIds.set(seed.name, existing);
      continue;
    }
    const view = await enterpriseService.create(SYSTEM, parse(enterpriseInput, { ...seed, creditCode }));
    enterpriseIds.set(seed.name, view.id);
    created.enterprises!++;
  }

  // ---- people ------------------------------------------------------------------------------------------------
  const expertIds = new Map<string, { id: string; institution: string; industries: string[] }>();
  for (const seed of experts) {
    let id = existingExperts.get(`${seed.institution}|${seed.name}`);
    if (!id) {
      const { institution, ...rest } = seed;
      const view = await expertService.create(SYSTEM, parse(expertInput, { ...rest, institution: institutionIds.get(institution) }));
      id = view.id;
      created.experts!++;
    }
    expertIds.set(`${seed.institution}|${seed.name}`, { id, institution: seed.institution, industries: seed.industries });
  }

  const brokerIds: { id: string; name: string; specialties: string[] }[] = [];
  for (const seed of brokers) {
    let id = existingBrokers.get(`${seed.organization}|${seed.name}`);
    if (!id) {
      id = (await brokerService.create(SYSTEM, parse(brokerInput, seed))).id;
      created.brokers!++;
    }
    brokerIds.push({ id, name: seed.name, specialties: seed.specialties });
  }

  // ---- results -----------------------------------------------------------------------------------------------
  const allExperts = [...expertIds.values()];
  for (const [i, seed] of results.entries()) {
    const institution = institutionIds.get(seed.institution)!;
    if (existingResults.has(`${institution}|${seed.title}`)) continue;
    // The lead is an expert of the same institution working in the same industry, when there is one.
    const leads = allExperts.filter((e) => e.institution === seed.institution && e.industries.includes(seed.industry));
    const { askingPriceWan, institution: _i, ...rest } = seed;
    void _i;
    const view = await resultService.create(
      SYSTEM,
      parse(resultInput, {
        ...rest,
        institution,
        askingPrice: askingPriceWan === undefined ? undefined : Math.round(askingPriceWan * WAN),
        leadExpert: leads.length ? pick(rand, leads).id : undefined,
      }),
    );
    await Result.collection.updateOne({ _id: new mongoose.Types.ObjectId(view.id) }, { $set: { createdAt: pastDate(i, results.length) } });
    created.results!++;
  }

  // ---- demands, with the work brokers have done on them -----------------------------------------------------
  for (const [i, seed] of demands.entries()) {
    const enterprise = enterpriseIds.get(seed.enterprise)!;
    if (existingDemands.has(`${enterprise}|${seed.title}`)) continue;
    const r = rand();
    const view = await demandService.create(
      SYSTEM,
      parse(demandInput, {
        title: seed.title,
        description: seed.description,
        industry: seed.industry,
        keywords: seed.keywords,
        kind: seed.kind,
        cooperationModes: seed.cooperationModes,
        budgetMin: seed.budgetMinWan === undefined ? undefined : Math.round(seed.budgetMinWan * WAN),
        budgetMax: seed.budgetMaxWan === undefined ? undefined : Math.round(seed.budgetMaxWan * WAN),
        deadline: r < 0.6 ? new Date(now.getTime() + (30 + Math.floor(rand() * 300)) * DAY) : undefined,
        jiebang: seed.jiebang,
        enterprise,
        draft: r > 0.96,
      }),
    );
    const id = view.id;
    if (seed.indicator || seed.bottleneck || seed.targetMaturity) {
      await clarify(SYSTEM, id, parse(clarificationInput, { indicator: seed.indicator, bottleneck: seed.bottleneck, targetMaturity: seed.targetMaturity }));
    }
    if (r <= 0.96) {
      // About half the needs have a broker of the right specialty; some have moved on in the workflow.
      const candidates = brokerIds.filter((b) => b.specialties.includes(seed.industry));
      if (candidates.length && r < 0.55) {
        await assignBroker(SYSTEM, id, pick(rand, candidates).id);
        if (r < 0.35) await transition(SYSTEM, id, 'matching', '经纪人已梳理需求，开始匹配成果');
        if (r < 0.15) await transition(SYSTEM, id, 'negotiating', '双方已见面，进入技术与价格洽谈');
      } else if (r > 0.93) {
        await transition(SYSTEM, id, 'closed', '企业已自行解决');
      }
    }
    const createdAt = pastDate(i, demands.length);
    const published = r <= 0.96;
    await Demand.collection.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: published ? { createdAt, publishedAt: createdAt } : { createdAt } });
    created.demands!++;
  }

  // ---- demo accounts, each speaking for one record ---------------------------------------------------------
  const profileIds: Record<ProfileKind, (name: string) => Promise<string | undefined>> = {
    enterprise: async (name) => enterpriseIds.get(name),
    institution: async (name) => institutionIds.get(name),
    expert: async (name) => [...expertIds.entries()].find(([key]) => key.endsWith(`|${name}`))?.[1].id,
    broker: async (name) => brokerIds.find((b) => b.name === name)?.id,
  };
  const owners = { enterprise: Enterprise, institution: Institution, expert: Expert, broker: Broker } as const;
  for (const account of DEMO_ACCOUNTS) {
    let user = await accounts.findByEmail(account.email);
    if (!user) {
      user = await accounts.createUser({ email: account.email, password: DEMO_PASSWORD, role: account.role, name: account.name });
      created.users!++;
    }
    if (account.role === 'organizer' && !user.totpEnabled) await accounts.installTotpSecret(user.id, DEMO_TOTP_SECRET);
    if ('profile' in account && !user.profile) {
      const id = await profileIds[account.profile.kind](account.profile.name);
      if (id) {
        await accounts.linkProfile(user.id, { kind: account.profile.kind, id });
        await (owners[account.profile.kind] as typeof Enterprise).updateOne({ _id: id }, { $set: { owner: user.id } });
      }
    }
  }

  // ---- campaigns, roadshows and visits (they use the demo accounts), then the target ledger ----------------
  Object.assign(created, (await seedCampaigns(now)).created);
  Object.assign(created, await seedLedger(SYSTEM, now));
  await rebuildTallies();

  return {
    created,
    accounts: DEMO_ACCOUNTS.map((a) => ({ role: a.role, email: a.email, password: DEMO_PASSWORD, totpSecret: a.role === 'organizer' ? DEMO_TOTP_SECRET : undefined })),
  };
}
