// docs/security.md 5: organizers can turn on a TOTP second factor.
import request from 'supertest';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrf, csrfFrom, loginAgent, makeUser, PASSWORD } from '../support/agent.ts';
import { clock } from '../../server/platform/clock.ts';
import { advanceClock } from '../support/clock.ts';

const { app } = buildTestApp();

describe('TOTP for organizers', () => {
  it('when an organizer enrols, then later logins need the code, a wrong or replayed code fails', async () => {
    const organizer = await makeUser('organizer', { totp: false });
    const agent = await loginAgent(app, organizer.email); // stops at enrolment
    const setup = await agent.get('/account/totp').expect(200);
    expect(setup.text).toMatch(/<img src="data:image\/png;base64,/);
    const secret = /密钥：<code>([A-Z2-7]+)<\/code>/.exec(setup.text)![1]!;

    const bad = await agent.post('/account/totp').type('form').send({ _csrf: csrfFrom(setup.text), code: '000000' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('验证码不正确');
    const ok = await agent.post('/account/totp').type('form').send({ _csrf: csrfFrom(setup.text), code: await generate({ secret, epoch: Math.floor(clock.ms() / 1000) }) });
    expect(ok.status).toBe(303);

    // A new login stops halfway and asks for the code.
    const fresh = request.agent(app);
    const token = await csrf(fresh);
    const step1 = await fresh.post('/login').type('form').send({ _csrf: token, email: organizer.email, password: PASSWORD });
    expect(step1.headers.location).toBe('/login/totp');
    expect((await fresh.get('/account')).status).toBe(303); // not logged in yet
    const form = await fresh.get('/login/totp');
    const wrong = await fresh.post('/login/totp').type('form').send({ _csrf: csrfFrom(form.text), code: '123456' });
    expect(wrong.status).toBe(401);

    // The code used at enrolment was spent; wait for the next time step so a fresh code exists.
    advanceClock(30_000);
    const code = await generate({ secret, epoch: Math.floor(clock.ms() / 1000) });
    const right = await fresh.post('/login/totp').type('form').send({ _csrf: csrfFrom(form.text), code });
    expect(right.status).toBe(303);
    await fresh.get('/account').expect(200);

    // The same code cannot be used again by someone else who knows the password.
    const replay = request.agent(app);
    const t2 = await csrf(replay);
    await replay.post('/login').type('form').send({ _csrf: t2, email: organizer.email, password: PASSWORD });
    const replayForm = await replay.get('/login/totp');
    const again = await replay.post('/login/totp').type('form').send({ _csrf: csrfFrom(replayForm.text), code });
    expect(again.status).toBe(401);
  }, 60_000);

  it('when another role opens the TOTP page, then it is refused', async () => {
    const expert = await makeUser('expert');
    const agent = await loginAgent(app, expert.email);
    expect((await agent.get('/account/totp')).status).toBe(403);
  });
});
