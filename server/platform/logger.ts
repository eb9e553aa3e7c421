// The process logger. Secrets never reach a log line: credentials, cookies, tokens and contact fields are
// redacted by path, wherever they appear in a logged object.
import { pino, type Logger } from 'pino';

export const redactPaths = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'secret',
  'totp',
  'phone',
  'contact.phone',
  'contact.email',
  'contact.wechat',
  '*.password',
  '*.token',
  '*.phone',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** JSON lines to stdout, or to stderr for the CLI (whose stdout carries command output). */
export function createLogger(level: string, opts: { stderr?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const destination = opts.destination ?? (opts.stderr ? pino.destination(2) : undefined);
  return pino(
    {
      level,
      base: { app: 'techbridge-dongbao' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
