// Query strings are flat maps of strings (docs/security.md 14, 16): no nested objects (`email[$gt]=` stays a
// literal key nobody reads) and no arrays — a repeated parameter is refused with 400 before any handler runs.
import type { NextFunction, Request, Response } from 'express';
import { BadRequest } from '../errors.ts';

export function flatQueryParser(raw: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw)) out[key] = value;
  return out;
}

export function rejectDuplicateParams(req: Request, _res: Response, next: NextFunction): void {
  const q = req.originalUrl.indexOf('?');
  if (q >= 0) {
    const seen = new Set<string>();
    for (const key of new URLSearchParams(req.originalUrl.slice(q + 1)).keys()) {
      if (seen.has(key)) return next(new BadRequest(`参数 ${key} 重复出现，每个参数只能给出一次。`));
      seen.add(key);
    }
  }
  next();
}
