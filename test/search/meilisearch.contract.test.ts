// The same contract against a real Meilisearch 1.x, whenever MEILI_HOST (and MEILI_API_KEY) are set. This
// machine has no Meilisearch server, so CI skips it here; nothing stands in for the real thing.
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { createLogger } from '../../server/platform/logger.ts';
import { MeiliSearchIndex } from '../../server/platform/search/meilisearch.ts';
import { searchContract } from './contract.ts';

describe.skipIf(!process.env.MEILI_HOST)('Meilisearch adapter (MEILI_HOST set)', () => {
  searchContract(async () => {
    const index = new MeiliSearchIndex(
      { host: process.env.MEILI_HOST!, apiKey: process.env.MEILI_API_KEY, prefix: `test_${randomBytes(4).toString('hex')}` },
      createLogger('warn'),
    );
    await index.prepare();
    return index;
  });
});
