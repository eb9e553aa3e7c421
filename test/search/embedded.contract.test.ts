import { describe } from 'vitest';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import { searchContract } from './contract.ts';

describe('embedded search engine', () => {
  searchContract(async () => new EmbeddedSearch());
});
