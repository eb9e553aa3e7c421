// The session store: one document per session in the `sessions` collection, found by `_id` alone — the one
// lookup the embedded FerretDB answers from an index; any other filter makes it read the whole collection,
// and signed-in pages then slow down with every stored session. Expiry is checked in code against the
// server's clock; housekeeping (server/maintenance.ts) deletes expired documents. Activity extends a session
// by at most one write a minute (`touchedAt`), not one per request.
//
// Sessions read are kept in process (docs/decisions/sessions-in-database.md, "Kept in process"), each with its
// version: a digest of what the session holds. The browser holds the version of what it last stored in the
// `dongbao.sv` cookie (session.ts), so a kept session is used only when it is the one the browser last saw
// stored — a write made through another instance (a login, a flash message) is read from the database at once.
// A session ended anywhere (logout, a password change, a disabled account) announces the `sessions` topic
// (platform/db/shared-cache.ts): every instance forgets its kept sessions within 5 seconds.
import { createHash } from 'node:crypto';
import session from 'express-session';
import type { Collection, Document } from 'mongodb';
import { clock } from '../clock.ts';
import { SharedCache, announce } from '../db/shared-cache.ts';

export const TOUCH_AFTER_MS = 60_000;

interface SessionDoc {
  _id: string;
  expires: Date;
  session: session.SessionData & { touchedAt?: number };
}

type Callback = (err?: unknown) => void;

interface Kept {
  session: SessionDoc['session'];
  expires: number;
  version: string;
}

/** Sessions read or written by this process, whichever store instance did it (sids are random). */
const kept = new SharedCache<Kept>('sessions', 20_000);

/**
 * What a session holds, as a short digest: its cookie settings and `touchedAt` left out (they change with
 * activity alone, and every instance sets them itself).
 */
export function sessionVersion(data: object): string {
  const json = JSON.stringify(data, (key, value: unknown) => (key === 'cookie' || key === 'touchedAt' ? undefined : value));
  return createHash('sha256').update(json).digest('base64url').slice(0, 22);
}

/** Whether a session holds anything besides its cookie (an unused visitor's session holds nothing). */
export function holdsData(data: object): boolean {
  return Object.keys(data).some((key) => key !== 'cookie');
}

export class DatabaseSessionStore extends session.Store {
  /** the version the browser of the request now being served says it last saw stored (see expect) */
  private expected: string | undefined;

  constructor(
    private readonly collection: () => Collection<Document>,
    private readonly idleMs: number,
    private readonly touchAfterMs = TOUCH_AFTER_MS,
  ) {
    super();
  }

  private get sessions(): Collection<SessionDoc> {
    return this.collection() as unknown as Collection<SessionDoc>;
  }

  /**
   * Tells the next get() the version the request's browser holds. express-session calls get() synchronously
   * from its middleware, right after session.ts calls this; any other get() (a reload) finds none and reads
   * the database.
   */
  expect(version: string | undefined): void {
    this.expected = version;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const expected = this.expected;
    this.expected = undefined;
    const now = clock.ms();
    const usable = (k: Kept) => expected !== undefined && k.version === expected && k.expires > now;
    kept
      .get(sid, () => this.read(sid), usable)
      .then((k) => {
        const live = k && k.expires > clock.ms() ? k : undefined;
        // A copy: express-session changes the object it is given, and the request changes what it holds.
        callback(null, live ? structuredClone(live.session) : null);
      })
      .catch((err: unknown) => callback(err));
  }

  private async read(sid: string): Promise<Kept | null> {
    const doc = await this.sessions.findOne({ _id: sid });
    if (!doc) return null;
    return { session: doc.session, expires: doc.expires.getTime(), version: sessionVersion(doc.session) };
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const now = clock.ms();
    const stored = { ...data, touchedAt: now };
    const expires = now + this.idleMs;
    this.sessions
      .updateOne({ _id: sid }, { $set: { session: stored, expires: new Date(expires) } }, { upsert: true })
      .then(() => {
        kept.put(sid, { session: structuredClone(stored), expires, version: sessionVersion(stored) });
        callback?.();
      })
      .catch((err: unknown) => {
        kept.forget(sid);
        callback?.(err);
      });
  }

  override touch(sid: string, data: session.SessionData & { touchedAt?: number }, callback?: Callback): void {
    const now = clock.ms();
    if (data.touchedAt && now - data.touchedAt < this.touchAfterMs) return void callback?.();
    const expires = now + this.idleMs;
    this.sessions
      .updateOne({ _id: sid }, { $set: { 'session.touchedAt': now, expires: new Date(expires) } })
      .then(() => {
        kept.patch(sid, (k) => {
          k.session.touchedAt = now;
          k.expires = expires;
        });
        callback?.();
      })
      .catch((err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    kept.forget(sid);
    this.sessions
      .deleteOne({ _id: sid })
      .then(() => endedSessions())
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }
}

/** Sessions were deleted (by id or in bulk): every instance forgets the sessions it keeps. */
export const endedSessions = (): Promise<void> => announce('sessions');
