import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrf, PASSWORD, uniqueEmail, makeUser, loginAgent } from '../support/agent.ts';
import { User, Credential } from '../../server/accounts/model.ts';
import { commonPasswordCount } from '../../server/accounts/passwords.ts';

const { app } = buildTestApp();

async function registerForm(fields: Record<string, string>) {
  const agent = request.agent(app);
  const token = await csrf(agent, '/register');
  const res = await agent.post('/register').type('form').send({ _csrf: token, ...fields });
  return { agent, res };
}

describe('registration', () => {
  it('when an enterprise registers, then it is active, logged in and lands on its account page', async () => {
    const email = uniqueEmail('ent');
    const { agent, res } = await registerForm({ role: 'enterprise', name: '荆门市东宝区测试磷化有限公司', email, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
    const page = await agent.get('/account').expect(200);
    expect(page.text).toContain('荆门市东宝区测试磷化有限公司');
    expect(page.text).toContain('注册成功');
    expect((await User.findOne({ emailLower: email }).lean())?.status).toBe('active');
  });

  it.each(['institution', 'broker'])('when a %s registers, then the account waits for approval and cannot act', async (role) => {
    const email = uniqueEmail(role);
    const { agent, res } = await registerForm({ role, name: '待审核单位', email, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(res.status).toBe(303);
    const page = await agent.get('/account').expect(200);
    expect(page.text).toContain('待区科技局审核');
    expect((await User.findOne({ emailLower: email }).lean())?.status).toBe('pending');
  });

  it('when fields are wrong, then the form comes back with a message next to each field and nothing is written', async () => {
    const before = await User.countDocuments();
    const { res } = await registerForm({ role: '', name: 'x', email: 'not-an-email', password: 'short', passwordConfirm: 'other' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="e-role"[^>]*>请选择账户类型/);
    expect(res.text).toMatch(/id="e-name"[^>]*>名称至少 2 个字/);
    expect(res.text).toMatch(/id="e-email"[^>]*>邮箱格式不正确/);
    expect(res.text).toMatch(/id="e-password"[^>]*>密码至少需要 12 个字符/);
    expect(res.text).toMatch(/id="e-passwordConfirm"[^>]*>两次输入的密码不一致/);
    expect(res.text).toContain('value="not-an-email"'); // what the user typed stays
    expect(res.text).not.toContain('value="short"'); // passwords are never echoed
    expect(await User.countDocuments()).toBe(before);
  });

  it('when the password is on the common-password list, then it is refused', async () => {
    expect(commonPasswordCount).toBeGreaterThanOrEqual(10_000);
    for (const common of ['password1234', '1qaz2wsx3edc', 'iloveyou1314', 'qwertyuiop123', 'PASSWORD1234']) {
      const { res } = await registerForm({ role: 'expert', name: '张三', email: uniqueEmail(), password: common, passwordConfirm: common });
      expect(res.status, common).toBe(400);
      expect(res.text).toContain('这个密码太常见');
    }
  });

  it('when the password is 128 characters it is accepted, and 129 is refused', async () => {
    const ok = '磷石膏净化'.repeat(26).slice(0, 128); // four different characters at least (passwords.ts)
    const r1 = await registerForm({ role: 'expert', name: '李四', email: uniqueEmail(), password: ok, passwordConfirm: ok });
    expect(r1.res.status).toBe(303);
    const tooLong = `${ok}磷`;
    const r2 = await registerForm({ role: 'expert', name: '王五', email: uniqueEmail(), password: tooLong, passwordConfirm: tooLong });
    expect(r2.res.status).toBe(400);
    expect(r2.res.text).toContain('不能超过 128 个字符');
  });

  it('when the email is taken (in any letter case), then the form says so', async () => {
    const user = await makeUser('enterprise');
    const { res } = await registerForm({ role: 'enterprise', name: '重复注册', email: user.email.toUpperCase(), password: PASSWORD, passwordConfirm: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.text).toContain('该邮箱已注册');
  });

  it('when someone posts role=organizer, status, verified or owner, then no privilege is gained', async () => {
    const email = uniqueEmail('sneaky');
    const r1 = await registerForm({ role: 'organizer', name: '冒充管理员', email, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(r1.res.status).toBe(400);
    expect(await User.exists({ emailLower: email })).toBeNull();

    const email2 = uniqueEmail('sneaky');
    const r2 = await registerForm({
      role: 'broker',
      name: '自行审核',
      email: email2,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      status: 'active',
      verified: 'true',
      owner: 'someone',
      sessionEpoch: '99',
      totpEnabled: 'true',
    });
    expect(r2.res.status).toBe(303);
    const doc = await User.findOne({ emailLower: email2 }).lean();
    expect(doc).toMatchObject({ role: 'broker', status: 'pending', sessionEpoch: 0, totpEnabled: false });
  });

  it('when two users choose one password, then both hashes are argon2id with the required cost and differ', async () => {
    const a = await makeUser('expert');
    const b = await makeUser('expert');
    const [ca, cb] = await Promise.all([Credential.findById(a.id).lean(), Credential.findById(b.id).lean()]);
    for (const hash of [ca!.passwordHash, cb!.passwordHash]) {
      expect(hash).toMatch(/^\$argon2id\$v=19\$/);
      const m = /m=(\d+)/.exec(hash)![1];
      const t = /t=(\d+)/.exec(hash)![1];
      expect(/p=(\d+)/.exec(hash)![1]).toBe('1');
      expect(Number(m)).toBeGreaterThanOrEqual(19456);
      expect(Number(t)).toBeGreaterThanOrEqual(2);
    }
    expect(ca!.passwordHash).not.toBe(cb!.passwordHash);
    // and no hash ever sits on the user document
    expect(JSON.stringify(await User.findById(a.id).lean())).not.toContain('argon2');
  });

  it('when a name carries markup, then every page shows it escaped', async () => {
    const evil = '<script>alert(1)</script>" onmouseover="alert(2)';
    const { agent } = await registerForm({ role: 'enterprise', name: evil, email: uniqueEmail('xss'), password: PASSWORD, passwordConfirm: PASSWORD });
    const page = await agent.get('/account').expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).not.toContain('" onmouseover="');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover&#x3D;&quot;alert(2)');
    const organizer = await makeUser('organizer');
    const admin = await loginAgent(app, organizer.email);
    const list = await admin.get('/admin/users').expect(200);
    expect(list.text).not.toContain('<script>alert(1)</script>');
    expect(list.text).toContain('&lt;script&gt;');
  });
});
