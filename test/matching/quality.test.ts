// A floor on matching quality: on the labelled set (40 needs, with the results a broker would pick and
// near-miss distractors, against the whole demo corpus), Recall@10 ≥ 0.9 and MRR ≥ 0.7. A change that
// breaks ranking fails here; `npm run bench -- matching` prints the figures.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { seedDemo } from '../../seeds/index.ts';
import { evaluate, loadLabelledResults } from './evaluation.ts';

const { search, settle } = buildTestApp();
let ids: Map<string, string>;

beforeAll(async () => {
  await seedDemo();
  ids = await loadLabelledResults();
  await settle();
}, 180_000);

describe('matching quality on the labelled set', () => {
  it('when every labelled need is matched, then Recall@10 ≥ 0.9 and MRR ≥ 0.7', async () => {
    const result = await evaluate(search, ids);
    if (result.recallAt10 < 0.9 || result.mrr < 0.7) console.error(JSON.stringify(result.misses, null, 1));
    expect(result.needs).toBe(40);
    expect(result.recallAt10).toBeGreaterThanOrEqual(0.9);
    expect(result.mrr).toBeGreaterThanOrEqual(0.7);
  }, 60_000);
});
