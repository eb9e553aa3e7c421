// Long loops over rows (imports, exports) give the event loop a turn every few milliseconds, so one big file
// never keeps other requests waiting (docs/security.md, "Uploads").
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Pauses for a turn of the event loop at most every `ms` milliseconds of work. */
export function yielder(ms = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await nextTurn();
    last = performance.now();
  };
}
