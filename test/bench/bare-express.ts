// The HTTP bench's ceiling: the smallest Express app (one route answering a small JSON), run in a process
// of its own by http.ts under the same load as the real app, so the app's figures can be read as a share of
// what this machine's Node and Express manage at all; and /sized/<bytes>, a JSON answer of that many bytes made
// once, for what the size of an answer alone costs here. Prints "READY <port>" once listening.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.json({ status: 'ok' });
});

const sized = new Map<number, Buffer>();
app.get('/sized/:bytes', (req, res) => {
  const bytes = Math.min(1_000_000, Math.max(16, Number(req.params.bytes) || 0));
  let body = sized.get(bytes);
  if (!body) sized.set(bytes, (body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(bytes - 10) }))));
  res.type('json').send(body);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
server.keepAliveTimeout = 5_000; // as the app's server (server/platform/http/server.ts)
process.once('SIGTERM', () => process.exit(0));
