// Issue 14, points 8, 9, 10 and 12: what a careless or hostile user tries with names and texts, passwords,
// API tokens and other parties' record ids — through the real app, its pages and /api/v1.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrf, csrfFrom, loginAgent, makeUser, PASSWORD, uniqueEmail } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { advanceClock } from '../support/clock.ts';
import { repoRoot } from '../support/process.ts';
import { cliEnv } from '../support/child-db.ts';
import { User } from '../../server/accounts/model.ts';
import { Expert } from '../../server/experts/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { Counter } from '../../server/platform/http/rate-limit-store.ts';
import { TOKEN_FAILURES_PER_MINUTE } from '../../server/platform/auth/bearer.ts';

// Behind a proxy, so a test can speak from addresses of its own (X-Forwarded-For).
const { app } = buildTestApp({ env: { TRUST_PROXY: 'true' } });
// A second instance of the app on the same database, as behind a load balancer.
const { app: secondInstance } = buildTestApp({ env: { TRUST_PROXY: 'true' } });

let ipSeq = 1;
const newIp = () => `10.14.${(ipSeq >> 8) & 255}.${ipSeq++ & 255}`;

async function registerForm(fields: Record<string, string>) {
  const agent = request.agent(app);
  const token = await csrf(agent, '/register');
  // every registration from an address of its own: the per-address registration limit is not under test here
  return agent.post('/register').set('X-Forwarded-For', newIp()).type('form').send({ _csrf: token, ...fields });
}

/** The message shown beside a form field, or undefined. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`<small id="e-${field}" class="field-error">([^<]*)</small>`).exec(html)?.[1];
}

const RLO = '\u202E';
const ZWSP = '\u200B';

describe('8. text hygiene and names that pose as the bureau', () => {
  it('8. when a name carries a right-to-left override, zero-width-only text, a NUL byte or stacked combining marks, then it is refused field by field', async () => {
    const ent = await owner('enterprise');
    const need = {
      title: `磷石膏综合利用${RLO}局技科区宝东`,
      description: '公司湿法磷酸装置每年副产磷石膏约 150 万吨，\u0000需要低成本净化与高值化利用技术。',
      industry: 'chemicals',
      keywords: [`${ZWSP}${ZWSP}`, '磷石膏'],
      cooperationModes: ['joint-development'],
      budgetMin: 1_000_000,
      budgetMax: 3_000_000,
    };
    const before = await Demand.countDocuments();
    const res = await request(app).post('/api/v1/demands').set(ent.auth).send(need);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.title).toContain('改变文字显示方向');
    expect(res.body.errors.description).toContain('控制字符');
    expect(res.body.errors.keywords).toContain('不可见字符');
    expect(await Demand.countDocuments()).toBe(before);

    // Stacked combining marks, and a line break where only one line belongs; the same break in a long text is fine.
    const zalgo = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ ...need, title: `磷石膏净化技术需求Z\u0301\u0302\u0303\u0304\u0305`, description: '第一行：副产磷石膏约 150 万吨。\n第二行：需要低成本净化技术。', keywords: ['磷石膏'] });
    expect(zalgo.status).toBe(400);
    expect(Object.keys(zalgo.body.errors)).toEqual(['title']);
    expect(zalgo.body.errors.title).toContain('组合符号');
    const twoLines = await request(app).post('/api/v1/demands').set(ent.auth).send({ ...need, title: '磷石膏净化\n技术需求', description: need.description.replace('\u0000', ''), keywords: ['磷石膏'] });
    expect(twoLines.body.errors).toEqual({ title: '需求名称只能填写一行，不能包含换行或制表符。' });

    // Stored text is NFC: a decomposed "é" is kept composed, and the multi-line description keeps its break.
    const ok = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ ...need, title: '磷石膏净化技术需求（Cafe\u0301 工艺）', description: '第一行：副产磷石膏约 150 万吨。\n第二行：需要低成本净化技术。', keywords: ['磷石膏'] })
      .expect(201);
    expect(ok.body.title).toBe('磷石膏净化技术需求（Caf\u00e9 工艺）');
    expect(ok.body.description).toContain('\n');

    // On a form: the registration page comes back with the message under the field, and no account is made.
    const email = uniqueEmail('rlo');
    const form = await registerForm({ role: 'enterprise', name: `${RLO}司公限有化磷`, email, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(form.status).toBe(400);
    expect(fieldError(form.text, 'name')).toContain('改变文字显示方向');
    const blank = await registerForm({ role: 'enterprise', name: `${ZWSP}\u2060\uFEFF${ZWSP}`, email: uniqueEmail('zw'), password: PASSWORD, passwordConfirm: PASSWORD });
    expect(fieldError(blank.text, 'name')).toContain('只有空白或不可见字符');
    expect(await User.exists({ emailLower: email })).toBeNull();
  });

  it('8. when someone who is not an organizer takes a name with 区科技局, 科技局 or 管理员, then registration, user creation and profile edits refuse it', async () => {
    for (const name of ['东宝区科技局', '区 科 技 局（值班）', '平台管理员']) {
      const res = await registerForm({ role: 'expert', name, email: uniqueEmail('pose'), password: PASSWORD, passwordConfirm: PASSWORD });
      expect(res.status, name).toBe(400);
      expect(fieldError(res.text, 'name'), name).toContain('只有区科技局的账户可以使用');
    }
    const organizer = await apiToken('organizer');
    const posing = await request(app).post('/api/v1/users').set(organizer.auth).send({ name: '东宝区科技局', email: uniqueEmail('pose'), password: PASSWORD, role: 'broker' });
    expect(posing.status).toBe(400);
    expect(Object.keys(posing.body.errors)).toEqual(['name']);
    // The bureau's own accounts may carry it.
    await request(app).post('/api/v1/users').set(organizer.auth).send({ name: '东宝区科技局 张科长', email: uniqueEmail('kjj'), password: PASSWORD, role: 'organizer' }).expect(201);

    // An expert renaming their profile on its edit page.
    const expert = await owner('expert');
    const agent = await loginAgent(app, expert.user.email);
    const edit = await agent.get(`/experts/${expert.id}/edit`).expect(200);
    const res = await agent
      .post(`/experts/${expert.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(edit.text), name: '区科技局王处', title: '教授', industries: 'chemicals', keywords: '磷石膏' });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, 'name')).toContain('只有区科技局的账户可以使用');
    expect((await Expert.findById(expert.id).lean())?.name).not.toContain('科技局');
  });

  it('8. when a user acts on a need, then the history names them with their role', async () => {
    const ent = await owner('enterprise');
    const created = await request(app)
      .post('/api/v1/demands')
      .set(ent.auth)
      .send({ title: '磷石膏净化技术需求', description: '公司湿法磷酸装置每年副产磷石膏约 150 万吨，需要低成本净化技术。', industry: 'chemicals', keywords: ['磷石膏'], draft: true })
      .expect(201);
    const published = await request(app).post(`/api/v1/demands/${created.body.id}/status`).set(ent.auth).send({ status: 'published' }).expect(200);
    expect(published.body.history.map((h: { byName: string }) => h.byName)).toEqual([`${ent.user.name}（企业）`, `${ent.user.name}（企业）`]);
  });
});

describe('9. password policy', () => {
  it('9. when a password is twelve spaces, one repeated character, fewer than four different characters or contains the e-mail name, then registration, password change and user:create refuse it and say why', async () => {
    const cases: [string, string, string][] = [
      [' '.repeat(12), uniqueEmail('sp'), '不能只由空格组成'],
      ['aaaaaaaaaaaa', uniqueEmail('aa'), '至少要包含 4 种不同的字符'],
      ['abcabcabcabc', uniqueEmail('abc'), '至少要包含 4 种不同的字符'],
      ['Bob-Dongbao-2026', 'bob@example.cn', '邮箱 @ 前面的用户名'],
    ];
    for (const [password, email, message] of cases) {
      const res = await registerForm({ role: 'expert', name: '张三', email, password, passwordConfirm: password });
      expect(res.status, JSON.stringify(password)).toBe(400);
      expect(fieldError(res.text, 'password'), JSON.stringify(password)).toContain(message);
      expect(await User.exists({ emailLower: email })).toBeNull();
    }

    // Changing the password on the account page.
    const user = await makeUser('enterprise', { email: 'kim@example.cn' });
    const agent = await loginAgent(app, user.email);
    for (const [password, message] of [
      ['aaaaaaaaaaaa', '至少要包含 4 种不同的字符'],
      [' '.repeat(16), '不能只由空格组成'],
      ['KIM-磷石膏综合利用-2026', '邮箱 @ 前面的用户名'],
    ]) {
      const page = await agent.get('/account').expect(200);
      const res = await agent
        .post('/account/password')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), currentPassword: PASSWORD, newPassword: password, newPasswordConfirm: password });
      expect(res.status, password).toBe(400);
      expect(fieldError(res.text, 'newPassword'), password).toContain(message);
    }

    // user:create, through the API and the CLI (one schema).
    const organizer = await apiToken('organizer');
    const api = await request(app).post('/api/v1/users').set(organizer.auth).send({ name: '王五', email: uniqueEmail('api'), password: 'zzzzzzzzzzzz', role: 'expert' });
    expect(api.status).toBe(400);
    expect(api.body.errors.password).toContain('至少要包含 4 种不同的字符');
    const cliEmail = uniqueEmail('cli');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'user:create', '--email', cliEmail, '--password', ' '.repeat(12), '--role', 'expert'], {
      cwd: repoRoot,
      env: cliEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.status, cli.stderr).toBe(1);
    expect(cli.stderr).toContain('不能只由空格组成');
    expect(await User.exists({ emailLower: cliEmail })).toBeNull();
  }, 90_000);
});

describe('10. API token guessing', () => {
  it('10. when one address fails bearer-token authentication 20 times within a minute, then it gets 429 with Retry-After without the token being checked, on every instance, while successes never count and other addresses are untouched', async () => {
    const { auth } = await apiToken('expert');
    const attacker = newIp();
    const guess = () => `Bearer tbd_${randomBytes(32).toString('base64url')}`;

    // A busy client with a good token is never slowed: successes do not count.
    for (let i = 0; i < TOKEN_FAILURES_PER_MINUTE + 5; i++) {
      await request(app).get('/api/v1/me').set(auth).set('X-Forwarded-For', attacker).expect(200);
    }
    for (let i = 0; i < TOKEN_FAILURES_PER_MINUTE; i++) {
      const res = await request(app).get('/api/v1/me').set('Authorization', guess()).set('X-Forwarded-For', attacker);
      expect(res.status, `guess ${i + 1}`).toBe(401);
    }
    const blocked = await request(app).get('/api/v1/me').set('Authorization', guess()).set('X-Forwarded-For', attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(blocked.body.detail).toContain('访问令牌验证失败次数过多');
    // The token is not even looked at: a good one from that address is refused the same way, on any instance.
    expect((await request(app).get('/api/v1/me').set(auth).set('X-Forwarded-For', attacker)).status).toBe(429);
    expect((await request(secondInstance).get('/api/v1/me').set(auth).set('X-Forwarded-For', attacker)).status).toBe(429);
    // The count is in the database (which is how the second instance knows), and refused requests add nothing.
    expect(await Counter.findById(`token:ip:${attacker}`).lean()).toMatchObject({ hits: TOKEN_FAILURES_PER_MINUTE });

    // Other addresses are untouched: a good token works, a bad one is an ordinary 401.
    const neighbour = newIp();
    await request(app).get('/api/v1/me').set(auth).set('X-Forwarded-For', neighbour).expect(200);
    await request(app).get('/api/v1/me').set('Authorization', guess()).set('X-Forwarded-For', neighbour).expect(401);

    // A minute later the address may try again.
    advanceClock(61_000);
    await request(app).get('/api/v1/me').set(auth).set('X-Forwarded-For', attacker).expect(200);
  });
});

describe('12. authorization before existence', () => {
  const WAN = 10_000;
  let organizer: Awaited<ReturnType<typeof apiToken>>;
  let recorder: Awaited<ReturnType<typeof owner>>;
  let outsider: Awaited<ReturnType<typeof owner>>;
  let buyer: Awaited<ReturnType<typeof owner>>;
  let seller: Awaited<ReturnType<typeof owner>>;

  beforeAll(async () => {
    organizer = await apiToken('organizer');
    recorder = await owner('broker');
    outsider = await owner('broker');
    buyer = await owner('enterprise');
    seller = await owner('institution');
  });

  it("12. when someone works with another party's contract, talent record, draft need or draft result, then every method and page answers 404 exactly as for an unused id, and only those who can see a record are told 403", async () => {
    const contract = await request(app)
      .post('/api/v1/contracts')
      .set(recorder.auth)
      .send({ title: '磷石膏净化技术开发合同', type: 'development', buyer: buyer.id, seller: { kind: 'institution', id: seller.id }, amount: 120 * WAN, signedAt: '2012-03-01' })
      .expect(201);
    const talent = await request(app)
      .post('/api/v1/talents')
      .set(recorder.auth)
      .send({ name: '张博士', degree: 'doctor', category: 'shortage', mode: 'flexible', employer: buyer.id, industry: 'chemicals', date: '2012-05-01' })
      .expect(201);
    const draftNeed = await demandOf(buyer.actor, { draft: true });
    const draftResult = await resultOf(seller.actor, { draft: true });

    const records: [string, string, Record<string, unknown>][] = [
      ['contracts', contract.body.id, { amount: 1 }],
      ['talents', talent.body.id, { name: '李博士' }],
      ['demands', draftNeed.id, { title: '被别人改掉的需求名称' }],
      ['results', draftResult.id, { title: '被别人改掉的成果名称' }],
    ];
    const page = await loginAgent(app, outsider.user.email);
    const token = await csrf(page, '/account');
    const answer = (r: request.Response) => ({ status: r.status, title: r.body?.title as unknown, detail: r.body?.detail as unknown });

    for (const [kind, id, patch] of records) {
      const unused = randomBytes(12).toString('hex');
      const api = async (target: string) => [
        answer(await request(app).get(`/api/v1/${kind}/${target}`).set(outsider.auth)),
        answer(await request(app).patch(`/api/v1/${kind}/${target}`).set(outsider.auth).send(patch)),
        answer(await request(app).delete(`/api/v1/${kind}/${target}`).set(outsider.auth)),
      ];
      const real = await api(id);
      expect(real.map((a) => a.status), kind).toEqual([404, 404, 404]);
      expect(real, kind).toEqual(await api(unused));
      // The pages: edit form, delete confirmation, the form posts.
      for (const target of [id, unused]) {
        expect((await page.get(`/${kind}/${target}/edit`)).status, `${kind} edit form`).toBe(404);
        expect((await page.get(`/${kind}/${target}/delete`)).status, `${kind} delete confirmation`).toBe(404);
        expect((await page.post(`/${kind}/${target}`).type('form').send({ _csrf: token, ...patch })).status, `${kind} edit post`).toBe(404);
        expect((await page.post(`/${kind}/${target}/delete`).type('form').send({ _csrf: token })).status, `${kind} delete post`).toBe(404);
      }
    }
    // A draft need's workflow, clarification and pipeline are not there either.
    for (const target of [draftNeed.id, randomBytes(12).toString('hex')]) {
      expect((await request(app).post(`/api/v1/demands/${target}/status`).set(outsider.auth).send({ status: 'published' })).status).toBe(404);
      expect((await request(app).put(`/api/v1/demands/${target}/clarification`).set(outsider.auth).send({ indicator: '白度 ≥ 90' })).status).toBe(404);
      expect((await request(app).get(`/api/v1/demands/${target}/pipeline`).set(outsider.auth)).status).toBe(404);
      expect((await request(app).post(`/api/v1/demands/${target}/claim`).set(outsider.auth)).status).toBe(404);
    }

    // Nothing changed, and each record is still there for its own people.
    const kept = await request(app).get(`/api/v1/contracts/${contract.body.id}`).set(recorder.auth).expect(200);
    expect(kept.body.amount).toBe(120 * WAN);
    await request(app).get(`/api/v1/talents/${talent.body.id}`).set(recorder.auth).expect(200);
    await request(app).get(`/api/v1/demands/${draftNeed.id}`).set(buyer.auth).expect(200);
    await request(app).get(`/api/v1/results/${draftResult.id}`).set(seller.auth).expect(200);

    // Those who can see a record but not change it are told so: the buyer of a contract, the recorder once it
    // is verified, anyone with someone else's published need.
    expect((await request(app).get(`/api/v1/contracts/${contract.body.id}`).set(buyer.auth)).status).toBe(200);
    expect((await request(app).patch(`/api/v1/contracts/${contract.body.id}`).set(buyer.auth).send({ amount: 1 })).status).toBe(403);
    expect((await request(app).delete(`/api/v1/contracts/${contract.body.id}`).set(buyer.auth)).status).toBe(403);
    await request(app).post(`/api/v1/contracts/${contract.body.id}/verify`).set(organizer.auth).expect(200);
    expect((await request(app).patch(`/api/v1/contracts/${contract.body.id}`).set(recorder.auth).send({ amount: 1 })).status).toBe(403);
    const publishedNeed = await demandOf(buyer.actor);
    expect((await request(app).patch(`/api/v1/demands/${publishedNeed.id}`).set(outsider.auth).send({ title: '被别人改掉的需求名称' })).status).toBe(403);
  });

  it("12. when a stranger answers another enterprise's contact request, then it does not exist for them; the asking enterprise is told it may not answer", async () => {
    const result = await resultOf(seller.actor);
    const asked = await request(app).post('/api/v1/contact-requests').set(buyer.auth).send({ kind: 'result', id: result.id }).expect(201);
    const stranger = await owner('institution');
    const real = await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(stranger.auth).send({ accept: true });
    const unused = await request(app).post(`/api/v1/contact-requests/${randomBytes(12).toString('hex')}/answer`).set(stranger.auth).send({ accept: true });
    expect([real.status, real.body.detail]).toEqual([404, unused.body.detail]);
    expect(unused.status).toBe(404);
    expect((await request(app).post(`/api/v1/contact-requests/${asked.body.id}/answer`).set(buyer.auth).send({ accept: true })).status).toBe(403);
  });
});
