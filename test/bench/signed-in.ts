// Signed-in clients for the benchmarks: sessions written straight into the session store, in the shape a login
// leaves (server/platform/auth/passport.ts `startSession`: passport's {id, epoch}, loginAt, and the second-factor
// mark an organizer's login sets), with the cookie express-session would send for them. Logging in through the
// form is not an option for 50 clients: an organizer's login takes a one-time code, and each 30 s step's code is
// accepted once (server/accounts/service.ts). One session per client, so nothing kept per session is shared. The
// cookie carries the session's version and the CSRF token too, as a browser's does after its first page
// (session-store.ts, csrf.ts).
import { createHmac, randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { User } from '../../server/accounts/model.ts';
import { IDLE_TIMEOUT_MS, SESSION_COOKIE, SESSIONS_COLLECTION, VERSION_COOKIE } from '../../server/platform/auth/session.ts';
import { sessionVersion } from '../../server/platform/auth/session-store.ts';
import { clock } from '../../server/platform/clock.ts';
import { CSRF_COOKIE } from '../../server/platform/auth/csrf.ts';
import { DEMO_ACCOUNTS } from '../../seeds/index.ts';

export type DemoRole = (typeof DEMO_ACCOUNTS)[number]['role'];

export interface SignedIn {
  role: DemoRole;
  userId: string;
  /** the linked record's id (enterprise, institution, expert, broker), when there is one */
  profileId?: string;
  /** the Cookie header value */
  cookie: string;
  sid: string;
}

/** cookie-signature's format, which express-session checks: `s:` + sid + `.` + base64 HMAC-SHA256 without padding */
function signedCookie(sid: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

/** csrf-csrf's token for a session, as the first page sets it: HMAC-SHA256 hex of `len!sid!len!random`, `.`, random */
function csrfCookie(sid: string, secret: string): string {
  const random = randomBytes(32).toString('hex');
  const mac = createHmac('sha256', secret).update([sid.length, sid, random.length, random].join('!')).digest('hex');
  return `${CSRF_COOKIE}=${encodeURIComponent(`${mac}.${random}`)}`;
}

/** `count` fresh sessions of the demo account of `role`, valid for the idle timeout from now. */
export async function demoSessions(role: DemoRole, secret: string, count = 1): Promise<SignedIn[]> {
  const account = DEMO_ACCOUNTS.find((a) => a.role === role)!;
  const user = await User.findOne({ emailLower: account.email.toLowerCase() }).lean();
  if (!user) throw new Error(`no ${account.email} in the bench database`);
  const profileId = (user as { profile?: { id?: unknown } }).profile?.id;
  const now = clock.ms();
  const out: SignedIn[] = [];
  const docs = [];
  for (let i = 0; i < count; i++) {
    const sid = randomBytes(18).toString('base64url');
    const session = {
      cookie: { originalMaxAge: IDLE_TIMEOUT_MS, expires: new Date(now + IDLE_TIMEOUT_MS), httpOnly: true, sameSite: 'lax', secure: false, path: '/' },
      passport: { user: { id: String(user._id), epoch: (user as { sessionEpoch?: number }).sessionEpoch ?? 0 } },
      loginAt: now,
      secondFactor: true,
      touchedAt: now,
    };
    docs.push({ _id: sid, expires: new Date(now + IDLE_TIMEOUT_MS), session });
    const cookie = `${signedCookie(sid, secret)}; ${VERSION_COOKIE}=${sessionVersion(session)}; ${csrfCookie(sid, secret)}`;
    out.push({ role, userId: String(user._id), ...(profileId ? { profileId: String(profileId) } : {}), cookie, sid });
  }
  await mongoose.connection.collection<{ _id: string }>(SESSIONS_COLLECTION).insertMany(docs);
  return out;
}

/** Removes the sessions made above. */
export async function endDemoSessions(sessions: SignedIn[]): Promise<void> {
  if (!sessions.length) return;
  const sessionsCollection = mongoose.connection.collection<{ _id: string }>(SESSIONS_COLLECTION);
  for (const s of sessions) await sessionsCollection.deleteOne({ _id: s.sid });
}
