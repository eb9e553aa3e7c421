// A request id on every request: taken from a well-formed incoming X-Request-Id (a proxy's), else generated;
// echoed in the response header, on every log line (pino-http child logger) and on 500 pages.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';

const incomingId = /^[A-Za-z0-9._-]{8,64}$/;

/** Paths whose last segment is a credential (answer, invitation, unsubscribe and password reset links): logged without it. */
const secretPaths = /^(\/answer|\/invitations|\/mail\/unsubscribe|\/password\/reset)\/[^/]*/;

/** The path as it may be logged: no query string, no link token. */
export const loggedPath = (url: string): string => (url.split('?')[0] ?? '').replace(secretPaths, '$1/…');

export function requestContext(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const header = req.headers['x-request-id'];
      const id = typeof header === 'string' && incomingId.test(header) ? header : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Health probes every few seconds would drown the log.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    customLogLevel(_req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'info';
      return 'info';
    },
    serializers: {
      // Only the path: query strings can carry search terms and personal data; link tokens are cut off.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggedPath(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
