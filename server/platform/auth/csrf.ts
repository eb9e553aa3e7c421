// CSRF protection for every state-changing form (SECURITY.md 18): the synchronizer-token pattern, with the
// token kept in the session and sent back in the form's hidden `_csrf` field (or an X-CSRF-Token header).
// The JSON API is exempt because it never authenticates by cookie (bearer tokens only).
import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import './types.ts';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});

/** Checks the token on POST/PUT/PATCH/DELETE. Multipart forms are checked by the upload middleware after parsing. */
export const csrfProtection: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) return next();
  return csrfSynchronisedProtection(req, res, next);
};

/** Verifies the token of a request whose body was just parsed (multipart uploads). */
export const verifyCsrf: RequestHandler = (req, res, next) => csrfSynchronisedProtection(req, res, next);

/**
 * The form token as a function: Handlebars calls it only where a template writes {{csrfToken}}, so a page
 * without a form creates no session (res.locals is copied on every render, which would run a getter).
 */
export const csrfLocals: RequestHandler = (req, res, next) => {
  let token: string | undefined;
  res.locals.csrfToken = () => (token ??= req.session ? generateToken(req) : '');
  next();
};
