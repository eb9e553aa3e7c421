// Page bodies rendered once and kept for the views that follow (docs/design.md "Per-request work"). The view is
// rendered without the layout into a string; later views put that string into the layout
// (views/shared/kept-body.hbs), which still carries the signed-in user's header.
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

function renderBody(req: Request, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => req.app.render(view, { ...locals, layout: false }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))));
}

export interface KeptPage {
  bodies: KeptBodies;
  /** everything the body depends on besides what `bodies` drops it for (viewerKey, the address, …) */
  key: string;
  view: string;
  /** the view's locals, title and section included */
  locals: () => Promise<{ title: string; section?: string | undefined } & Record<string, unknown>>;
}

/** Sends the page, its body rendered by the first view of its key and kept for the following ones. */
export async function sendWithKeptBody(req: Request, res: Response, o: KeptPage): Promise<void> {
  const { title, section, html } = await o.bodies.get(o.key, async () => {
    const locals = await o.locals();
    return { title: locals.title, section: locals.section, html: await renderBody(req, o.view, { ...res.locals, ...locals, csrfToken: TOKEN_SLOT }) };
  });
  const token = html.includes(TOKEN_SLOT) && typeof res.locals.csrfToken === 'function' ? (res.locals.csrfToken as () => string)() : '';
  res.render('shared/kept-body', { title, section, keptBody: html.replaceAll(TOKEN_SLOT, token) });
}
