// docs/security.md 24 under load: the real server process (as `npm start` runs it, on its embedded database)
// serves 32 keep-alive clients reading pages and the API and writing needs; SIGTERM arrives mid-load.
// Requests the server took complete (no 5xx, no cut-off bodies); a connection is refused or reset only for
// requests sent after the signal; a client already connected sees /readyz answer 503; the drain ends when
// the requests do (not at the forced-close deadline) and the process exits 0 well within 30 s, leaving no
// FerretDB behind; every write acknowledged, before or during the drain, is there after a restart.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { alive, startServer, type ServerProcess } from '../support/process.ts';
import { fillDataDir } from '../support/child-db.ts';

const CLIENTS = 32;
const baseEnv = { SESSION_SECRET: 'shutdown-load-secret-shutdown-load-secret', SEED_ON_EMPTY: 'false', LOG_LEVEL: 'warn' };
const TERMS = ['磷石膏', '综合利用', '高强石膏', '净化', '蒸压', '磷化工'];

interface Outcome {
  label: string;
  calledAt: number;
  /** when the whole request had been handed to the OS (undefined: never sent, e.g. refused) */
  sentAt?: number;
  endedAt: number;
  status?: number;
  /** the whole body arrived */
  complete?: boolean;
  body?: string;
  error?: string;
}

interface Call {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request; resolves with what happened, never rejects. */
function call(port: number, agent: Agent, c: Call): Promise<Outcome> {
  const o: Outcome = { label: c.label, calledAt: performance.now(), endedAt: 0 };
  return new Promise((resolve) => {
    const done = () => {
      o.endedAt = performance.now();
      resolve(o);
    };
    const req = httpRequest({ host: '127.0.0.1', port, method: c.method, path: c.path, agent, headers: c.headers, timeout: 20_000 }, (res) => {
      o.status = res.statusCode;
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', () => {}); // 'close' tells what matters: whether the body was complete
      res.on('close', () => {
        o.complete = res.complete;
        o.body = Buffer.concat(chunks).toString('utf8');
        done();
      });
    });
    req.on('finish', () => (o.sentAt = performance.now()));
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (o.status !== undefined) return; // after the response began: judged by `complete`
      o.error = err.code ?? err.message;
      done();
    });
    req.end(c.body);
  });
}

/** A raw HTTP/1.1 answer with a Content-Length body: its status, body, and whether all of it has arrived. */
function parseResponse(raw: string): { status: number; body: string; complete: boolean } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, body: '', complete: false };
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, end))?.[1] ?? NaN);
  const body = raw.slice(end + 4);
  return { status: Number(raw.slice(9, 12)), body, complete: Buffer.byteLength(body) === length };
}

/** After a failed test: no server left running (its FerretDB follows it). */
function stopHard(server: ServerProcess): void {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
}

function launcherState(dataDir: string): { pid: number; uri: string } {
  return JSON.parse(readFileSync(path.join(dataDir, 'db', 'ferretdb.json'), 'utf8'));
}

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fills DATA_DIR's embedded database before the server first starts: an enterprise with a token, needs, results. */
function prepare(dataDir: string): Promise<{ auth: Record<string, string>; needs: string[] }> {
  return fillDataDir(dataDir, async () => {
    const ent = await owner('enterprise');
    const inst = await owner('institution');
    const needs: string[] = [];
    for (let i = 0; i < 20; i++) needs.push((await demandOf(ent.actor, { title: `停机演练技术需求${i}：磷石膏净化` })).id);
    for (let i = 0; i < 10; i++) await resultOf(inst.actor, { title: `停机演练科技成果${i}：高强石膏` });
    return { auth: ent.auth, needs };
  });
}

describe('shutdown under load', () => {
  it('when SIGTERM arrives under sustained load, then taken requests complete, the drain ends promptly, exit is 0 and acknowledged writes survive a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-drain-'));
    const { auth, needs } = await prepare(dataDir);
    const server: ServerProcess = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    const { pid: dbPid } = launcherState(dataDir);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    onTestFinished(() => {
      agent.destroy();
      stopHard(server);
    });

    let seq = 0;
    const nextCall = (): Call => {
      const n = seq++;
      const term = encodeURIComponent(TERMS[n % TERMS.length]!);
      const need = needs[n % needs.length]!;
      switch (n % 6) {
        case 0:
          return { label: 'search page', method: 'GET', path: `/search?q=${term}` };
        case 1:
          return { label: 'search API', method: 'GET', path: `/api/v1/search?q=${term}`, headers: auth };
        case 2:
          return { label: "need's page", method: 'GET', path: `/demands/${need}` };
        case 3:
          return { label: 'need API', method: 'GET', path: `/api/v1/demands/${need}`, headers: auth };
        case 4:
          return { label: 'needs list', method: 'GET', path: '/demands' };
        default: {
          const body = JSON.stringify({ title: `负载期间发布的需求${n}号`, description: '在持续负载与停机信号之间发布的技术需求，确认写入后必须在重启后仍然存在。', industry: 'chemicals', keywords: ['停机演练'] });
          return { label: 'create need', method: 'POST', path: '/api/v1/demands', headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }, body };
        }
      }
    };

    // Closed-loop clients: each sends its next request when the last is answered, until its connection fails.
    const outcomes: Outcome[] = [];
    let killedAt = Infinity;
    const client = async () => {
      for (;;) {
        const o = await call(server.port, agent, nextCall());
        outcomes.push(o);
        if (o.error || server.child.exitCode !== null) return;
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, client));

    // A client already connected when the signal comes, its request taken but its body still to come: the
    // server's "100 Continue" says it has read the headers.
    const slowBody = JSON.stringify({ title: '停机信号期间仍在上传的需求', description: '这条需求的请求体在停机信号到达时还没有传完，服务器必须等它传完并答复。', industry: 'chemicals', keywords: ['停机演练'] });
    const socket = netConnect(server.port, '127.0.0.1');
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (raw += d));
    const socketClosed = new Promise((r) => socket.once('close', r));
    onTestFinished(() => void socket.destroy());
    await new Promise((r) => socket.once('connect', r));

    // Load first, until it is well under way (and some writes are acknowledged).
    await waitFor('load to build up', () => outcomes.length >= 150 && outcomes.some((o) => o.label === 'create need' && o.status === 201), 30_000);
    socket.write(
      `POST /api/v1/demands HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth.Authorization}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(slowBody)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await waitFor('100 Continue', () => raw.includes('HTTP/1.1 100 Continue\r\n\r\n'));
    raw = '';

    killedAt = performance.now();
    server.child.kill('SIGTERM');
    // The load clients wind down: each connection gets its answers, then refusal.
    let clientsDone = false;
    void clients.then(() => (clientsDone = true));
    await waitFor('the load clients to stop after the signal (a server that keeps serving kept-alive connections never lets them)', () => clientsDone, 20_000);
    expect(server.child.exitCode).toBeNull(); // still draining: the slow request holds it
    socket.write(slowBody);
    await waitFor('the slow request to be answered', () => parseResponse(raw).complete, 10_000);
    const slow = parseResponse(raw);
    raw = '';
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the /readyz answer', () => parseResponse(raw).complete, 10_000);
    const ready = parseResponse(raw);

    const { code } = await server.exited;
    const exitedAt = performance.now();
    await socketClosed;
    agent.destroy();

    // The process: exit 0 promptly, without hitting the forced close, and no FerretDB left behind.
    expect(code).toBe(0);
    expect(exitedAt - killedAt).toBeLessThan(15_000);
    expect(server.output()).not.toContain('did not finish in time');
    await waitFor('the embedded database to exit', () => !alive(dbPid), 5_000);
    expect(existsSync(path.join(dataDir, 'db', 'ferretdb.json'))).toBe(false);
    const errorLines = server.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
    expect(errorLines).toEqual([]);

    // The client already connected: its request completed after the signal, and /readyz said 503.
    expect(slow.status).toBe(201);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'shutting-down' });

    // Load: no 5xx, no cut-off body; failures without an answer only for requests sent after the signal.
    const answered = outcomes.filter((o) => o.status !== undefined);
    expect(answered.filter((o) => o.status! >= 500).map((o) => `${o.label} ${o.status}`)).toEqual([]);
    expect(answered.filter((o) => !o.complete).map((o) => `${o.label} ${o.status} cut off`)).toEqual([]);
    const failed = outcomes.filter((o) => o.error);
    expect(failed.filter((o) => !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(o.error!)).map((o) => `${o.label}: ${o.error}`)).toEqual([]);
    expect(failed.filter((o) => (o.sentAt ?? o.calledAt) < killedAt).map((o) => `${o.label}: ${o.error}, sent ${killedAt - o.sentAt!} ms before the signal`)).toEqual([]);
    // The signal really came under load: requests sent before it were answered after it.
    expect(answered.filter((o) => o.sentAt! < killedAt && o.endedAt > killedAt).length).toBeGreaterThanOrEqual(10);

    // Every acknowledged write is there after a restart on the same DATA_DIR.
    const acknowledged = answered.filter((o) => o.label === 'create need' && o.status === 201).map((o) => JSON.parse(o.body!) as { id: string; title: string });
    acknowledged.push(JSON.parse(slow.body));
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    const again = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    onTestFinished(() => stopHard(again));
    try {
      const missing: string[] = [];
      for (const w of acknowledged) {
        const res = await fetch(`${again.url}/api/v1/demands/${w.id}`, { headers: auth });
        const body = (await res.json()) as { title?: string };
        if (res.status !== 200 || body.title !== w.title) missing.push(`${w.id} ${w.title}: ${res.status}`);
      }
      expect(missing).toEqual([]);
    } finally {
      again.child.kill('SIGTERM');
      expect((await again.exited).code).toBe(0);
    }
  }, 120_000);
});
