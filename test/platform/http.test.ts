import mongoose from 'mongoose';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { connect } from '../../server/platform/db/connection.ts';
import { inject } from 'vitest';
import { testDbName } from '../support/setup.ts';

const { app, lifecycle } = buildTestApp();

describe('HTTP edge', () => {
  it('when the home page is requested, then it presents the sections in Chinese', async () => {
    const res = await request(app).get('/').expect(200);
    for (const section of ['需求大厅', '成果库', '专家库', '经纪人', '活动与路演', '目标看板']) {
      expect(res.text).toContain(section);
    }
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a page does not exist, then a Chinese 404 page is shown', async () => {
    const res = await request(app).get('/no-such-page').expect(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('未找到');
  });

  it('when an API path does not exist, then the answer is problem+json', async () => {
    const res = await request(app).get('/api/v1/nothing-here').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ status: 404, title: '未找到', instance: '/api/v1/nothing-here' });
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('when a body is over 100 kB, then the answer is 413, not 500', async () => {
    const big = { text: 'x'.repeat(110 * 1024) };
    const res = await request(app).post('/api/v1/anything').send(big).expect(413);
    expect(JSON.parse(res.text)).toMatchObject({ status: 413 });
    await request(app)
      .post('/anything')
      .type('form')
      .send(`text=${'y'.repeat(110 * 1024)}`)
      .expect(413);
  });

  it('when the JSON body is malformed, then the answer is 400 problem+json', async () => {
    const res = await request(app).post('/api/v1/anything').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(JSON.parse(res.text).detail).toContain('JSON');
  });

  it('when a query parameter is repeated, then the answer is 400 naming it', async () => {
    const res = await request(app).get('/api/v1/search?id=a&id=b').expect(400);
    expect(JSON.parse(res.text).detail).toContain('id');
  });

  it('when a client sends a well-formed request id, then it is echoed back', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'lb-12345678').expect(200);
    expect(res.headers['x-request-id']).toBe('lb-12345678');
    const bad = await request(app).get('/healthz').set('X-Request-Id', '<script>').expect(200);
    expect(bad.headers['x-request-id']).not.toBe('<script>');
  });

  it('then security headers are set and X-Powered-By is absent', async () => {
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('when served over HTTPS, then HSTS lasts a year', async () => {
    const https = buildTestApp({ env: { BASE_URL: 'https://kj.dongbao.example' } });
    const res = await request(https.app).get('/healthz').expect(200);
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
  });

  it('when assets are requested, then the CSS library is served locally', async () => {
    const res = await request(app).get('/assets/vendor/pico.min.css').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/css/);
    expect(res.text).toContain('--pico');
    await request(app).get('/assets/app.css').expect(200);
  });
});

describe('health and readiness', () => {
  afterAll(async () => {
    if (mongoose.connection.readyState !== 1) await connect(inject('mongoUri'), testDbName);
  });

  it('when the database answers, then /healthz and /readyz are 200', async () => {
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.checks.database.ok).toBe(true);
  });

  it('when the database connection is gone, then /readyz is 503 and /healthz stays 200', async () => {
    await mongoose.disconnect();
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.checks.database.ok).toBe(false);
    await request(app).get('/healthz').expect(200);
    await connect(inject('mongoUri'), testDbName);
    await request(app).get('/readyz').expect(200);
  });

  it('when shutdown has begun, then /readyz is 503', async () => {
    lifecycle.shuttingDown = true;
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.status).toBe('shutting-down');
    lifecycle.shuttingDown = false;
  });
});

describe('slow clients', () => {
  it('when the server is created, then header and request timeouts are about 30 s', async () => {
    const { createHttpServer } = await import('../../server/platform/http/server.ts');
    const server = createHttpServer(app);
    expect(server.headersTimeout).toBe(30_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBeLessThan(server.headersTimeout);
  });
});

describe('writes on FerretDB', () => {
  it('when ten updates of one document race, then each one applies: one compare-and-set wins, no $inc is lost', async () => {
    const { writesSerialized } = await import('../../server/platform/db/write-lock.ts');
    expect(writesSerialized()).toBe(true); // the test database is FerretDB
    const col = mongoose.connection.collection('race_probe');
    const { insertedId } = await col.insertOne({ v: 0, n: 0 });
    const cas = await Promise.all(Array.from({ length: 10 }, (_, i) => col.updateOne({ _id: insertedId, v: 0 }, { $set: { v: i + 1 } })));
    await Promise.all(Array.from({ length: 10 }, () => col.updateOne({ _id: insertedId }, { $inc: { n: 1 } })));
    expect(cas.filter((r) => r.modifiedCount === 1)).toHaveLength(1);
    expect((await col.findOne({ _id: insertedId }))?.n).toBe(10);
  });
});
