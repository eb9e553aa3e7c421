// Retrieve, then rerank (docs/design.md "Matching"). A need's text retrieves a few hundred candidates from the
// search index (any of its words, BM25); each is scored 0–100 on features with the reasons that produced it.
// Scoring reads what the index returns for each candidate, so matching costs one search, not a database read
// per candidate. The reverse direction — the needs a result or an expert could serve — works the same way.
import type { SearchHit, SearchIndex } from '../platform/search/port.ts';
import { FINDABLE } from '../search/visibility.ts';
import {
  availabilityFit,
  budgetFit,
  combine,
  expectedMaturity,
  industryFit,
  comparedText,
  keywordMatcher,
  type ComparedText,
  keywordOverlap,
  localityFit,
  maturityFit,
  modesFit,
  textFit,
} from './features.ts';
import { CANDIDATES, EXPERT_WEIGHTS, FIELD_WEIGHTS, NEED_WEIGHTS, RESULT_WEIGHTS, type ResultWeights } from './weights.ts';

export interface NeedProfile {
  title: string;
  keywords: string[];
  industry: string;
  kind: string;
  cooperationModes: string[];
  budgetMin?: number | null | undefined;
  budgetMax?: number | null | undefined;
  indicator?: string | null | undefined;
  targetMaturity?: string | null | undefined;
}

export interface ResultProfile {
  title: string;
  keywords: string[];
  industry: string;
  maturity: string;
  transferModes: string[];
  askingPrice?: number | null | undefined;
}

export interface MatchItem {
  kind: 'result' | 'expert' | 'demand';
  id: string;
  title: string;
  score: number;
  reasons: string[];
  display: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/**
 * The words a need retrieves with: its title, its keywords and its key indicator. A query counts each word once
 * (queryTerms), so the keywords weigh through the keyword feature, not by repetition here.
 */
function needQuery(need: NeedProfile): string {
  return [need.title, need.keywords.join(' '), need.indicator ?? ''].join(' ');
}

async function retrieve(index: SearchIndex, q: string, filters: Record<string, string | string[]>, exclude?: string): Promise<SearchHit[]> {
  const found = await index.search({ q, mode: 'any', filters, sort: 'relevance', page: 1, limit: CANDIDATES, snippets: false });
  return found.items.filter((h) => h.id !== exclude);
}

/**
 * A candidate's keywords and title as compared, once per indexed record: the index hands out the same display
 * object until the record changes, and the same candidates come up for need after need.
 */
const compared = new WeakMap<object, ComparedText>();
function candidateText(display: Record<string, unknown>): ComparedText {
  let text = compared.get(display);
  if (!text) compared.set(display, (text = comparedText(strs(display.keywords), str(display.label) ?? '')));
  return text;
}

function ranked(items: MatchItem[], limit: number): MatchItem[] {
  return items.sort((a, b) => b.score - a.score).slice(0, limit);
}

/**
 * Research results (or experts) for a need, best first. `weights` scores results (the production weights unless
 * an evaluation passes others: test/matching/quality.test.ts zeroes or inverts each feature in turn).
 */
export async function matchesForNeed(index: SearchIndex, need: NeedProfile, kind: 'result' | 'expert', limit = 10, weights: ResultWeights = RESULT_WEIGHTS): Promise<MatchItem[]> {
  const hits = await retrieve(index, needQuery(need), { kind, status: 'published' });
  const best = Math.max(0, ...hits.map((h) => h.score));
  const expected = expectedMaturity(need.targetMaturity, need.kind);
  const overlap = keywordMatcher(need.keywords);
  return ranked(
    hits.map((h) => {
      const d = h.display;
      const text = textFit(h.score, best);
      const keywords = overlap(candidateText(d));
      const scored =
        kind === 'result'
          ? combine(weights, {
              text,
              keywords,
              industry: industryFit(need.industry, [str(d.industry) ?? '']),
              maturity: maturityFit(expected, str(d.maturity)),
              budget: budgetFit(need.budgetMin, need.budgetMax, num(d.askingPrice)),
              modes: modesFit(need.cooperationModes, strs(d.transferModes)),
              locality: localityFit(str(d.city), str(d.province)),
            })
          : combine(EXPERT_WEIGHTS, {
              text,
              keywords,
              industry: industryFit(need.industry, strs(d.industries)),
              availability: availabilityFit(d.availableForVisits === true),
              locality: localityFit(str(d.city), str(d.province)),
            });
      return { kind, id: h.id, title: str(d.label) ?? '', score: scored.score, reasons: scored.reasons, display: d };
    }),
    limit,
  );
}

/** Needs a research result could serve, best first. */
export async function needsForResult(index: SearchIndex, result: ResultProfile & { id?: string }, limit = 10): Promise<MatchItem[]> {
  const hits = await retrieve(index, [result.title, result.keywords.join(' ')].join(' '), { kind: 'demand', status: FINDABLE.slice(0, 3), visibility: 'public' });
  const best = Math.max(0, ...hits.map((h) => h.score));
  return ranked(
    hits.map((h) => {
      const d = h.display;
      const scored = combine(NEED_WEIGHTS, {
        text: textFit(h.score, best),
        keywords: keywordOverlap(strs(d.keywords), result.keywords, result.title),
        industry: industryFit(str(d.industry) ?? '', [result.industry]),
        maturity: maturityFit(expectedMaturity(str(d.targetMaturity), str(d.category) ?? ''), result.maturity),
        budget: budgetFit(num(d.budgetMin), num(d.budgetMax), result.askingPrice),
        modes: modesFit(strs(d.cooperationModes), result.transferModes),
      });
      return { kind: 'demand' as const, id: h.id, title: str(d.label) ?? '', score: scored.score, reasons: scored.reasons, display: d };
    }),
    limit,
  );
}

/** Needs in an expert's field, best first. */
export async function needsForExpert(index: SearchIndex, expert: { keywords: string[]; industries: string[]; name: string }, limit = 10): Promise<MatchItem[]> {
  const hits = await retrieve(index, expert.keywords.join(' '), { kind: 'demand', status: FINDABLE.slice(0, 3), visibility: 'public' });
  const best = Math.max(0, ...hits.map((h) => h.score));
  return ranked(
    hits.map((h) => {
      const d = h.display;
      const scored = combine(FIELD_WEIGHTS, {
        text: textFit(h.score, best),
        keywords: keywordOverlap(strs(d.keywords), expert.keywords, ''),
        industry: industryFit(str(d.industry) ?? '', expert.industries),
      });
      return { kind: 'demand' as const, id: h.id, title: str(d.label) ?? '', score: scored.score, reasons: scored.reasons, display: d };
    }),
    limit,
  );
}
