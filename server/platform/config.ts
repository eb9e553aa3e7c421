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
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  ferretdbBin: string | undefined;
  meili: { host: string; apiKey: string | undefined; indexPrefix: string } | undefined;
  sessionSecret: string;
  logLevel: string;
  trustProxy: boolean | number | string;
  baseUrl: string;
  seedOnEmpty: boolean;
  /** Cookies get the Secure flag when the public address is HTTPS. */
  secureCookies: boolean;
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
  }
  if (e.MEILI_API_KEY && !e.MEILI_HOST) problems.push('  MEILI_API_KEY: set, but MEILI_HOST is not');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  const dataDir = path.resolve(e.DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    mongodbUri: e.MONGODB_URI,
    ferretdbBin: e.FERRETDB_BIN,
    meili: e.MEILI_HOST ? { host: e.MEILI_HOST, apiKey: e.MEILI_API_KEY, indexPrefix: e.MEILI_INDEX_PREFIX } : undefined,
    sessionSecret: e.SESSION_SECRET ?? persistedSecret(dataDir),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    baseUrl,
    seedOnEmpty: e.SEED_ON_EMPTY,
    secureCookies: baseUrl.startsWith('https://'),
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
