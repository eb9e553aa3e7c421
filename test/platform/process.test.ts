// The real server process, spawned as `npm start` runs it: graceful shutdown, data surviving a restart, and
// MONGODB_URI pointing at an existing server.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { alive, startServer } from '../support/process.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'dongbao-proc-'));
const baseEnv = { SESSION_SECRET: 'process-test-secret-process-test-secret', SEED_ON_EMPTY: 'false' };

function launcherState(dataDir: string): { pid: number; uri: string } {
  return JSON.parse(readFileSync(path.join(dataDir, 'db', 'ferretdb.json'), 'utf8'));
}

describe('server process', () => {
  it('when SIGTERM arrives with a request in flight, then the request finishes, the process exits 0 and no FerretDB is left', async () => {
    const dataDir = tmp();
    const server = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    const { pid: dbPid } = launcherState(dataDir);
    expect(alive(dbPid)).toBe(true);

    // A request whose body is still arriving when the signal comes.
    const body = 'q=in-flight-request';
    const socket = netConnect(server.port, '127.0.0.1');
    let response = '';
    socket.on('data', (d) => (response += d));
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(server.child.exitCode).toBeNull(); // still draining
    socket.write(body.slice(5));
    await closed;
    // A complete answer (CSRF refuses the tokenless form post), not a reset connection.
    expect(response).toMatch(/^HTTP\/1\.1 403 /);

    const { code } = await server.exited;
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(dbPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'db', 'ferretdb.json'))).toBe(false);
  });

  it('when the app crashes hard (SIGKILL), then its FerretDB exits too', async () => {
    const dataDir = tmp();
    const server = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    const { pid: dbPid } = launcherState(dataDir);
    server.child.kill('SIGKILL');
    await server.exited;
    const deadline = performance.now() + 5000;
    while (alive(dbPid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(dbPid)).toBe(false);
  });

  it('when the server is stopped and started on the same DATA_DIR, then the data is still there', async () => {
    const dataDir = tmp();
    const first = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    let client = new MongoClient(launcherState(dataDir).uri);
    await client.db('dongbao').collection('restart_probe').insertOne({ note: '重启后仍在' });
    await client.close();
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await startServer({ ...baseEnv, DATA_DIR: dataDir });
    client = new MongoClient(launcherState(dataDir).uri);
    const doc = await client.db('dongbao').collection('restart_probe').findOne({});
    await client.close();
    expect(doc?.note).toBe('重启后仍在');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('when MONGODB_URI points at a running server, then it is used and no embedded database starts', async () => {
    const dataDir = tmp();
    const uri = inject('mongoUri').replace(/\/$/, '') + '/external_probe';
    const server = await startServer({ ...baseEnv, DATA_DIR: dataDir, MONGODB_URI: uri });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(existsSync(path.join(dataDir, 'db'))).toBe(false);
    expect(server.output()).toContain('MONGODB_URI');
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
