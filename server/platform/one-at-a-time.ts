// Runs the work given under one key one after another in this process (a keyed mutex). Used where a check and a
// write must not interleave with another request's for the same key, e.g. a broker's claims against their limit
// (matching/service.ts claim). It orders this process only: code that must hold across instances keeps its own
// check after the write.
const tails = new Map<string, Promise<unknown>>();

export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
