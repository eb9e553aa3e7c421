// Page bodies rendered once and kept for the views that follow (docs/design.md "Per-request work"). The view is
// rendered without the layout into a string; later views put that string into the layout
// (views/shared/kept-body.hbs), which still carries the signed-in user's header; the whole page is kept as well,
// per header (layoutKey).
//
// A body may hold forms: their CSRF token is bound to the session, so the body is kept with a slot where the token
// goes, and each view fills in its own session's token. The slot is random per process, so no text a user writes
// can hold it.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { SharedCache, type Topic } from '../db/shared-cache.ts';

/** A body as kept: the view without the layout, and what the layout shows around it. */
export interface KeptBody {
  title: string;
  section?: string | undefined;
  html: string;
  /** a whole page instead of a body: its bytes, split where the CSRF token goes */
  page?: Buffer[];
}

export interface KeptBodies {
  get(key: string, load: () => Promise<KeptBody>): Promise<KeptBody>;
}

/**
 * Bodies kept until one of their topics moves (every instance drops them), or per search-index generation (the key
 * names the generation, so an old one is never asked for again); the least recently used go first.
 */
export function keptBodies(by: Topic | readonly Topic[] | 'index', max = 1_000): KeptBodies {
  if (by !== 'index') {
    const cache = new SharedCache<KeptBody>(by, max);
    return { get: async (key, load) => (await cache.get(key, load)) ?? load() }; // load() gives a body, never null
  }
  const kept = new LRUCache<string, KeptBody>({ max });
  return {
    async get(key, load) {
      const hit = kept.get(key);
      if (hit !== undefined) return hit;
      const body = await load();
      kept.set(key, body);
      return body;
    },
  };
}

/** The part of a kept page's key that names its viewer: everything about them that decides what a page shows. */
export const viewerKey = (user: NonNullable<Request['user']>) => `${user.id}|${user.role}|${user.status}|${user.profile?.id ?? ''}`;

const TOKEN_SLOT = `csrf-slot-${randomBytes(16).toString('hex')}`;

function renderView(req: Request, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => req.app.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))));
}

/**
 * Everything the layout shows around a body besides the body and its title (views/layouts/main.hbs and its
 * partials: the header's user, counts and links); undefined when the page shows a flash message, which is shown
 * once and never kept.
 */
function layoutKey(res: Response): string | undefined {
  const l = res.locals;
  if ((l.flash as unknown[] | undefined)?.length) return undefined;
  return JSON.stringify([(l.currentUser as { name?: string } | undefined)?.name ?? null, l.unreadCount ?? 0, l.adminCount ?? 0, l.navForRole, l.adminNav]);
}

export interface KeptPage {
  bodies: KeptBodies;
  /** everything the body depends on besides what `bodies` drops it for (viewerKey, the address, …) */
  key: string;
  view: string;
  /** the view's locals, title and section included */
  locals: () => Promise<{ title: string; section?: string | undefined } & Record<string, unknown>>;
}

/**
 * Sends the page, its body rendered by the first view of its key and kept for the following ones; the whole page,
 * layout included, is kept too for the header it was rendered with, so a view with the same header renders nothing.
 * Sent as kept bytes with this session's token between them, and without an ETag: hashing the page on every view
 * cost a few percent of a signed-in view, and these pages are not stored by browsers anyway (no-store).
 */
export async function sendWithKeptBody(req: Request, res: Response, o: KeptPage): Promise<void> {
  const body = () =>
    o.bodies.get(o.key, async () => {
      const locals = await o.locals();
      return { title: locals.title, section: locals.section, html: await renderView(req, o.view, { ...res.locals, ...locals, layout: false, csrfToken: TOKEN_SLOT }) };
    });
  const whole = async (): Promise<KeptBody> => {
    const { title, section, html } = await body();
    const page = await renderView(req, 'shared/kept-body', { ...res.locals, title, section, keptBody: html, csrfToken: TOKEN_SLOT });
    return { title, section, html: '', page: page.split(TOKEN_SLOT).map((part) => Buffer.from(part)) };
  };
  const layout = layoutKey(res);
  const { page } = layout === undefined ? await whole() : await o.bodies.get(`${o.key}\u0000${layout}`, whole);
  const token = page!.length > 1 && typeof res.locals.csrfToken === 'function' ? Buffer.from((res.locals.csrfToken as () => string)()) : undefined;
  const parts = token ? page!.flatMap((part, i) => (i ? [token, part] : [part])) : [page![0]!];
  res.type('html').setHeader('Content-Length', parts.reduce((n, part) => n + part.length, 0));
  // The kept parts go out as they are, in one write of the socket (corked), rather than copied into one buffer
  // per view: a page such as the target board is some 100 KB, and the copies were a good part of a view's garbage.
  res.cork();
  for (const part of parts.slice(0, -1)) res.write(part);
  res.end(parts.at(-1));
  res.uncork();
}
