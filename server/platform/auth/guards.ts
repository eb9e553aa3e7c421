// Route guards. Pages redirect anonymous users to the login form; the API answers 401. A wrong role is 403
// whatever the UI shows (docs/security.md 12). Guards that throw fail closed: the error handler answers an error.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Forbidden, Unauthorized } from '../errors.ts';
import type { Role } from './actor.ts';
import './types.ts';

const isApi = (req: Request) => req.originalUrl.startsWith('/api/');

/** What a guard asks of the caller, read by the API documentation from the routes' handlers (http/api-docs.ts). */
export type GuardRequirement = { signedIn: true; active?: true; roles?: readonly Role[] };
const requirements = new WeakMap<object, GuardRequirement>();
export const guardRequirement = (handler: unknown): GuardRequirement | undefined =>
  typeof handler === 'function' ? requirements.get(handler) : undefined;

export const requireUser: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (req.user) return next();
  if (isApi(req)) return next(new Unauthorized('需要有效的访问令牌（Authorization: Bearer …）。'));
  if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  return next(new Unauthorized());
};

/** Logged in and approved: pending (unapproved) and disabled accounts cannot act. */
export const requireActive: RequestHandler[] = [
  requireUser,
  (req, _res, next) => {
    if (req.user!.status === 'active') return next();
    next(new Forbidden(req.user!.status === 'pending' ? '您的账户正在等待区科技局审核，审核通过后即可使用此功能。' : '您的账户已停用。'));
  },
];

export function requireRole(...roles: Role[]): RequestHandler[] {
  const roleCheck: RequestHandler = (req, _res, next) => {
    if (roles.includes(req.user!.role)) return next();
    next(new Forbidden());
  };
  requirements.set(roleCheck, { signedIn: true, active: true, roles });
  return [...requireActive, roleCheck];
}

requirements.set(requireUser, { signedIn: true });
requirements.set(requireActive[1]!, { signedIn: true, active: true });

export const organizerOnly = requireRole('organizer');
