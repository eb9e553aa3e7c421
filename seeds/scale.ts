// Benchmark data: `seed --scale N` adds N results and N needs on top of the demo data (and `seedScaleLedger`
// N contracts and N talents, for the target figures' bench). Each record is made
// from clauses and keywords of the demo corpus of its industry, so the text and its vocabulary look like the
// real thing to a search engine. Record i depends only on i: the same N gives the same data, and a larger N
// extends a smaller one. Written with insertMany in batches (the demo data goes through the services).
import { Demand } from '../server/demands/model.ts';
import { Result } from '../server/results/model.ts';
import { Enterprise, Institution } from '../server/organizations/model.ts';
import { Contract } from '../server/deals/model.ts';
import { Talent } from '../server/talents/model.ts';
import { unobserved } from '../server/platform/db/observed.ts';
import { rebuildTallies } from '../server/targets/tallies.ts';
import { cooperationMode, contractType, demandKind, maturity, talentCategory, talentMode } from '../server/vocabulary/index.ts';
import { CONTRACT_AMOUNT_WAN, titleEnding } from './contracts.ts';
import { results as seedResults } from './data/results.ts';
import { demands as seedDemands } from './data/demands.ts';
import { mulberry32, pick, sample } from './random.ts';
import { yearOf } from '../server/platform/time.ts';

export const SCALE_BATCH = 'seed-scale';
const CHUNK = 1000;
const WAN = 10_000;

interface Pool {
  clauses: string[];
  keywords: string[];
}

function pools(texts: { industry: string; text: string; keywords: string[] }[]): Map<string, Pool> {
  const byIndustry = new Map<string, Pool>();
  for (const t of texts) {
    const pool = byIndustry.get(t.industry) ?? { clauses: [], keywords: [] };
    pool.clauses.push(...t.text.split(/[，。；,;]/).map((c) => c.trim()).filter((c) => c.length >= 6));
    pool.keywords.push(...t.keywords);
    byIndustry.set(t.industry, pool);
  }
  for (const pool of byIndustry.values()) pool.keywords = [...new Set(pool.keywords)];
  return byIndustry;
}

const resultPools = pools(seedResults.map((r) => ({ industry: r.industry, text: r.abstract, keywords: r.keywords })));
const demandPools = pools(seedDemands.map((d) => ({ industry: d.industry, text: d.description, keywords: d.keywords })));
const industries = seedResults.map((r) => r.industry); // weighted as the demo corpus is

const RESULT_SUFFIX = ['关键技术', '制备技术', '工艺及装备', '集成应用', '产业化技术', '新工艺', '智能系统', '综合利用技术'];
const RESULT_PREFIX = ['', '', '高效', '低成本', '绿色', '智能化', '新型', '连续化', '模块化'];
const DEMAND_SUFFIX = ['技术攻关', '工艺改进', '难题', '技术合作', '解决方案', '升级改造', '技术引进'];

function text(rand: () => number, pool: Pool, clauses: number): string {
  return `${sample(rand, pool.clauses, clauses).join('，')}。`;
}

export function scaleResult(i: number, institutions: { id: string; name: string; province: string; city: string }[]) {
  const rand = mulberry32(1_000_003 * (i + 1));
  const industry = pick(rand, industries);
  const pool = resultPools.get(industry)!;
  const keywords = sample(rand, pool.keywords, 3 + Math.floor(rand() * 3));
  const institution = pick(rand, institutions);
  return {
    title: `${pick(rand, RESULT_PREFIX)}${keywords[0]}${keywords[1] ?? ''}${pick(rand, RESULT_SUFFIX)}（${i + 1}）`,
    abstract: text(rand, pool, 4 + Math.floor(rand() * 3)),
    industry,
    keywords,
    maturity: pick(rand, maturity.keys),
    institution: institution.id,
    institutionName: institution.name,
    province: institution.province,
    city: institution.city,
    transferModes: sample(rand, cooperationMode.keys.slice(0, 7), 1 + Math.floor(rand() * 2)),
    askingPrice: rand() < 0.75 ? Math.round((5 + rand() * 400) * WAN) : undefined,
    status: 'published',
    importBatch: SCALE_BATCH,
    createdAt: new Date(Date.UTC(2025, 0, 1) + (i % 600) * 86_400_000),
    // Bulk benchmark data is not "changed": the index is built from the database at start (and
    // reconciliation adds whatever an index lacks), so no mark needs clearing one by one.
    search: { dirty: false, version: 1 },
  };
}

export function scaleDemand(i: number, enterprises: { id: string; name: string; town: string; industry: string }[]) {
  const rand = mulberry32(2_000_003 * (i + 1));
  const industry = pick(rand, industries);
  const pool = demandPools.get(industry) ?? resultPools.get(industry)!;
  const keywords = sample(rand, pool.keywords, 3 + Math.floor(rand() * 3));
  const local = enterprises.filter((e) => e.industry === industry);
  const enterprise = pick(rand, local.length ? local : enterprises);
  const min = rand() < 0.8 ? Math.round(5 + rand() * 200) : undefined;
  const now = new Date(Date.UTC(2025, 0, 1) + (i % 600) * 86_400_000);
  return {
    title: `${keywords[0]}${keywords[1] ?? ''}${pick(rand, DEMAND_SUFFIX)}（${i + 1}）`,
    description: text(rand, pool, 4 + Math.floor(rand() * 3)),
    industry,
    keywords,
    kind: pick(rand, demandKind.keys.slice(0, 7)),
    cooperationModes: sample(rand, cooperationMode.keys, 1 + Math.floor(rand() * 2)),
    budgetMin: min === undefined ? undefined : min * WAN,
    budgetMax: min === undefined ? undefined : Math.round(min * (1.5 + rand() * 2)) * WAN,
    enterprise: enterprise.id,
    enterpriseName: enterprise.name,
    town: enterprise.town,
    status: 'published',
    publishedAt: now,
    statusHistory: [{ to: 'published', at: now, note: '基准测试数据' }],
    importBatch: SCALE_BATCH,
    createdAt: now,
    search: { dirty: false, version: 1 },
  };
}

/** Adds scale records until there are n of each; returns how many were added. */
export async function seedScale(n: number, onProgress: (done: number, total: number) => void = () => {}): Promise<{ results: number; demands: number }> {
  const institutions = (await Institution.find({ deletedAt: null }).lean()).map((d) => ({ id: String(d._id), name: d.name, province: d.province, city: d.city }));
  const enterprises = (await Enterprise.find({ deletedAt: null }).lean()).map((d) => ({ id: String(d._id), name: d.name, town: d.town, industry: d.industry }));
  if (!institutions.length || !enterprises.length) throw new Error('load the demo data first (npm run seed)');
  const added = { results: 0, demands: 0 };
  const haveResults = await Result.countDocuments({ importBatch: SCALE_BATCH });
  const haveDemands = await Demand.countDocuments({ importBatch: SCALE_BATCH });
  const total = Math.max(0, n - haveResults) + Math.max(0, n - haveDemands);
  if (!total) return added;
  await unobserved(() => insertScale(n, haveResults, haveDemands, institutions, enterprises, added, total, onProgress));
  await rebuildTallies(); // needs published count in the target figures
  return added;
}

async function insertScale(
  n: number,
  haveResults: number,
  haveDemands: number,
  institutions: { id: string; name: string; province: string; city: string }[],
  enterprises: { id: string; name: string; town: string; industry: string }[],
  added: { results: number; demands: number },
  total: number,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  for (let i = haveResults; i < n; i += CHUNK) {
    const batch = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => scaleResult(i + k, institutions));
    await Result.insertMany(batch, { ordered: false });
    added.results += batch.length;
    onProgress(added.results + added.demands, total);
  }
  for (let i = haveDemands; i < n; i += CHUNK) {
    const batch = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => scaleDemand(i + k, enterprises));
    await Demand.insertMany(batch, { ordered: false });
    added.demands += batch.length;
    onProgress(added.results + added.demands, total);
  }
}

const YEAR_MS = 365.25 * 86_400_000;

/** Contract i of the scale ledger: a district enterprise buys from an institution, within the type's range. */
export function scaleContract(i: number, enterprises: { id: string; name: string; town: string; industry: string }[], institutions: { id: string; name: string }[], now: Date) {
  const rand = mulberry32(2_000_003 * (i + 1));
  const buyer = pick(rand, enterprises);
  const seller = pick(rand, institutions);
  const type = pick(rand, contractType.keys);
  const range = CONTRACT_AMOUNT_WAN[type];
  const signedAt = new Date(now.getTime() - Math.floor(rand() * 5 * YEAR_MS));
  const registered = rand() < 0.85;
  const regDate = new Date(signedAt.getTime() + Math.floor(rand() * 60) * 86_400_000);
  const verified = rand() < 0.9;
  return {
    title: `${buyer.name}技术合作项目（${i + 1}）${titleEnding(type)}`,
    type,
    buyer: buyer.id,
    buyerName: buyer.name,
    buyerKind: 'enterprise',
    town: buyer.town,
    industry: buyer.industry,
    seller: { kind: 'institution', id: seller.id, name: seller.name },
    direction: 'absorb',
    amount: Math.round((range.min + rand() * (range.max - range.min)) * WAN),
    signedAt,
    signedYear: yearOf(signedAt),
    ...(registered && regDate <= now ? { registration: { number: `S${String(i + 1).padStart(8, '0')}`, date: regDate }, registeredYear: yearOf(regDate) } : {}),
    verified,
    importBatch: SCALE_BATCH,
  };
}

/** Talent introduction i of the scale ledger. */
export function scaleTalent(i: number, enterprises: { id: string; name: string; town: string; industry: string }[], now: Date) {
  const rand = mulberry32(3_000_017 * (i + 1));
  const employer = pick(rand, enterprises);
  const date = new Date(now.getTime() - Math.floor(rand() * 5 * YEAR_MS));
  return {
    name: `人才${i + 1}`,
    degree: pick(rand, ['bachelor', 'master', 'doctor'] as const),
    category: pick(rand, talentCategory.keys),
    mode: pick(rand, talentMode.keys),
    employer: employer.id,
    employerName: employer.name,
    town: employer.town,
    industry: employer.industry,
    date,
    year: yearOf(date),
    verified: rand() < 0.9,
    importBatch: SCALE_BATCH,
  };
}

/** Adds scale contracts and talents until there are n of each, then rebuilds the target tallies once. */
export async function seedScaleLedger(n: number, now: Date, onProgress: (done: number, total: number) => void = () => {}): Promise<{ contracts: number; talents: number }> {
  const institutions = (await Institution.find({ deletedAt: null }).lean()).map((d) => ({ id: String(d._id), name: d.name }));
  const enterprises = (await Enterprise.find({ deletedAt: null }).lean()).map((d) => ({ id: String(d._id), name: d.name, town: d.town, industry: d.industry }));
  if (!institutions.length || !enterprises.length) throw new Error('load the demo data first (npm run seed)');
  const added = { contracts: 0, talents: 0 };
  const haveContracts = await Contract.countDocuments({ importBatch: SCALE_BATCH });
  const haveTalents = await Talent.countDocuments({ importBatch: SCALE_BATCH });
  const total = Math.max(0, n - haveContracts) + Math.max(0, n - haveTalents);
  if (!total) return added;
  await unobserved(async () => {
    for (let i = haveContracts; i < n; i += CHUNK) {
      const batch = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => scaleContract(i + k, enterprises, institutions, now));
      await Contract.insertMany(batch, { ordered: false });
      added.contracts += batch.length;
      onProgress(added.contracts + added.talents, total);
    }
    for (let i = haveTalents; i < n; i += CHUNK) {
      const batch = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => scaleTalent(i + k, enterprises, now));
      await Talent.insertMany(batch, { ordered: false });
      added.talents += batch.length;
      onProgress(added.contracts + added.talents, total);
    }
  });
  await rebuildTallies();
  return added;
}
