// The features of a match, each 0–1 with the reason a user reads ("关键词重合：磷石膏、综合利用"). Pure
// functions on plain values: the matcher feeds them from the search index, tests from fixtures.
import { labelOf, maturityRank } from '../vocabulary/index.ts';
import { normalize } from '../platform/search/tokenizer.ts';
import { synonymsOf } from '../platform/search/synonyms.ts';

export interface Feature {
  value: number;
  reason?: string | undefined;
}

const wan = (yuan: number) => {
  const v = yuan / 10_000;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} 万元`;
};

/** A keyword or title as compared: full-width to half-width, lower case, trimmed. */
const norm = (text: string) => normalize(text).trim();

/** A candidate's keywords and title as keywordMatcher compares them. */
export interface ComparedText {
  keywords: string[];
  title: string;
}

export const comparedText = (keywords: string[], title: string): ComparedText => ({ keywords: keywords.map(norm).filter(Boolean), title: norm(title) });

/**
 * The need's keywords found in the candidate's keywords or title: equal, inside one another, or synonyms. The
 * need's side is worked out once for all its candidates.
 */
export function keywordMatcher(needKeywords: string[]): (candidate: ComparedText) => Feature {
  const wanted = [...new Set(needKeywords.map(norm).filter(Boolean))];
  const names = wanted.map((k) => [k, ...synonymsOf(k)]);
  if (!wanted.length) return () => ({ value: 0.5 });
  return ({ keywords: have, title }) => {
    const hits = wanted.filter((_, i) => names[i]!.some((n) => title.includes(n) || have.some((h) => h === n || h.includes(n) || (h.length >= 2 && n.includes(h)))));
    return {
      value: hits.length / wanted.length,
      reason: hits.length ? `关键词重合：${hits.slice(0, 4).join('、')}` : undefined,
    };
  };
}

export function keywordOverlap(needKeywords: string[], candidateKeywords: string[], candidateTitle: string): Feature {
  return keywordMatcher(needKeywords)(comparedText(candidateKeywords, candidateTitle));
}

export function industryFit(needIndustry: string, candidateIndustries: string[]): Feature {
  return candidateIndustries.includes(needIndustry)
    ? { value: 1, reason: `同属${labelOf('industry', needIndustry)}` }
    : { value: 0, reason: candidateIndustries.length ? `行业：${labelOf('industry', candidateIndustries[0])}` : undefined };
}

/**
 * Maturity against what the need expects: its stated target, else what its kind implies (a technology
 * introduction wants something proven; a hard problem can start from a pilot).
 */
export function expectedMaturity(target: string | null | undefined, demandKind: string): string {
  if (target) return target;
  if (demandKind === 'tech-introduction' || demandKind === 'equipment') return 'industrial';
  if (demandKind === 'tech-problem' || demandKind === 'new-product') return 'small-pilot';
  return 'pilot';
}

export function maturityFit(expected: string, candidate: string | undefined): Feature {
  if (!candidate) return { value: 0.5 };
  const gap = (maturityRank[expected] ?? 1) - (maturityRank[candidate] ?? 1);
  const label = labelOf('maturity', candidate);
  if (gap <= 0) return { value: 1, reason: `成熟度：${label}，满足需求` };
  if (gap === 1) return { value: 0.4, reason: `成熟度：${label}，低于期望的${labelOf('maturity', expected)}` };
  return { value: 0, reason: `成熟度：${label}，远低于期望的${labelOf('maturity', expected)}` };
}

/** Asking price against the budget (the upper bound, else the lower one). */
export function budgetFit(budgetMin: number | null | undefined, budgetMax: number | null | undefined, price: number | null | undefined): Feature {
  const budget = budgetMax ?? budgetMin ?? undefined;
  if (price == null) return { value: 0.5, reason: '报价面议' };
  if (budget == null) return { value: 0.5, reason: `报价 ${wan(price)}` };
  if (price <= budget) return { value: 1, reason: `报价 ${wan(price)}，在预算内` };
  if (price <= budget * 1.3) return { value: 0.4, reason: `报价 ${wan(price)}，略高于预算 ${wan(budget)}` };
  return { value: 0, reason: `报价 ${wan(price)}，超出预算 ${wan(budget)}` };
}

export function modesFit(needModes: string[], candidateModes: string[]): Feature {
  if (!needModes.length || !candidateModes.length) return { value: 0.5 };
  const common = needModes.filter((m) => candidateModes.includes(m));
  return common.length
    ? { value: 1, reason: `可按${common.slice(0, 2).map((m) => labelOf('cooperationMode', m)).join('或')}合作` }
    : { value: 0.1, reason: `合作方式不一致（对方：${candidateModes.slice(0, 2).map((m) => labelOf('cooperationMode', m)).join('、')}）` };
}

/** 荆门 first, then 湖北 (DESIGN: locality). */
export function localityFit(city: string | null | undefined, province: string | null | undefined): Feature {
  if (city?.startsWith('荆门')) return { value: 1, reason: '荆门本地' };
  if (!province || province.startsWith('湖北')) return { value: 0.7, reason: city ? `湖北省内（${city}）` : undefined };
  return { value: 0.3, reason: `${province}` };
}

export function availabilityFit(available: boolean): Feature {
  return available ? { value: 1, reason: '可参加“专家东宝行”到企业走访' } : { value: 0.3 };
}

/** Text relevance: the candidate's retrieval score against the best candidate's. */
export function textFit(score: number, best: number): Feature {
  const value = best > 0 ? Math.min(1, score / best) : 0;
  return { value, reason: value >= 0.8 ? '技术内容高度相关' : undefined };
}

/** The order reasons are read in: what matched, then whether it fits, then where it comes from. */
const REASON_ORDER = ['keywords', 'maturity', 'budget', 'modes', 'availability', 'industry', 'locality', 'text'];

/** A weighted sum as 0–100, and the reasons in reading order (at most six). */
export function combine<K extends string>(weights: Record<K, number>, features: Record<K, Feature>): { score: number; reasons: string[] } {
  let total = 0;
  for (const key of Object.keys(weights) as K[]) total += weights[key] * features[key].value;
  const reasons = (Object.keys(weights) as K[])
    .sort((a, b) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b))
    .map((key) => features[key].reason)
    .filter((r): r is string => !!r)
    .slice(0, 6);
  return { score: Math.round(total * 100), reasons };
}
