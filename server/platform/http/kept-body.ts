// Page bodies rendered once and kept for the views that follow (docs/design.md "Per-request work"): the view is
// rendered without the layout into a string, and later views put that string into the layout
// (views/shared/kept-body.hbs), which still carries the signed-in user's header and the session's CSRF token.
import type { Request, Response } from 'express';

/**
 * A view rendered without the layout, as a string, or null when it wrote a CSRF token: the token is bound to the
 * session, so such a body is never kept.
 */
export async function renderKeepable(req: Request, res: Response, view: string, locals: Record<string, unknown>): Promise<string | null> {
  let wroteToken = false;
  const html = await new Promise<string>((resolve, reject) =>
    req.app.render(view, { ...res.locals, ...locals, layout: false, csrfToken: () => ((wroteToken = true), '') }, (err: Error | null, out?: string) =>
      err ? reject(err) : resolve(out ?? ''),
    ),
  );
  return wroteToken ? null : html;
}

/** A kept body, inside the layout. */
export function sendKept(res: Response, page: { title: string; section: string }, body: string): void {
  res.render('shared/kept-body', { ...page, keptBody: body });
}
