// The session store: one document per session in the `sessions` collection, found by `_id` alone — the one
// lookup the embedded FerretDB answers from an index; any other filter makes it read the whole collection,
// and signed-in pages then slow down with every stored session. Expiry is checked in code against the
// server's clock; housekeeping (server/maintenance.ts) deletes expired documents. Activity extends a session
// by at most one write a minute (`touchedAt`), not one per request.
import session from 'express-session';
import type { Collection, Document } from 'mongodb';
import { clock } from '../clock.ts';

export const TOUCH_AFTER_MS = 60_000;

interface SessionDoc {
  _id: string;
  expires: Date;
  session: session.SessionData & { touchedAt?: number };
}

type Callback = (err?: unknown) => void;

export class DatabaseSessionStore extends session.Store {
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

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.sessions
      .findOne({ _id: sid })
      .then((doc) => callback(null, doc && doc.expires.getTime() > clock.ms() ? doc.session : null))
      .catch((err: unknown) => callback(err));
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const now = clock.ms();
    const stored = { ...data, touchedAt: now };
    this.sessions
      .updateOne({ _id: sid }, { $set: { session: stored, expires: new Date(now + this.idleMs) } }, { upsert: true })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override touch(sid: string, data: session.SessionData & { touchedAt?: number }, callback?: Callback): void {
    const now = clock.ms();
    if (data.touchedAt && now - data.touchedAt < this.touchAfterMs) return void callback?.();
    this.sessions
      .updateOne({ _id: sid }, { $set: { 'session.touchedAt': now, expires: new Date(now + this.idleMs) } })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.sessions
      .deleteOne({ _id: sid })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }
}
