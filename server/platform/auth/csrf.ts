// CSRF protection for every state-changing form (docs/security.md, "CSRF"): a signed double-submit cookie
// (csrf-csrf). The token lives in an HttpOnly cookie and in the form's hidden `_csrf` field (or an
// X-CSRF-Token header); the server keeps nothing, so a visitor who only opens the login page stores no session.
// Signed-in tokens are bound to the session id, so a token taken before login stops working after it.
// The JSON API is exempt because it never authenticates by cookie (bearer tokens only).
import type { RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import './types.ts';

export const CSRF_COOKIE = 'dongbao.csrf';

export interface Csrf {
  /** checks the token on POST/PUT/PATCH/DELETE; multipart forms are checked by `verify` after parsing */
  protect: RequestHandler;
  /** verifies the token of a request whose body was just parsed (multipart uploads) */
  verify: RequestHandler;
  /** `{{csrfToken}}` for templates, made only where a template writes it */
  locals: RequestHandler;
}

export function csrf(opts: { secret: string; secure: boolean }): Csrf {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => opts.secret,
    getSessionIdentifier: (req) => (req.user ? req.sessionID : ''),
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', secure: opts.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      const header = req.headers['x-csrf-token'];
      return typeof header === 'string' ? header : undefined;
    },
  });
  return {
    protect: (req, res, next) => (req.is('multipart/form-data') ? next() : doubleCsrfProtection(req, res, next)),
    verify: (req, res, next) => doubleCsrfProtection(req, res, next),
    // A function, so Handlebars calls it only where a template writes {{csrfToken}} (res.locals is copied on
    // every render, which would run a getter).
    locals: (req, res, next) => {
      let token: string | undefined;
      res.locals.csrfToken = () => (token ??= generateCsrfToken(req, res));
      next();
    },
  };
}
