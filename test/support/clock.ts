// The test run's clock: every test file starts at the same fixed instant (10:00 in Beijing on a Saturday in
// December 2026) and time runs forward from there at the real pace, so no test depends on the day it runs.
// Tests that need time to pass move it forward instead of sleeping.
import { clock, clockFrom, setClock } from '../../server/platform/clock.ts';

export const TEST_NOW = new Date('2026-12-05T02:00:00Z');

export function startTestClock(): void {
  setClock(clockFrom(TEST_NOW));
}

/** Moves the clock of this test file forward by `ms`. */
export function advanceClock(ms: number): void {
  setClock(clockFrom(new Date(clock.ms() + ms)));
}

/** For processes a test starts (the server, the CLI): run on this file's clock, from where it is now. */
export const clockEnv = (): { CLOCK_AT: string } => ({ CLOCK_AT: clock.now().toISOString() });
