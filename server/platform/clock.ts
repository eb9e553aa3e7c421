// The one clock of the server (docs/design.md, "Time"): nothing else reads the wall clock. Code asks `clock.now()`;
// the answer comes from the clock of the current async context when one is set (`withClock`, e.g. the demo
// seed run "as of" a date), else from the process clock (the system's, or one a test run installs with
// `setClock`). Elapsed time for timeouts and measurements uses `performance.now()`, which is monotonic and
// not a reading of the calendar. ESLint refuses `Date.now()` and argument-less `new Date()` everywhere else.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Clock {
  now(): Date;
}

/* eslint-disable no-restricted-syntax -- the only reading of the wall clock */
export const systemClock: Clock = { now: () => new Date() };
/* eslint-enable no-restricted-syntax */

/** A clock that always answers `at`. */
export const frozenClock = (at: Date): Clock => ({ now: () => new Date(at.getTime()) });

/** A clock that starts at `at` and runs forward at the real pace (monotonic), for seeds and test runs. */
export function clockFrom(at: Date): Clock {
  const start = performance.now();
  return { now: () => new Date(at.getTime() + Math.floor(performance.now() - start)) };
}

let processClock: Clock = systemClock;
const scoped = new AsyncLocalStorage<Clock>();

const current = (): Clock => scoped.getStore() ?? processClock;

/** What the server asks: `clock.now()` for the current instant, `clock.ms()` for it in epoch milliseconds. */
export const clock = {
  now: (): Date => current().now(),
  ms: (): number => current().now().getTime(),
};

/**
 * The same instant as `at` on the server clock, expressed on the wall clock — for libraries that compare a
 * time we hand them with their own reading of the wall clock (express-rate-limit's window end). Identity
 * when the server clock is the system's.
 */
export const onWallClock = (at: Date): Date => new Date(systemClock.now().getTime() + (at.getTime() - clock.ms()));

/** Replaces the process clock (test setup, tools); returns the previous one. */
export function setClock(next: Clock): Clock {
  const previous = processClock;
  processClock = next;
  return previous;
}

/** Runs `fn` with `clock` as the clock of everything it calls, however deep and however asynchronous. */
export const withClock = <T>(scope: Clock, fn: () => T): T => scoped.run(scope, fn);

/** For mongoose schemas: `createdAt`/`updatedAt` from this clock rather than the wall clock. */
export const timestamps = { createdAt: true, updatedAt: true, currentTime: () => clock.now() } as const;
