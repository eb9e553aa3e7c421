// The search part of GET /readyz: the engine answers, how many records it holds, how far sync lags.
import type { ReadinessCheck } from '../lifecycle.ts';
import type { SearchIndex } from './port.ts';
import type { SearchSync } from './sync.ts';

export function searchReadiness(index: SearchIndex, sync: SearchSync): ReadinessCheck {
  return {
    name: 'search',
    async check() {
      const health = await index.health();
      return {
        ok: health.ok,
        detail: {
          engine: health.engine,
          documents: health.documents,
          backlog: sync.backlog,
          ...(health.error ? { error: health.error } : {}),
          ...(sync.lastError ? { lastError: sync.lastError } : {}),
        },
      };
    },
  };
}
