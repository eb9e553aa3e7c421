// Rendered pages for visitors who are not signed in (docs/design.md, "Per-request work"). A page that is the same
// for every such visitor, and that depends only on the URL and on something with a version number (the search
// index's generation), is rendered once per URL and version and then sent as it was. The version is part of the
// key, so nothing is ever served after what it shows changed: a write reaches the index (here, or from another
// instance through the search sync) and the next view renders afresh, exactly as fresh as an uncached page.
//
// Not cached: signed-in users, and visitors holding a session cookie (a flash message may wait in the session);
// answers other than 200; a render that set a cookie (the CSRF token of a form); a render during which the version
// moved. A kept page is sent before the session stack and routing run, at close to /healthz's rate
// (npm run bench -- http); the first view of each URL costs what it always did.
import type { Request, RequestHandler, Response } from 'express';
import { SESSION_COOKIE } from '../auth/session.ts';
import type { SearchIndex } from '../search/port.ts';

/** What a cached page depends on, as one string; undefined when it cannot say (the page is then not cached). */
export type PageVersion = (req: Request) => string | undefined;

/** Pages made from the search index alone: its generation moves on every change it takes in. */
export const indexVersion: PageVersion = (req) => {
  const generation = (req.app.locals.search as SearchIndex | undefined)?.generation;
  return generation === undefined ? undefined : `index ${generation}`;
};

/** Characters kept in all (UTF-16 code units, so about twice as many bytes): a few hundred pages. */
const MAX_CHARS = 16 * 2 ** 20;

interface Kept {
  html: string;
  /** what the page depends on, and its value when the page was rendered */
  version: PageVersion;
  seen: string;
}

/** Rendered pages by URL, least recently used first out. */
class PageStore {
  private readonly pages = new Map<string, Kept>();
  private chars = 0;

  get(url: string): Kept | undefined {
    const kept = this.pages.get(url);
    if (kept !== undefined) {
      this.pages.delete(url);
      this.pages.set(url, kept);
    }
    return kept;
  }

  set(url: string, kept: Kept): void {
    if (kept.html.length > MAX_CHARS / 8) return;
    this.delete(url);
    this.pages.set(url, kept);
    this.chars += kept.html.length;
    for (const oldest of this.pages.keys()) {
      if (this.chars <= MAX_CHARS) break;
      this.delete(oldest);
    }
  }

  delete(url: string): void {
    const kept = this.pages.get(url);
    if (kept === undefined) return;
    this.pages.delete(url);
    this.chars -= kept.html.length;
  }
}

/** one store per app (tests build several apps in one process, each with an index of its own) */
const stores = new WeakMap<object, PageStore>();

function storeOf(req: Request): PageStore {
  let store = stores.get(req.app);
  if (!store) stores.set(req.app, (store = new PageStore()));
  return store;
}

const SESSION_COOKIE_SENT = new RegExp(`(?:^|;)\\s*${SESSION_COOKIE.replace('.', '\\.')}=`);

/**
 * GET or HEAD of a page, and no session cookie sent (valid or not: a session may hold a flash message). Pages
 * sign in by session only, so no cookie means no user.
 */
const cacheable = (req: Request) =>
  (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/api/') && !SESSION_COOKIE_SENT.test(req.headers.cookie ?? '');

/**
 * Early in the stack (app.ts, before sessions and routing, none of which a kept page needs): sends the page kept
 * for this URL when what it depends on is as it was. `X-Page-Cache: hit`.
 */
export const sendKeptPage: RequestHandler = (req, res, next) => {
  if (!cacheable(req)) return next();
  const store = storeOf(req);
  const kept = store.get(req.originalUrl);
  if (!kept) return next();
  if (kept.version(req) !== kept.seen) {
    store.delete(req.originalUrl);
    return next();
  }
  res.set('X-Page-Cache', 'hit');
  res.type('html').send(kept.html);
};

/**
 * On a route whose page a visitor may be given as kept: lets the route render it and keeps what it rendered
 * (`X-Page-Cache: miss`); sendKeptPage sends it from then on. Nothing happens for a signed-in user.
 */
export function visitorPages(version: PageVersion): RequestHandler {
  return (req, res, next) => {
    if (!cacheable(req) || req.user) return next();
    const seen = version(req);
    if (seen === undefined) return next();
    const url = req.originalUrl;
    keepRendered(req, res, (html) => {
      if (res.statusCode === 200 && !res.getHeader('set-cookie') && version(req) === seen) storeOf(req).set(url, { html, version, seen });
    });
    res.set('X-Page-Cache', 'miss');
    next();
  };
}

/** Wraps this response's res.render (without a callback of its own) so that `keep` sees the page before it is sent. */
function keepRendered(req: Request, res: Response, keep: (html: string) => void): void {
  const render = res.render.bind(res) as (view: string, options: object | undefined, callback: (err: Error | null, html: string) => void) => void;
  res.render = ((view: string, options?: object | ((err: Error, html: string) => void), callback?: (err: Error, html: string) => void) => {
    if (typeof options === 'function' || callback) return render(view, options as object | undefined, (options ?? callback) as never);
    render(view, options, (err, html) => {
      if (err) return req.next!(err);
      keep(html);
      res.send(html);
    });
  }) as Response['render'];
}
