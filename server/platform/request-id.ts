// The id of the request being served (request-context.ts gives each one), for work that outlives a request's
// logger: when the search index cannot take a write, the log names the requests whose writes wait.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

const store = new AsyncLocalStorage<string>();

export const currentRequestId = (): string | undefined => store.getStore();

/** Runs the rest of the request in its id's scope (after request-context.ts has given it one). */
export const requestIdScope: RequestHandler = (req, _res, next) => {
  if (req.id === undefined) return next();
  store.run(String(req.id), next);
};
