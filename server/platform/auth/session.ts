// Sessions in the database (any instance serves any user): HttpOnly, SameSite=Lax, Secure on HTTPS;
// 30 minutes idle (rolling cookie and the store's expiry) and 12 hours absolute (loginAt, checked on every
// request). Nothing is stored for a visitor who has not signed in (saveUninitialized: false, and CSRF needs no
// session): see session-store.ts for why lookups are by `_id` alone, and how sessions are kept in process.
import type { RequestHandler, Response } from 'express';
import session from 'express-session';
import mongoose from 'mongoose';
import onHeaders from 'on-headers';
import { DatabaseSessionStore, holdsData, sessionVersion } from './session-store.ts';
import './types.ts';
import { clock } from '../clock.ts';

export const SESSION_COOKIE = 'dongbao.sid';
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const SESSIONS_COLLECTION = 'sessions';
/** the version of what the browser's session last held when stored (session-store.ts); not secret */
export const VERSION_COOKIE = 'dongbao.sv';

/**
 * `rolling` and `touchAfterMs` are the two knobs docs/decisions/sessions-in-database.md measured (session writes
 * per request, test/accounts/session-writes.test.ts); the defaults are the choice made there.
 */
export function sessionMiddleware(opts: { secret: string; secure: boolean; rolling?: boolean; touchAfterMs?: number }): RequestHandler {
  const store = new DatabaseSessionStore(() => mongoose.connection.collection(SESSIONS_COLLECTION), IDLE_TIMEOUT_MS, opts.touchAfterMs);
  const sessions = session({
    name: SESSION_COOKIE,
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: opts.rolling ?? true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: IDLE_TIMEOUT_MS, path: '/' },
  });
  const versionCookie = { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: IDLE_TIMEOUT_MS, path: '/' } as const;
  return (req, res, next) => {
    // req.cookies: cookie-parser runs first in the pages' stack (server/app.ts); without it every session is read
    // from the database.
    const told = (req.cookies as Record<string, unknown> | undefined)?.[VERSION_COOKIE];
    const held = typeof told === 'string' ? told : undefined;
    onHeaders(res, () => tellVersion(req.session, res as Response, held, versionCookie));
    store.expect(held);
    sessions(req, res, next);
  };
}

/**
 * Gives the browser the version of what its session holds as the response leaves (what express-session stores
 * as it ends), when that differs from what it sent; forgets it once the session holds nothing.
 */
function tellVersion(current: session.Session | undefined, res: Response, held: string | undefined, cookie: object): void {
  const version = current && holdsData(current) ? sessionVersion(current) : undefined;
  if (version === held) return;
  if (version) res.cookie(VERSION_COOKIE, version, cookie);
  else res.clearCookie(VERSION_COOKIE, { path: '/' });
}

/** Ends a session that outlived the absolute timeout, whatever its activity. */
export const absoluteTimeout: RequestHandler = (req, res, next) => {
  const loginAt = req.session?.loginAt;
  if (!req.user || (loginAt && clock.ms() - loginAt < ABSOLUTE_TIMEOUT_MS)) return next();
  req.logout((err) => {
    if (err) return next(err);
    req.session.destroy(() => {
      res.clearCookie(SESSION_COOKIE);
      res.redirect(303, '/login?expired=1');
    });
  });
};

/**
 * Session-scoped flash messages, shown once on the next rendered page. A redirect after a flash waits for the
 * session to be stored: express-session writes the response before its own save ends, and a browser follows a
 * 303 as soon as it has the headers, so the next page could otherwise read the session without the message.
 */
export const flash: RequestHandler = (req, res, next) => {
  req.flash = (type, message) => {
    if (!req.session) return;
    (req.session.flash ??= []).push({ type, message });
  };
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.flash?.length) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  const pending = req.session?.flash;
  if (pending?.length && req.method === 'GET' && req.accepts('html')) {
    res.locals.flash = pending;
    delete req.session.flash;
  }
  next();
};
