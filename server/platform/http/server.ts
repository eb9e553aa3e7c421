// The HTTP server around the app, with the timeouts that keep slow clients from holding connections
// (docs/security.md 26): headers and the whole request must arrive within 30 s.
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

export const HEADERS_TIMEOUT_MS = 30_000;
export const REQUEST_TIMEOUT_MS = 30_000;

export function createHttpServer(app: Express): Server {
  const server = createServer(app);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  return server;
}
