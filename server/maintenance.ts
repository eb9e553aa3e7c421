// Periodic duties of a running app, every hour (and once shortly after start): overdue reminders, contact requests
// unanswered for a week (escalated to the organizers once, whichever instance gets there first), and the
// housekeeping FerretDB has no TTL indexes for (expired sessions, old throttle windows, old notifications), and the
// rebuild of the target figures' running totals when a write could not update them (targets/tallies.ts), and the
// saved-search digests whose period has ended (saved-searches/digest.ts; one mail per search and period), and the
// daily digests of announced matches (matching/alerts.ts; one mail per person and day).
import mongoose from 'mongoose';
import type { Logger } from './platform/logger.ts';
import { SESSIONS_COLLECTION } from './platform/auth/session.ts';
import { purgeExpiredCounters } from './platform/http/rate-limit-store.ts';
import { remindOverdue } from './matching/service.ts';
import { escalateStale } from './matching/contact-queue.ts';
import { completeNoticeLists, purgeOld } from './notifications/service.ts';
import { clock } from './platform/clock.ts';
import { ensureTallies } from './targets/tallies.ts';
import { sendDigests } from './matching/alerts.ts';
import type { SearchIndex } from './platform/search/port.ts';
import type { SearchSync } from './platform/search/sync.ts';
import { sendSavedSearchDigests } from './saved-searches/digest.ts';

const HOUR = 3_600_000;

const tasks: [string, () => Promise<unknown>][] = [
  ['overdue reminders', () => remindOverdue()],
  ['stale contact requests', () => escalateStale()],
  ['expired sessions', () => mongoose.connection.collection(SESSIONS_COLLECTION).deleteMany({ expires: { $lt: clock.now() } })],
  ['throttle windows', () => purgeExpiredCounters()],
  ['old notifications', () => purgeOld()],
  ['notice lists from before they were kept', () => completeNoticeLists()],
  ['target tallies marked stale', () => ensureTallies()],
  ['match digests of days that ended', () => sendDigests()],
];

/** What some tasks need besides the database: the search index (saved-search digests search it). */
export interface MaintenanceDeps {
  search?: SearchIndex | undefined;
  searchSync?: SearchSync | undefined;
}

export function startMaintenance(logger: Logger, deps: MaintenanceDeps = {}): () => void {
  const { search, searchSync } = deps;
  const all: typeof tasks = search ? [...tasks, ['saved-search digests', () => sendSavedSearchDigests({ search, sync: searchSync, logger })]] : tasks;
  const run = async () => {
    for (const [name, task] of all) {
      await task().catch((err: unknown) => logger.warn({ err, task: name }, 'maintenance task failed'));
    }
  };
  const first = setTimeout(() => void run(), 60_000);
  const every = setInterval(() => void run(), HOUR);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
