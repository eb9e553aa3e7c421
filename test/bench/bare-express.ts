// The HTTP bench's ceiling: the smallest Express app (one route answering a small JSON), run in a process
// of its own by http.ts under the same load as the real app, so the app's figures can be read as a share of
// what this machine's Node and Express manage at all. Prints "READY <port>" once listening.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
server.keepAliveTimeout = 5_000; // as the app's server (server/platform/http/server.ts)
process.once('SIGTERM', () => process.exit(0));
