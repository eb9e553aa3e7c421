// The one typed configuration object, read from the environment and validated once at boot.
// A bad value stops the process with a message naming the variable (see loadConfig).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

// Express "trust proxy": a boolean, a hop count, or a comma-separated list of addresses/subnets.
const trustProxy = z.string().transform((v, ctx): boolean | number | string => {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  if (/^[\w.:/,\s-]+$/.test(v)) return v;
  ctx.addIssue({ code: 'custom', message: 'expected true, false, a hop count or a list of addresses' });
  return z.NEVER;
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'expected a mongodb:// or mongodb+srv:// URI')
    .optional(),
  FERRETDB_BIN: z.string().min(1).optional(),
  MEILI_HOST: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  MEILI_API_KEY: z.string().min(1).optional(),
  MEILI_INDEX_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('dongbao'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: trustProxy.default(false),
  BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  SEED_ON_EMPTY: bool.default(true),
  /** re-read templates on every render (npm run dev sets it); off, compiled templates are kept */
  RELOAD_VIEWS: bool.default(false),
  // Run as if it were this instant (demos, and the tests' child processes, which share the test run's clock;
  // docs/design.md "Time"). Refused in production.
  CLOCK_AT: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 instant, e.g. 2026-12-05T10:00:00+08:00' }).optional(),
  // Outgoing mail (docs/mail.md). Unset: mail stays in the outbox, readable on /admin/mail.
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, hostname: /^[A-Za-z0-9.:[\]-]+$/, error: 'expected smtp://user:pass@host:587 or smtps://…' })
    .optional(),
  MAIL_FROM: z
    .string()
    .max(200)
    .transform((v, ctx) => {
      const from = parseMailbox(v);
      if (from) return from;
      ctx.addIssue({ code: 'custom', message: 'expected an address, or a name and an address: 东宝科技对接 <noreply@example.cn>' });
      return z.NEVER;
    })
    .optional(),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  /** run as if it were this instant (CLOCK_AT), the clock then running forward at the real pace */
  clockAt: Date | undefined;
  ferretdbBin: string | undefined;
  meili: { host: string; apiKey: string | undefined; indexPrefix: string } | undefined;
  sessionSecret: string;
  logLevel: string;
  trustProxy: boolean | number | string;
  baseUrl: string;
  seedOnEmpty: boolean;
  /** templates are read again on every render (development: edits show without a restart) */
  reloadViews: boolean;
  /** Cookies get the Secure flag when the public address is HTTPS. */
  secureCookies: boolean;
  /** outgoing mail: no smtpUrl → mail is kept in the outbox (status held) and shown on /admin/mail */
  mail: { smtpUrl: string | undefined; from: { name: string; address: string } };
}

/** `Name <address>` or a bare address; undefined for anything else (line breaks included). */
export function parseMailbox(value: string): { name: string; address: string } | undefined {
  const address = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
  const v = value.trim();
  if (/[\r\n\0]/.test(v)) return undefined;
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(v);
  if (named) {
    const name = named[1]!.replace(/^"(.*)"$/, '$1').trim();
    return address.test(named[2]!) && !/[<>"]/.test(name) ? { name, address: named[2]! } : undefined;
  }
  return address.test(v) ? { name: '', address: v } : undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; throws ConfigError naming every bad variable. Empty strings count as unset. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim();
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production') {
    if (!e.SESSION_SECRET) problems.push('  SESSION_SECRET: required in production (at least 32 characters)');
    if (!e.BASE_URL) problems.push('  BASE_URL: required in production (the public https:// address)');
    if (e.CLOCK_AT) problems.push('  CLOCK_AT: not allowed in production (the server must run on the real clock)');
  }
  if (e.MEILI_API_KEY && !e.MEILI_HOST) problems.push('  MEILI_API_KEY: set, but MEILI_HOST is not');
  if (e.NODE_ENV === 'production' && e.SMTP_URL && !e.MAIL_FROM) problems.push('  MAIL_FROM: required in production when SMTP_URL is set');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    mongodbUri: e.MONGODB_URI,
    clockAt: e.CLOCK_AT ? new Date(e.CLOCK_AT) : undefined,
    ferretdbBin: e.FERRETDB_BIN,
    meili: e.MEILI_HOST ? { host: e.MEILI_HOST, apiKey: e.MEILI_API_KEY, indexPrefix: e.MEILI_INDEX_PREFIX } : undefined,
    sessionSecret: e.SESSION_SECRET ?? persistedSecret(dataDir),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    baseUrl,
    seedOnEmpty: e.SEED_ON_EMPTY,
    reloadViews: e.RELOAD_VIEWS,
    secureCookies: baseUrl.startsWith('https://'),
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? { name: '东宝科技对接平台', address: `noreply@${new URL(baseUrl).hostname}` } },
  };
}

/** Outside production a missing SESSION_SECRET is generated once and kept, so sessions survive restarts. */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
