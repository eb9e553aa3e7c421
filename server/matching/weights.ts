// How much each feature counts toward a match score (0–100), in one place; each row sums to 1. RESULT_WEIGHTS is
// measured on the labelled set of test/matching (README there): `npm run bench -- matching` reports Recall@10, MRR
// and nDCG@10 against BM25 alone, and quality.test.ts checks that each feature, inverted or zeroed, costs.
export const RESULT_WEIGHTS = {
  text: 0.3, // how well the texts match (BM25 against the best candidate)
  keywords: 0.25, // the need's keywords found in the candidate
  industry: 0.1,
  maturity: 0.12, // at least as mature as the need expects
  budget: 0.08, // asking price within the budget
  modes: 0.08, // a cooperation mode both accept
  locality: 0.07, // 荆门 first, then 湖北
} as const;
export type ResultWeights = Record<keyof typeof RESULT_WEIGHTS, number>;

export const EXPERT_WEIGHTS = {
  text: 0.35,
  keywords: 0.3,
  industry: 0.15,
  availability: 0.1, // can join 专家东宝行 visits
  locality: 0.1,
} as const;

export const NEED_WEIGHTS = {
  // the reverse direction: needs a result (or an expert) could serve
  text: 0.35,
  keywords: 0.25,
  industry: 0.12,
  maturity: 0.1,
  budget: 0.1,
  modes: 0.08,
} as const;

/** Needs in an expert's field (the expert's keywords against each need's). */
export const FIELD_WEIGHTS = {
  text: 0.45,
  keywords: 0.35,
  industry: 0.2,
} as const;

/** How many candidates retrieval hands to scoring. */
export const CANDIDATES = 200;

/** A new match at or above this score is worth a notification. */
export const NOTIFY_THRESHOLD = 70;
