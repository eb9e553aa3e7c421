// Pages opened from a mailed link whose path carries the only credential (answer links, invitations): never
// cached, never passed on as a referrer, and the link's own failures — unknown (404), used, revoked or expired
// (410) — get a page of their own saying why, rather than the general error page.
import type { Response } from 'express';
import { AppError } from '../errors.ts';

export function privatePage(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
}

/** Runs the page; a 404 or 410 from the link renders `goneView`, anything else goes to the error edge. */
export async function orGone(res: Response, goneView: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 404 && err.status !== 410)) throw err;
    res.status(err.status).render(goneView, { title: err.title, status: err.status, detail: err.detail });
  }
}
