// Passport: a session carries {id, epoch}; every request loads the user (from the in-process cache that any change
// to the user drops, accounts/service.ts), so a disabled account or a password changed elsewhere ends the session
// at once, and within seconds in other instances (docs/security.md 5, 8, 45). Login itself is driven by the
// accounts module, which owns throttling and the second factor; passport regenerates the session id on
// login (docs/security.md 7).
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import passport from 'passport';
import type { Actor } from './actor.ts';
import './types.ts';
import { clock } from '../clock.ts';

export interface SessionUser {
  id: string;
  epoch: number;
}

export function configurePassport(loadUser: (id: string, epoch: number) => Promise<Actor | null>): passport.PassportStatic {
  passport.serializeUser<SessionUser>((user, done) => done(null, { id: user.id, epoch: (user as Actor & { epoch?: number }).epoch ?? 0 }));
  passport.deserializeUser<SessionUser>((stored, done) => {
    if (!stored || typeof stored.id !== 'string' || typeof stored.epoch !== 'number') return done(null, false);
    loadUser(stored.id, stored.epoch).then(
      (actor) => done(null, actor ?? false),
      (err: unknown) => done(err),
    );
  });
  return passport;
}

/**
 * Logs the actor in with a fresh session id; `epoch` ties the session to the account's current epoch. `extra`
 * goes into the new session (e.g. that its login passed a second factor).
 */
export function startSession(req: Request, actor: Actor, epoch: number, extra: Partial<SessionData> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    req.login({ ...actor, epoch } as Express.User, (err) => {
      if (err) return reject(err);
      Object.assign(req.session, extra);
      req.session.loginAt = clock.ms();
      req.session.save((e) => (e ? reject(e) : resolve())); // before the redirect: browsers follow it on its headers, before express-session's own save ends
    });
  });
}

export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.logout((err) => {
      if (err) return reject(err);
      req.session.destroy(() => resolve());
    });
  });
}
