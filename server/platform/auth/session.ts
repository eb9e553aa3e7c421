// Sessions in the database (any instance serves any user): HttpOnly, SameSite=Lax, Secure on HTTPS;
// 30 minutes idle (rolling cookie and store TTL) and 12 hours absolute (loginAt, checked on every request).
import type { RequestHandler } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { MongoClient } from 'mongodb';
import './types.ts';

export const SESSION_COOKIE = 'dongbao.sid';
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const SESSIONS_COLLECTION = 'sessions';

export function sessionMiddleware(opts: {
  secret: string;
  secure: boolean;
  /** resolves once mongoose is connected; its default database is the app's (connect's dbName) */
  client: Promise<MongoClient>;
}): RequestHandler {
  const store = MongoStore.create({
    clientPromise: opts.client,
    collectionName: SESSIONS_COLLECTION,
    ttl: IDLE_TIMEOUT_MS / 1000,
    autoRemove: 'disabled', // FerretDB has no TTL indexes; housekeeping deletes expired sessions instead
    stringify: false, // stored as a document, so an account's sessions can be found and ended
    touchAfter: 60,
  });
  return session({
    name: SESSION_COOKIE,
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: IDLE_TIMEOUT_MS, path: '/' },
  });
}

/** Ends a session that outlived the absolute timeout, whatever its activity. */
export const absoluteTimeout: RequestHandler = (req, res, next) => {
  const loginAt = req.session?.loginAt;
  if (!req.user || (loginAt && Date.now() - loginAt < ABSOLUTE_TIMEOUT_MS)) return next();
  req.logout((err) => {
    if (err) return next(err);
    req.session.destroy(() => {
      res.clearCookie(SESSION_COOKIE);
      res.redirect(303, '/login?expired=1');
    });
  });
};

/** Session-scoped flash messages, shown once on the next rendered page. */
export const flash: RequestHandler = (req, res, next) => {
  req.flash = (type, message) => {
    if (!req.session) return;
    (req.session.flash ??= []).push({ type, message });
  };
  const pending = req.session?.flash;
  if (pending?.length && req.method === 'GET' && req.accepts('html')) {
    res.locals.flash = pending;
    delete req.session.flash;
  }
  next();
};
