// Every roadshow and expert visit not deleted, kept in process for the calendar, the expert's itinerary and an
// expert's page. On the embedded database any filter other than `_id` reads the whole collection
// (docs/decisions/ferretdb-write-lock-and-id-lookups.md), and these pages are opened far more often than events
// are written: a district holds a few events a month, so all of them fit in memory for years. Kept under the
// 'events' topic (server/platform/db/shared-cache.ts), which every write to a roadshow or a visit announces
// (campaigns/model.ts): this process forgets at once, other instances within seconds. Callers filter what they
// get and must not change it.
import { SharedCache } from '../platform/db/shared-cache.ts';
import { Roadshow, Visit, type RoadshowDoc, type VisitDoc } from './model.ts';

export interface LiveEvents {
  /** by start, then id */
  roadshows: readonly RoadshowDoc[];
  /** by start, then id */
  visits: readonly VisitDoc[];
}

const live = new SharedCache<LiveEvents>('events', 1);

export async function liveEvents(): Promise<LiveEvents> {
  return (await live.get('all', async () => {
    const [roadshows, visits] = await Promise.all([
      Roadshow.find({ deletedAt: null }).sort({ startsAt: 1, _id: 1 }).lean<RoadshowDoc[]>(),
      Visit.find({ deletedAt: null }).sort({ startsAt: 1, _id: 1 }).lean<VisitDoc[]>(),
    ]);
    return { roadshows, visits };
  }))!;
}

/** Events overlapping [from, to). */
export const overlapping = (from: Date, to: Date) => (e: { startsAt: Date; endsAt: Date }) => e.startsAt < to && e.endsAt > from;
