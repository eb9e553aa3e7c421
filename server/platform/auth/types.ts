// Type augmentation for Express, passport and express-session, in one place.
import type {} from 'passport';
import type { Actor } from './actor.ts';

export interface Flash {
  type: 'success' | 'error' | 'info';
  message: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
    interface Request {
      /** Queue a message for the next page this session sees. */
      flash(type: Flash['type'], message: string): void;
      /** How this request was authenticated. */
      authVia?: 'session' | 'token';
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash[];
    /** epoch ms of the login that created this session (absolute timeout) */
    loginAt?: number;
    /** password verified, second factor pending */
    pendingTotp?: { userId: string; at: number; returnTo?: string | undefined };
    /** a TOTP secret shown at enrolment, not yet confirmed */
    totpEnrolment?: string;
    /** this session's login passed a second factor (the code step, or enrolment within it) */
    secondFactor?: boolean;
    /** where to go once the enrolment this login was sent to is done */
    enrolReturnTo?: string;
  }
}

export {};
