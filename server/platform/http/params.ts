// Route and query parameters that the type system would otherwise see as `string | string[]`.
import type { Request } from 'express';
import { NotFound } from '../errors.ts';

/** A route parameter that must be a 24-hex-digit id; anything else is simply not found. */
export function idParam(req: Request, name = 'id'): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !/^[0-9a-f]{24}$/i.test(value)) throw new NotFound();
  return value;
}

/** A safe local path to return to after login: "/x" but not "//evil" or "/\\evil". */
export function safeReturnPath(value: unknown, fallback = '/account'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 500 ? value : fallback;
}
