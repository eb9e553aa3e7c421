// Which search engine this process uses: Meilisearch when MEILI_HOST is set, else the embedded one.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { EmbeddedSearch } from './embedded.ts';
import { MeiliSearchIndex } from './meilisearch.ts';
import type { SearchIndex } from './port.ts';

export async function createSearchIndex(config: Config, logger: Logger): Promise<SearchIndex> {
  if (!config.meili) return new EmbeddedSearch();
  const index = new MeiliSearchIndex({ host: config.meili.host, apiKey: config.meili.apiKey, prefix: config.meili.indexPrefix }, logger);
  await index.prepare();
  return index;
}
