// Everyone's bookings around a time span, read from the database for the scheduling rules (schedule.ts):
// the venues of other roadshows, the presenters of their slots, and the experts of other visit itineraries.
import { trusted } from '../platform/db/connection.ts';
import { Roadshow, Visit, type RoadshowDoc, type VisitDoc } from './model.ts';
import { expertKey, type Booking, type Span, type VenueUse } from './schedule.ts';

/** Margin around the span, so that travel gaps before and after it are seen too. */
const MARGIN_MS = 86_400_000;

export interface Others {
  venues: VenueUse[];
  people: Booking[];
}

export const slotWhere = (title: string, index: number) => `路演“${title}”第 ${index + 1} 项`;
export const stopWhere = (enterpriseName: string) => `专家东宝行走访“${enterpriseName}”`;

/** Bookings of live roadshows and visits near `span`, leaving out the event being saved. */
export async function bookingsAround(span: Span, exclude: { roadshow?: string | undefined; visit?: string | undefined } = {}): Promise<Others> {
  const from = new Date(span.start.getTime() - MARGIN_MS);
  const to = new Date(span.end.getTime() + MARGIN_MS);
  const near = { deletedAt: null, startsAt: trusted({ $lt: to }), endsAt: trusted({ $gt: from }) };
  const [roadshows, visits] = await Promise.all([Roadshow.find(near).lean<RoadshowDoc[]>(), Visit.find(near).lean<VisitDoc[]>()]);

  const venues: VenueUse[] = [];
  const people: Booking[] = [];
  for (const r of roadshows) {
    if (String(r._id) === exclude.roadshow) continue;
    venues.push({ venue: r.venue, title: r.title, start: r.startsAt, end: r.endsAt });
    (r.slots ?? []).forEach((s, i) => {
      if (s.presenterKey) people.push({ person: s.presenterKey, personName: s.presenter ?? '', where: slotWhere(r.title, i), start: s.startsAt, end: s.endsAt });
    });
  }
  for (const v of visits) {
    if (String(v._id) === exclude.visit) continue;
    for (const s of v.stops ?? []) {
      people.push({ person: expertKey(v.expert), personName: v.expertName, where: stopWhere(s.enterpriseName), place: s.enterprise, start: s.startsAt, end: s.endsAt });
    }
  }
  return { venues, people };
}
