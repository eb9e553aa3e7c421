// Strong matches told to the people who can act on them: when a need is published, its enterprise (and broker)
// hear of its best results; when a result or an expert is published or edited after that, the owners (and
// brokers) of the open needs it now scores high against hear of it. A pair (need, candidate) is told once
// (`match_alerts`), as a notification at once and in one digest mail per person per day — never a mail per match.
//
// The score is the need page's score (matchesForNeed from the need's side), against the same threshold the need
// page's announcements use (weights.ts NOTIFY_THRESHOLD), so an alert never claims more than the page shows.
// Triggered from the search sync after this process indexed a write (server/app.ts wires it), so a need or a
// result published through a page, the API or an import is announced the same way.
import { findLive } from '../platform/db/live.ts';
import { clock } from '../platform/clock.ts';
import { isoDate } from '../platform/time.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import { Demand, type DemandDoc } from '../demands/model.ts';
import { Result, type ResultDoc } from '../results/model.ts';
import { Expert, type ExpertDoc } from '../experts/model.ts';
import { User } from '../accounts/model.ts';
import { notifyUsers, usersOf } from '../notifications/service.ts';
import { enqueueMail } from '../mail/service.ts';
import * as mail from '../mail/messages.ts';
import { matchesForNeed, type MatchItem } from './matcher.ts';
import { needProfile } from './suggestions.ts';
import { MatchAlert, MatchDigest, type MatchDigestDoc } from './model.ts';
import { NOTIFY_THRESHOLD } from './weights.ts';
import { retryInBackground, type FollowUpLog } from '../platform/follow-up.ts';

/** Needs still looking for a partner: only these are announced to. */
const OPEN = ['published', 'matching', 'negotiating'];
/** How deep a need's own ranking is read when checking one candidate against it. */
const DEPTH = 20;
/** Candidate needs read from the index for one result or expert. */
const NEEDS_PER_CANDIDATE = 10;

const pairKey = (demand: string, kind: 'result' | 'expert', id: string) => `${demand}|${kind}:${id}`;

/**
 * Claims pairs not told yet. A pair claimed but not marked done (a run that failed after claiming) is claimed
 * again, so a retry finishes it; the notice keys make a repeated notice a no-op.
 */
async function claim(keys: string[]): Promise<Set<string>> {
  const mine = new Set<string>();
  for (const key of keys) {
    try {
      await MatchAlert.create({ _id: key, at: clock.now() });
      mine.add(key);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const existing = await MatchAlert.findById(key).lean<{ done?: boolean }>();
      if (existing && !existing.done) mine.add(key);
    }
  }
  return mine;
}

async function done(keys: Iterable<string>): Promise<void> {
  for (const key of keys) await MatchAlert.updateOne({ _id: key }, { $set: { done: true } });
}

interface DigestItem {
  demand: string;
  demandTitle: string;
  kind: 'result' | 'expert';
  id: string;
  title: string;
  score: number;
}

/** Adds the pairs to each recipient's digest of the day (mailed by sendDigests once the day is over). */
async function addToDigests(users: string[], items: DigestItem[]): Promise<void> {
  const day = isoDate(clock.now());
  for (const user of users) {
    const id = `${user}|${day}`;
    const doc = await MatchDigest.findById(id).lean<MatchDigestDoc>();
    const have = new Set((doc?.items ?? []).map((i) => `${i.demand}|${i.kind}:${i.id}`));
    const fresh = items.filter((i) => !have.has(pairKey(i.demand, i.kind, i.id)));
    if (!fresh.length) continue;
    await MatchDigest.updateOne({ _id: id }, { $setOnInsert: { user, day }, $push: { items: { $each: fresh } } }, { upsert: true });
  }
}

async function recipientsOf(doc: DemandDoc): Promise<string[]> {
  return [...new Set([...(await usersOf('enterprise', doc.enterprise)), ...(await usersOf('broker', doc.broker))])];
}

/** After a need is published (or edited while open): its enterprise and broker hear of strong results not told yet. */
export async function announceMatches(index: SearchIndex, demandId: string): Promise<number> {
  const doc = await findLive<DemandDoc>(Demand, demandId);
  if (!doc || !OPEN.includes(doc.status)) return 0;
  const top = (await matchesForNeed(index, needProfile(doc), 'result', 5)).filter((m) => m.score >= NOTIFY_THRESHOLD);
  const keys = new Map(top.map((m) => [pairKey(demandId, 'result', m.id), m]));
  const mine = await claim([...keys.keys()]);
  if (!mine.size) return 0;
  const told = [...mine].map((k) => keys.get(k)!);
  const users = await recipientsOf(doc);
  await notifyUsers(users, {
    kind: 'match.new',
    title: `“${doc.title}”有 ${told.length} 项高匹配度成果`,
    body: told.map((m) => `${m.title}（${m.score} 分）`).join('；'),
    link: `/demands/${demandId}#matches`,
    key: `match.new|${demandId}|${told.map((m) => m.id).join(',')}`,
  });
  await addToDigests(users, told.map((m) => ({ demand: demandId, demandTitle: doc.title, kind: 'result', id: m.id, title: m.title, score: m.score })));
  await done(mine);
  return told.length;
}

/** The open needs a published result or an expert scores high against, by the need page's own ranking. */
async function strongNeeds(index: SearchIndex, kind: 'result' | 'expert', id: string, text: string): Promise<{ demand: DemandDoc; match: MatchItem }[]> {
  const found = await index.search({ q: text, mode: 'any', filters: { kind: 'demand', status: OPEN }, sort: 'relevance', page: 1, limit: NEEDS_PER_CANDIDATE });
  const out: { demand: DemandDoc; match: MatchItem }[] = [];
  for (const hit of found.items) {
    const demand = await findLive<DemandDoc>(Demand, hit.id);
    if (!demand || !OPEN.includes(demand.status)) continue;
    const match = (await matchesForNeed(index, needProfile(demand), kind, DEPTH)).find((m) => m.id === id);
    if (match && match.score >= NOTIFY_THRESHOLD) out.push({ demand, match });
  }
  return out;
}

/**
 * A result or an expert was published or edited: each open need it now matches strongly is told once per pair —
 * a notification to the need's enterprise and broker, and a line in their daily digest. Drafts say nothing.
 */
export async function alertNeedsFor(index: SearchIndex, kind: 'result' | 'expert', id: string): Promise<number> {
  let text: string;
  if (kind === 'result') {
    const r = await findLive<ResultDoc>(Result, id);
    if (!r || r.status !== 'published') return 0;
    text = [r.title, ...(r.keywords ?? [])].join(' ');
  } else {
    const e = await findLive<ExpertDoc>(Expert, id);
    if (!e) return 0; // experts have no drafts: a profile is public once it exists
    text = (e.keywords ?? []).join(' ');
  }
  if (!text.trim()) return 0;
  let told = 0;
  for (const { demand, match } of await strongNeeds(index, kind, id, text)) {
    const demandId = String(demand._id);
    const key = pairKey(demandId, kind, id);
    if (!(await claim([key])).size) continue;
    const users = await recipientsOf(demand);
    const what = kind === 'result' ? `新成果“${match.title}”` : `专家${match.title}`;
    await notifyUsers(users, {
      kind: 'match.alert',
      title: `${what}与需求“${demand.title}”高度匹配（${match.score} 分）`,
      body: match.reasons.join('；'),
      link: `/demands/${demandId}#matches`,
      key: `match.alert|${key}`,
    });
    await addToDigests(users, [{ demand: demandId, demandTitle: demand.title, kind, id, title: match.title, score: match.score }]);
    await done([key]);
    told++;
  }
  return told;
}

/**
 * Mails each person's digest of a finished day (Beijing calendar), once: the outbox key is the digest's id, and
 * the digest is marked mailed only after its mail is in the outbox.
 */
export async function sendDigests(now = clock.now()): Promise<number> {
  const today = isoDate(now);
  const waiting = await MatchDigest.find({ mailedAt: null }).lean<MatchDigestDoc[]>();
  let sent = 0;
  for (const d of waiting) {
    if (d.day >= today) continue;
    const user = await User.findById(d.user).select('email name status').lean();
    if (user && user.status === 'active' && d.items.length) {
      const items = d.items.slice(0, 30);
      const lines = items.map((i) => `· 需求“${i.demandTitle}” ← ${i.kind === 'result' ? '成果' : '专家'}“${i.title}”（${i.score} 分）`);
      if (d.items.length > items.length) lines.push(`…… 另有 ${d.items.length - items.length} 项，见站内通知。`);
      await enqueueMail({
        key: `match-digest:${d._id}`,
        to: user.email,
        toName: user.name,
        userId: d.user,
        ...mail.matchDigest({ day: d.day, count: d.items.length, lines: lines.join('\n\n'), link: '/notifications' }),
      });
      sent++;
    }
    await MatchDigest.updateOne({ _id: d._id }, { $set: { mailedAt: now } });
  }
  return sent;
}

/** Pause between two checks while more wait. */
const PACE_MS = 20;

/**
 * Announces after indexing, one record at a time in the background, paced (an import of 500 results queues 500
 * checks, not 500 concurrent ones; a record written five times while it waits is checked once). A failed check is
 * logged and tried again (platform/follow-up.ts); pairs already told stay told.
 */
export function announceWhenIndexed(index: SearchIndex, sync: { onIndexed(listener: (kind: string, ids: string[]) => void): void }, log: FollowUpLog): { idle(): Promise<void> } {
  const waiting = new Set<string>();
  let running: Promise<void> | undefined;
  const work = async () => {
    for (let next = waiting.values().next(); !next.done; next = waiting.values().next()) {
      const key = next.value;
      waiting.delete(key);
      const [kind, id] = key.split(':') as ['demand' | 'result' | 'expert', string];
      await retryInBackground(
        kind === 'demand' ? 'announcing matches of a need' : 'announcing a candidate to needs',
        () => (kind === 'demand' ? announceMatches(index, id) : alertNeedsFor(index, kind, id)),
        log,
      );
      // Paced: an import's thousands of checks (each a few reads and writes, and writes take turns on FerretDB)
      // must not crowd out the requests being served meanwhile.
      if (waiting.size) await new Promise((resolve) => setTimeout(resolve, PACE_MS).unref());
    }
  };
  const kick = () => {
    if (running || !waiting.size) return;
    running = work().finally(() => {
      running = undefined;
      kick(); // what arrived after the loop's last look
    });
  };
  sync.onIndexed((kind, ids) => {
    if (kind !== 'demand' && kind !== 'result' && kind !== 'expert') return;
    for (const id of ids) waiting.add(`${kind}:${id}`);
    kick();
  });
  return { idle: async () => void (await running) };
}
