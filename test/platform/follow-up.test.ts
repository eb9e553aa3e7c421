// Follow-up writes a response does not wait for (platform/follow-up.ts): a failure is logged on the request's
// logger (which carries the request id) and retried; one that keeps failing ends in an error line, never silence.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/platform/logger.ts';
import { retryInBackground } from '../../server/platform/follow-up.ts';

function capturingRequestLog() {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // As pino-http binds it: every line of req.log names the request.
  const log = createLogger('info', { destination: out }).child({ req: { id: 'req-follow-up-1', method: 'POST', path: '/demands' } });
  return { log, lines };
}

describe('follow-up writes', () => {
  it('when a follow-up fails twice and then succeeds, then each failure is logged with the request id and it is done', async () => {
    const { log, lines } = capturingRequestLog();
    let calls = 0;
    const ok = await retryInBackground(
      'announcing matches',
      async () => {
        if (++calls < 3) throw new Error('database unavailable');
      },
      log,
      [10, 10],
    );
    expect(ok).toBe(true);
    expect(calls).toBe(3);
    const warnings = lines.filter((l) => l.msg === 'announcing matches failed; will retry');
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toMatchObject({ level: 40, req: { id: 'req-follow-up-1' }, err: { message: 'database unavailable' } });
  });

  it('when a follow-up keeps failing, then it gives up with an error line that names the request', async () => {
    const { log, lines } = capturingRequestLog();
    const ok = await retryInBackground('announcing matches', () => Promise.reject(new Error('still down')), log, [5, 5]);
    expect(ok).toBe(false);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ level: 50, msg: 'announcing matches failed; gave up', attempts: 3, req: { id: 'req-follow-up-1' } });
  });
});
