import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/platform/config.ts';
import { ensureBuilt, repoRoot, serverArgs } from '../support/process.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'dongbao-config-'));

describe('config', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(3000);
    expect(c.mongodbUri).toBeUndefined();
    expect(c.meili).toBeUndefined();
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.secureCookies).toBe(false);
    expect(c.logLevel).toBe('info');
  });

  it('when PORT is not a number, then the error names PORT', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/PORT/);
  });

  it('when several variables are bad, then each one is named', () => {
    try {
      loadConfig({ PORT: '70000', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud', MEILI_HOST: 'ftp://x' });
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      for (const name of ['PORT', 'MONGODB_URI', 'LOG_LEVEL', 'MEILI_HOST']) expect(msg).toContain(name);
    }
  });

  it('when running in production without SESSION_SECRET or BASE_URL, then boot refuses and names them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrowError(/SESSION_SECRET[\s\S]*BASE_URL/);
  });

  it('when SESSION_SECRET is unset outside production, then one is generated into DATA_DIR and reused', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, 'session-secret'), 'utf8').trim()).toBe(first);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(first);
  });

  it('when SESSION_SECRET is too short, then it is refused', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrowError(/SESSION_SECRET/);
  });

  it('when BASE_URL is https, then cookies are marked secure; TRUST_PROXY takes counts and lists', () => {
    const c = loadConfig({ DATA_DIR: tmp(), BASE_URL: 'https://kj.dongbao.gov.cn/', TRUST_PROXY: '1' });
    expect(c.secureCookies).toBe(true);
    expect(c.baseUrl).toBe('https://kj.dongbao.gov.cn');
    expect(c.trustProxy).toBe(1);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });

  it('when the server process starts with a bad variable, then it exits 1 with a message naming it', () => {
    ensureBuilt();
    const out = spawnSync(process.execPath, serverArgs, {
      cwd: repoRoot,
      env: { ...process.env, BASE_URL: '', PORT: 'abc', DATA_DIR: tmp() },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/PORT/);
  });
});

describe('database URIs', () => {
  it('when a database name is set, then it replaces the path and keeps hosts and options', async () => {
    const { withDatabase, databaseName } = await import('../../server/platform/db/connection.ts');
    expect(withDatabase('mongodb://127.0.0.1:1234/', 'dongbao')).toBe('mongodb://127.0.0.1:1234/dongbao');
    expect(withDatabase('mongodb://a:1,b:2/old?replicaSet=rs0', 'x')).toBe('mongodb://a:1,b:2/x?replicaSet=rs0');
    expect(withDatabase('mongodb+srv://u:p@cluster.example.net?retryWrites=true', 'x')).toBe('mongodb+srv://u:p@cluster.example.net/x?retryWrites=true');
    expect(databaseName('mongodb://h/abc?x=1')).toBe('abc');
    expect(databaseName('mongodb://h/')).toBe('dongbao');
  });
});
