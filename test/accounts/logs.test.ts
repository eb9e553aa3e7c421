// docs/security.md 25: logs hold no passwords, tokens, session ids or phone numbers.
import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrf, makeUser, PASSWORD, sessionCookie } from '../support/agent.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { createToken } from '../../server/accounts/service.ts';

let captured = '';
const sink = new Writable({
  write(chunk, _enc, done) {
    captured += chunk.toString();
    done();
  },
});
const { app } = buildTestApp({ logger: createLogger('trace', { destination: sink }) });

describe('logs', () => {
  it('when users log in, fail, and call the API, then no secret reaches the log', async () => {
    const user = await makeUser('enterprise');
    const agent = request.agent(app);
    const token = await csrf(agent);
    await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: 'a-wrong-password-13800138000' });
    const ok = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: PASSWORD });
    const sid = sessionCookie(ok)!.split(';')[0]!.split('=')[1]!;
    const { token: apiToken } = await createToken(user, 'log-test');
    await request(app).get('/api/v1/me?phone=13800138000').set('Authorization', `Bearer ${apiToken}`).expect(200);
    await request(app).get('/api/v1/me').set('Authorization', 'Bearer tbd_invalid-token-value');

    expect(captured.length).toBeGreaterThan(0);
    expect(captured).toContain('request completed');
    for (const secret of [PASSWORD, 'a-wrong-password', apiToken, 'tbd_invalid-token-value', sid, decodeURIComponent(sid), '13800138000', token]) {
      expect(captured, secret).not.toContain(secret);
    }
  });
});
