// Sessions stay in the database without a write per request (docs/design.md "Sessions and CSRF", issue 18):
// counts the session store's database calls over 200 requests, one every 12 s (40 minutes of activity), for the
// knobs connect-mongo offers too — express-session's `rolling` and the store's `touchAfter` — and checks what each
// does to the idle timeout. `npx vitest run test/accounts/session-writes.test.ts` prints the table
// docs/decisions/sessions-in-database.md quotes.
import express from 'express';
import { Collection } from 'mongodb';
import request from 'supertest';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { loginAgent, makeUser } from '../support/agent.ts';
import { advanceClock } from '../support/clock.ts';
import { IDLE_TIMEOUT_MS, SESSIONS_COLLECTION, sessionMiddleware } from '../../server/platform/auth/session.ts';
import { TOUCH_AFTER_MS } from '../../server/platform/auth/session-store.ts';
import { clock } from '../../server/platform/clock.ts';

const REQUESTS = 200;
const EVERY_MS = 12_000;
/** a loaded machine makes 200 requests with a write each slow; a test that timed out would go on moving the clock */
const TIMEOUT_MS = 180_000;
const WRITES = ['updateOne', 'updateMany', 'insertOne', 'replaceOne', 'findOneAndUpdate', 'deleteOne'] as const;

/** Session-collection calls made while fn runs: writes and reads. */
async function sessionCalls(fn: () => Promise<unknown>): Promise<{ writes: number; reads: number }> {
  const writes = WRITES.map((m) => vi.spyOn(Collection.prototype, m));
  const reads = vi.spyOn(Collection.prototype, 'findOne');
  const onSessions = (spy: { mock: { contexts: unknown[] } }) => (spy.mock.contexts as Collection[]).filter((c) => c.collectionName === SESSIONS_COLLECTION).length;
  try {
    await fn();
    return { writes: writes.reduce((n, s) => n + onSessions(s), 0), reads: onSessions(reads) };
  } finally {
    for (const s of [...writes, reads]) s.mockRestore();
  }
}

function miniApp(opts: { rolling: boolean; touchAfterMs: number }) {
  const app = express();
  app.use(sessionMiddleware({ secret: 'session-writes-secret-session-writes', secure: false, ...opts }));
  app.post('/in', (req, res) => {
    req.session.loginAt = clock.ms();
    res.sendStatus(204);
  });
  app.get('/page', (req, res) => res.send(req.session.loginAt ? 'in' : 'out'));
  return app;
}

const rows: string[][] = [];
afterAll(() => {
  const head = ['store settings', `writes / ${REQUESTS} requests`, 'reads', 'cookie re-sent', 'signed in after 40 min active', 'idle timeout'];
  process.stdout.write(`${[head, ...rows].map((r) => r.join(' | ')).join('\n')}\n`);
});

describe(`session writes over ${REQUESTS} requests, one every ${EVERY_MS / 1000} s`, () => {
  const options = [
    { rolling: true, touchAfterMs: 0, label: 'rolling, touch every request (connect-mongo default, touchAfter 0)' },
    { rolling: false, touchAfterMs: 0, label: 'not rolling, touch every request' },
    { rolling: true, touchAfterMs: TOUCH_AFTER_MS, label: `rolling, touchAfter ${TOUCH_AFTER_MS / 1000} s (the app)` },
    { rolling: false, touchAfterMs: TOUCH_AFTER_MS, label: `not rolling, touchAfter ${TOUCH_AFTER_MS / 1000} s` },
    { rolling: true, touchAfterMs: 5 * 60_000, label: 'rolling, touchAfter 300 s' },
  ];
  for (const opt of options) {
    it(`measures: ${opt.label}`, async () => {
      const app = miniApp(opt);
      const agent = request.agent(app);
      await agent.post('/in').expect(204);
      let signedIn = true;
      let cookieResent = false;
      const calls = await sessionCalls(async () => {
        for (let i = 0; i < REQUESTS; i++) {
          advanceClock(EVERY_MS);
          const res = await agent.get('/page');
          signedIn &&= res.text === 'in';
          cookieResent ||= !!res.headers['set-cookie'];
        }
      });
      // The idle timeout: a session last used at t is still there at t + 30 min − touchAfter (its stored expiry
      // lags its use by less than touchAfter); the test below shows it gone after 30 min.
      advanceClock(IDLE_TIMEOUT_MS - opt.touchAfterMs - 1000);
      const stillIn = (await agent.get('/page')).text === 'in';
      const idle = stillIn ? `${(IDLE_TIMEOUT_MS - opt.touchAfterMs) / 60_000}–30 min` : 'shorter than 30 min − touchAfter';
      rows.push([opt.label, String(calls.writes), String(calls.reads), cookieResent ? 'yes' : 'no (cookie expires 30 min after login)', signedIn ? 'yes' : 'no', idle]);
      expect(signedIn).toBe(true);
      expect(stillIn).toBe(true);
      if (opt.touchAfterMs === 0) expect(calls.writes).toBe(REQUESTS);
      else expect(calls.writes).toBeLessThanOrEqual(Math.ceil((REQUESTS * EVERY_MS) / opt.touchAfterMs) + 1);
      expect(calls.reads).toBe(REQUESTS);
    }, TIMEOUT_MS);
  }

  it('idle: a session unused for 30 minutes ends under the app settings, however it was used before', async () => {
    const agent = request.agent(miniApp({ rolling: true, touchAfterMs: TOUCH_AFTER_MS }));
    await agent.post('/in').expect(204);
    for (let i = 0; i < 30; i++) {
      advanceClock(EVERY_MS);
      await agent.get('/page');
    }
    advanceClock(IDLE_TIMEOUT_MS + 1000);
    expect((await agent.get('/page')).text).toBe('out');
  });
});

describe('the app itself', () => {
  const { app } = buildTestApp();
  it(`when a signed-in user opens ${REQUESTS} pages over 40 minutes, then the session is written about once a minute, not per page`, async () => {
    const user = await makeUser('expert');
    const agent = await loginAgent(app, user.email);
    const calls = await sessionCalls(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        advanceClock(EVERY_MS);
        await agent.get('/').expect(200);
      }
    });
    rows.push([`the app (GET /, signed in): rolling, touchAfter ${TOUCH_AFTER_MS / 1000} s`, String(calls.writes), String(calls.reads), '', '', '']);
    expect(calls.writes).toBeLessThanOrEqual(Math.ceil((REQUESTS * EVERY_MS) / TOUCH_AFTER_MS) + 1);
  }, TIMEOUT_MS);
});
