// Mail for a test file as the app sends it with SMTP_URL set: a real SMTP server on the loopback (test/mail/smtp.ts),
// started and stopped with the file, and `deliver()`, one pass of a real mail worker against it. Also a logger
// whose output the test can read (to prove that tokens never reach a log line).
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../server/platform/config.ts';
import { createLogger, type Logger } from '../../server/platform/logger.ts';
import { mailSettings } from '../../server/mail/service.ts';
import { MailWorker } from '../../server/mail/worker.ts';
import { TestSmtp } from '../mail/smtp.ts';
import type { TestApp } from './app.ts';

export function useMailDelivery(t: TestApp, baseUrl: string, opts: { batch?: number } = {}): { smtp: TestSmtp; deliver: () => Promise<void> } {
  const smtp = new TestSmtp();
  const workers: MailWorker[] = [];
  beforeAll(() => smtp.start());
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await smtp.stop();
  });
  async function deliver(): Promise<void> {
    const env = { NODE_ENV: 'test', DATA_DIR: t.config.dataDir, SESSION_SECRET: t.config.sessionSecret, BASE_URL: baseUrl, SMTP_URL: smtp.url, MAIL_FROM: '东宝科技对接 <noreply@kj.dongbao.test>' };
    const w = new MailWorker(mailSettings(loadConfig(env)), t.logger, opts.batch ? { batch: opts.batch } : undefined);
    workers.push(w);
    await w.runOnce();
  }
  return { smtp, deliver };
}

/** An info-level logger and everything it wrote so far. */
export function capturedLog(): { logger: Logger; text: () => string } {
  let captured = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      captured += chunk.toString();
      done();
    },
  });
  return { logger: createLogger('info', { destination: sink }), text: () => captured };
}
