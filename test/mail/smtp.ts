// A real SMTP server on the loopback for the mail tests (smtp-server from npm): it requires the user and password of
// its URL, refuses recipients at refused.example.cn with a permanent 550, and keeps every message it accepted,
// parsed with mailparser, beside the envelope the client gave.
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
  raw: string;
}

export const SMTP_USER = 'dongbao';
export const SMTP_PASS = 'smtp-测试-pass';

export class TestSmtp {
  readonly received: Received[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  /** smtp://user:pass@127.0.0.1:port */
  get url(): string {
    return `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: any free one; the port is kept, so a restart listens where it did). */
  async start(port = this.port): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASS) return callback(null, { user: auth.username });
        callback(new Error('535 认证失败'));
      },
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        if (address.address.endsWith('@refused.example.cn')) {
          const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail) => {
              const from = session.envelope.mailFrom;
              this.received.push({ envelope: { from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address) }, mail, raw: raw.toString('utf8') });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): Received[] {
    return this.received.filter((r) => r.envelope.to.includes(address));
  }
}
