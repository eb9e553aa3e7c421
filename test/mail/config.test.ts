// SMTP_URL and MAIL_FROM (docs/mail.md): validated at boot like every variable, the password never echoed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/platform/config.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dongbao-mail-config-'));
const dir = () => tmp;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mail configuration', () => {
  it('when SMTP_URL and MAIL_FROM are unset, then mail is held and comes from noreply at the BASE_URL host', () => {
    const c = loadConfig({ DATA_DIR: dir(), BASE_URL: 'https://kj.dongbao.gov.cn' });
    expect(c.mail).toEqual({ smtpUrl: undefined, from: { name: '东宝科技对接平台', address: 'noreply@kj.dongbao.gov.cn' } });
  });

  it('when they are set, then smtp:// and smtps:// URLs and a Chinese sender name are taken', () => {
    const c = loadConfig({ DATA_DIR: dir(), SMTP_URL: 'smtps://user:p%40ss@smtp.example.cn:465', MAIL_FROM: '东宝科技对接 <noreply@example.cn>' });
    expect(c.mail).toEqual({ smtpUrl: 'smtps://user:p%40ss@smtp.example.cn:465', from: { name: '东宝科技对接', address: 'noreply@example.cn' } });
    expect(loadConfig({ DATA_DIR: dir(), SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'noreply@example.cn' }).mail.from).toEqual({ name: '', address: 'noreply@example.cn' });
  });

  it('when they are malformed, then boot refuses naming each variable and not the password', () => {
    for (const [SMTP_URL, MAIL_FROM] of [
      ['http://user:secret-pass@mail.example.cn', '东宝 <noreply@example.cn'],
      ['smtp://', 'noreply'],
      ['mail.example.cn:25', '东宝\r\nBcc: x@example.cn <noreply@example.cn>'],
    ] as const) {
      try {
        loadConfig({ DATA_DIR: dir(), SMTP_URL, MAIL_FROM });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        const msg = (err as Error).message;
        expect(msg).toContain('SMTP_URL');
        expect(msg).toContain('MAIL_FROM');
        expect(msg).not.toContain('secret-pass');
      }
    }
  });

  it('when production sends mail, then MAIL_FROM is required', () => {
    const env = { NODE_ENV: 'production', DATA_DIR: dir(), SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'https://kj.dongbao.gov.cn', SMTP_URL: 'smtp://smtp.example.cn:587' };
    expect(() => loadConfig(env)).toThrowError(/MAIL_FROM/);
    expect(loadConfig({ ...env, MAIL_FROM: '东宝科技对接 <noreply@dongbao.gov.cn>' }).mail.smtpUrl).toBe('smtp://smtp.example.cn:587');
  });
});
