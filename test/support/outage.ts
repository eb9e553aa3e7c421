// A search engine that can be taken down and brought back: the real embedded engine behind a switch that
// makes every call fail while it is "down", as a stopped Meilisearch would (docs/security.md 20).
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import type { SearchIndex } from '../../server/platform/search/port.ts';

export class SwitchableSearch implements SearchIndex {
  readonly engine = 'embedded' as const;
  readonly inner = new EmbeddedSearch();
  down = false;
  failedCalls = 0;

  private guard(): void {
    if (this.down) {
      this.failedCalls++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:7700 (search engine stopped)');
    }
  }
  async health() {
    return this.down ? { ok: false, engine: this.engine, error: 'stopped' } : this.inner.health();
  }
  async upsert(...a: Parameters<SearchIndex['upsert']>) {
    this.guard();
    return this.inner.upsert(...a);
  }
  async remove(...a: Parameters<SearchIndex['remove']>) {
    this.guard();
    return this.inner.remove(...a);
  }
  async search(...a: Parameters<SearchIndex['search']>) {
    this.guard();
    return this.inner.search(...a);
  }
  async versions() {
    this.guard();
    return this.inner.versions();
  }
  async rebuild(...a: Parameters<SearchIndex['rebuild']>) {
    this.guard();
    return this.inner.rebuild(...a);
  }
  async close() {}
}
