// Per-address limits for pages and forms (express-rate-limit over the database counters of rate-limit-store.ts):
// over the limit, a 429 with Retry-After through the error edge (page or problem+json).
import type { Request, RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator, type RateLimitInfo } from 'express-rate-limit';
import { TooMany } from '../errors.ts';
import { clock, onWallClock } from '../clock.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

export function tooMany(message: string): RequestHandler {
  return (req, _res, next) => {
    const info = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit;
    // the store hands express-rate-limit the window's end on the wall clock (rate-limit-store.ts)
    const left = info?.resetTime ? info.resetTime.getTime() - onWallClock(clock.now()).getTime() : 60_000;
    next(new TooMany(Math.max(1, Math.ceil(left / 1000)), message));
  };
}

/** `limit` requests per `windowMs` from one address, counted under `prefix`. */
export function perAddress(opts: { prefix: string; windowMs: number; limit: number; message: string }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    store: new DatabaseRateLimitStore(opts.prefix),
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: tooMany(opts.message),
  });
}
