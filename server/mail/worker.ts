// Sends the outbox (model.ts) through SMTP, started by main.ts and stopped on shutdown like the search sync
// worker (platform/search/sync.ts). Several app instances may run one each:
//   - a mail is taken with a lease: a conditional single-document update (status and attempt count unchanged)
//     sets it `sending` until the lease ends, so two workers never send the same mail; a worker that dies
//     mid-send leaves a lease that runs out, and the mail is taken over;
//   - an SMTP failure puts it back with exponential back-off (1 min, 2, 4 … at most 6 h) and the answer in
//     `lastError`; a permanent refusal (5xx to the recipient or the message), or two days of failures, marks
//     it `failed`; success marks it `sent` with the server's answer and the Message-ID;
//   - without SMTP_URL nothing is sent: due mail is marked `held`, for organizers to read on /admin/mail.
// Each message gets a Message-ID derived from its outbox id, so in the one case a mail may go out twice (the
// server accepted it but the process died before recording that) the copies are the same message.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from '../platform/logger.ts';
import { clock } from '../platform/clock.ts';
import { trusted } from '../platform/db/connection.ts';
import { MailPreference, Outbox, type MailStatus, type OutboxDoc } from './model.ts';
import { MAIL_CATEGORIES, MAIL_KINDS, isMailKind } from './messages.ts';
import { outboxEvents, render, subjectOf, type MailSettings } from './service.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface MailWorkerOptions {
  /** back-off after the n-th failed attempt: min(baseMs · 2^(n−1), maxMs); `failed` once the mail is older than giveUpAfterMs */
  retry?: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  /** how long a taken mail belongs to this worker before another may take it over */
  leaseMs?: number;
  /** shortest and longest pause between polls when idle (grows with the poll's own cost) */
  pollMs?: { min: number; max: number };
  /** mails taken per poll */
  batch?: number;
  /** SMTP timeouts (connection, greeting, socket inactivity) */
  smtpTimeoutMs?: number;
  /** sent, failed, held and skipped mails older than this are deleted (FerretDB has no TTL indexes) */
  keepMs?: number;
}

export interface PassReport {
  sent: number;
  retried: number;
  failed: number;
  held: number;
  skipped: number;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;
interface Change {
  set: Record<string, unknown>;
  unset?: string[];
  /** a new attempt begins: the attempt count goes up by one */
  countAttempt?: boolean;
}

type SmtpError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

export class MailWorker {
  readonly id = randomUUID();
  private readonly transport: Transport | undefined;
  private readonly retry: { baseMs: number; maxMs: number; giveUpAfterMs: number };
  private readonly leaseMs: number;
  private readonly poll: { min: number; max: number };
  private readonly batch: number;
  private readonly keepMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassReport> | undefined;
  private again = false;
  private stopped = true;
  /** set by stop(): a pass in progress ends after the mail it is sending */
  private stopping = false;
  private nextPurgeAt = 0;
  private readonly nudge = () => this.schedule(20);
  lastError: string | undefined;

  constructor(
    private readonly settings: MailSettings,
    private readonly logger: Logger,
    opts: MailWorkerOptions = {},
  ) {
    this.retry = opts.retry ?? { baseMs: MINUTE, maxMs: 6 * HOUR, giveUpAfterMs: 48 * HOUR };
    this.leaseMs = opts.leaseMs ?? 10 * MINUTE;
    this.poll = opts.pollMs ?? { min: 5_000, max: 30_000 };
    this.batch = opts.batch ?? 20;
    this.keepMs = opts.keepMs ?? 90 * 24 * HOUR;
    const timeout = opts.smtpTimeoutMs ?? 30_000;
    this.transport = settings.smtpUrl
      ? nodemailer.createTransport({ url: settings.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: 2 * timeout })
      : undefined;
  }

  /** true when SMTP_URL is set */
  get delivering(): boolean {
    return !!this.transport;
  }

  start(): void {
    this.stopped = false;
    this.stopping = false;
    outboxEvents.on('queued', this.nudge);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    outboxEvents.off('queued', this.nudge);
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    this.transport?.close();
  }

  /** Runs one pass now (after the one in progress, if any) and reports what it did. */
  async runOnce(): Promise<PassReport> {
    await this.running?.catch(() => {});
    return this.run();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run().catch(() => {}), delay);
    this.timer.unref();
  }

  private run(): Promise<PassReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const started = performance.now();
    let busy = false;
    this.running = this.pass()
      .then((report) => {
        this.lastError = undefined;
        busy = report.sent + report.retried + report.failed + report.held + report.skipped >= this.batch;
        return report;
      })
      .catch((err: unknown) => {
        // The database is away: nothing was lost, try again later.
        this.lastError = (err as Error).message;
        this.logger.warn({ err }, 'mail worker pass failed; will retry');
        throw err;
      })
      .finally(() => {
        this.running = undefined;
        const cost = performance.now() - started;
        const idle = Math.max(this.poll.min, Math.min(this.poll.max, cost * 20));
        this.schedule(this.again || busy ? 0 : idle);
        this.again = false;
      });
    return this.running;
  }

  private async pass(): Promise<PassReport> {
    const report: PassReport = { sent: 0, retried: 0, failed: 0, held: 0, skipped: 0 };
    const now = clock.now();
    const due = await Outbox.find({ status: trusted({ $in: ['queued', 'sending'] as MailStatus[] }), dueAt: trusted({ $lte: now }) })
      .sort({ dueAt: 1, _id: 1 })
      .limit(this.batch)
      .lean<OutboxDoc[]>();
    for (const doc of due) {
      if (this.stopping) break;
      if (!this.transport) {
        if (await this.compareAndSet(doc, { set: { status: 'held', lastError: '未配置 SMTP_URL，邮件保留在发件箱中，未发送。' } })) report.held++;
        continue;
      }
      const claimed = await this.compareAndSet(doc, { set: { status: 'sending', dueAt: new Date(clock.ms() + this.leaseMs), leaseOwner: this.id }, countAttempt: true });
      if (!claimed) continue; // another worker took it
      report[await this.deliver(claimed)]++;
    }
    if (clock.ms() >= this.nextPurgeAt) {
      this.nextPurgeAt = clock.ms() + HOUR;
      await Outbox.deleteMany({ status: trusted({ $in: ['sent', 'failed', 'held', 'skipped'] as MailStatus[] }), updatedAt: trusted({ $lt: new Date(clock.ms() - this.keepMs) }) });
    }
    return report;
  }

  /**
   * Changes a mail only if it is still as `seen` (same status and attempt count): the lease. One conditional update
   * (on FerretDB read and written by `_id` under the process's write lock, server/platform/db/write-lock.ts).
   * Returns the mail as changed, or undefined.
   */
  private async compareAndSet(seen: OutboxDoc, change: Change): Promise<OutboxDoc | undefined> {
    const { set, unset = [], countAttempt = false } = change;
    const update = {
      $set: set,
      ...(unset.length ? { $unset: Object.fromEntries(unset.map((f) => [f, 1])) } : {}),
      ...(countAttempt ? { $inc: { attempts: 1 } } : {}),
    };
    const res = await Outbox.updateOne({ _id: seen._id, status: seen.status, attempts: seen.attempts }, update);
    return res.matchedCount === 1 ? ({ ...seen, ...set, attempts: seen.attempts + (countAttempt ? 1 : 0) } as OutboxDoc) : undefined;
  }

  private async deliver(doc: OutboxDoc): Promise<'sent' | 'retried' | 'failed' | 'skipped'> {
    const finish = async (set: Record<string, unknown>, unset: string[] = ['leaseOwner']) => {
      // Only while the lease is ours (same status and attempt count as when taken).
      if (!(await this.compareAndSet(doc, { set, unset }))) this.logger.warn({ mail: String(doc._id) }, 'mail lease lost before the result was recorded');
    };
    if (!isMailKind(doc.kind)) {
      await finish({ status: 'failed', failedAt: clock.now(), lastError: `未知的邮件类型 ${doc.kind}` });
      return 'failed';
    }
    const category = MAIL_KINDS[doc.kind].category;
    if (MAIL_CATEGORIES[category].optional) {
      // Turned off after the mail was queued.
      const pref = await MailPreference.findById(subjectOf(doc.userId, doc.to)).lean();
      if (pref?.off?.includes(category)) {
        await finish({ status: 'skipped', lastError: '收件人已退订此类邮件。' });
        return 'skipped';
      }
    }
    let message;
    try {
      message = render(this.settings, doc);
    } catch (err) {
      await finish({ status: 'failed', failedAt: clock.now(), lastError: `无法生成邮件：${(err as Error).message}` });
      return 'failed';
    }
    const domain = this.settings.from.address.split('@')[1] ?? 'localhost';
    try {
      const info = await this.transport!.sendMail({
        from: { name: this.settings.from.name, address: this.settings.from.address },
        to: doc.toName ? { name: doc.toName, address: doc.to } : doc.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${String(doc._id)}@${domain}>`,
        ...(message.unsubscribeUrl
          ? { list: { unsubscribe: { url: message.unsubscribeUrl, comment: '退订' } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
          : {}),
      });
      await finish({ status: 'sent', sentAt: clock.now(), response: String(info.response ?? ''), messageId: info.messageId }, ['leaseOwner', 'lastError']);
      this.logger.info({ mail: String(doc._id), kind: doc.kind }, 'mail sent');
      return 'sent';
    } catch (err) {
      const e = err as SmtpError;
      const answer = (e.response ?? e.message ?? String(err)).slice(0, 500);
      const permanent = (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && !!e.responseCode && e.responseCode >= 500;
      const age = clock.ms() - doc.createdAt.getTime();
      if (permanent || age >= this.retry.giveUpAfterMs) {
        await finish({ status: 'failed', failedAt: clock.now(), lastError: answer });
        this.logger.warn({ mail: String(doc._id), kind: doc.kind, attempts: doc.attempts, answer }, 'mail failed; giving up');
        return 'failed';
      }
      const delay = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.max(0, doc.attempts - 1));
      await finish({ status: 'queued', dueAt: new Date(clock.ms() + delay), lastError: answer });
      this.logger.warn({ mail: String(doc._id), kind: doc.kind, attempts: doc.attempts, retryInMs: delay, answer }, 'mail not sent; will retry');
      return 'retried';
    }
  }
}
