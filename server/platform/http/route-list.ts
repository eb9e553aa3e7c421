// Every route the app serves, with the module that declares it and its guard: `npm run cli -- routes` prints it.
// Module routers are mounted through `mounted(name, router)` (server/app.ts), which names them; a route outside a
// named router belongs to the app itself (health, static files, the unsubscribe link).
import type { Express, Router } from 'express';
import { guardRequirement, type GuardRequirement } from '../auth/guards.ts';

const MODULE = Symbol('module');

/**
 * The literal start of a path that routes are told apart by — its first segment, or its first three under /api
 * ('/contracts/:id/edit' → 'contracts', '/api/v1/contracts/:id' → 'api/v1/contracts', '/' → '') — lower-cased as
 * Express matches without regard to case; undefined when that start is not literal (a parameter, a pattern).
 */
export function pathHead(path: string): string | undefined {
  const parts = path.toLowerCase().split('/').slice(1);
  const head = parts.slice(0, parts[0] === 'api' ? 3 : 1);
  if (head.some((p) => /[^a-z0-9._~-]/.test(p))) return undefined;
  return head.join('/');
}

const HEAD = Symbol('pathHead');
/** The request's pathHead, worked out once for the twenty-odd routers it passes. */
function headOf(req: { path: string; [HEAD]?: [string, string | undefined] }): string | undefined {
  const known = req[HEAD];
  if (known && known[0] === req.path) return known[1];
  const head = pathHead(req.path);
  req[HEAD] = [req.path, head];
  return head;
}

/**
 * Names a module's router, so the route list can say which module declares each route, and lets a request pass
 * a router none of whose routes can match it: the app has about 370 routes in 23 routers, and a request used to
 * be tested against every route declared before its own. A router with a middleware layer or a route whose start
 * is not literal is always entered.
 */
export function mounted<R extends Router>(name: string, router: R): R {
  let heads: Set<string> | null | undefined; // null: enter for every request
  const headsOf = (): Set<string> | null => {
    const found = new Set<string>();
    for (const layer of router.stack as unknown as Layer[]) {
      if (!layer.route) return null;
      for (const path of Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) {
        const head = typeof path === 'string' ? pathHead(path) : undefined;
        if (head === undefined) return null;
        found.add(head);
      }
    }
    return found;
  };
  const entry = ((req, res, next) => {
    heads ??= headsOf();
    if (heads) {
      const head = headOf(req);
      if (head === undefined || !heads.has(head.replace(/\/$/, ''))) return next();
    }
    return router(req, res, next);
  }) as R;
  Object.defineProperty(entry, 'stack', { get: () => router.stack });
  (entry as unknown as Record<symbol, string>)[MODULE] = name;
  return entry;
}

interface Layer {
  route?: { path: string | string[]; stack: { method?: string; handle: unknown }[] };
  handle?: { stack?: Layer[] } & Record<symbol, string | undefined>;
  slash?: boolean;
}

export interface RouteEntry {
  method: string;
  path: string;
  module: string;
  /** who may call it: 任何人, 已登录, 已审核账户, or the roles */
  guard: string;
}

function describeGuard(handlers: unknown[]): string {
  let found: GuardRequirement | undefined;
  for (const h of handlers) {
    const r = guardRequirement(h);
    if (r && (!found || (r.roles && !found.roles) || (r.active && !found.active))) found = { ...found, ...r };
  }
  if (!found) return 'anyone';
  if (found.roles) return `roles: ${found.roles.join(', ')}`;
  return found.active ? 'active account' : 'signed in';
}

export function routeList(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], module: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        const byMethod = new Map<string, unknown[]>();
        for (const l of layer.route.stack) if (l.method) byMethod.set(l.method, [...(byMethod.get(l.method) ?? []), l.handle]);
        for (const path of paths) for (const [method, handlers] of byMethod) out.push({ method: method.toUpperCase(), path: String(path), module, guard: describeGuard(handlers) });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, layer.handle[MODULE] ?? module);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, 'app');
  return out;
}
