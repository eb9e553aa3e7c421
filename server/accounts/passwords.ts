// Password policy and hashing (docs/security.md 1–2): 12–128 characters, not only whitespace, at least 4 different
// characters, not containing the e-mail's local part (3 characters or more), not on the common-password list
// shipped in data/ (zxcvbn's 30,000 most frequent passwords plus common Chinese ones), argon2id m=19456 KiB t=2 p=1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { sourceDir } from '../platform/paths.ts';

export const MIN_LENGTH = 12;
export const MAX_LENGTH = 128;
/** Fewer different characters than this ("aaaaaaaaaaaa", "abababababab") is refused. */
export const MIN_DISTINCT = 4;
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const commonPasswords = new Set(
  readFileSync(path.join(sourceDir(import.meta.dirname), 'data', 'common-passwords.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean),
);
export const commonPasswordCount = commonPasswords.size;

/** A Chinese message naming what is wrong with a new password, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string | undefined } = {}): string | undefined {
  const length = Array.from(password).length;
  if (length < MIN_LENGTH) return `密码至少需要 ${MIN_LENGTH} 个字符。`;
  if (length > MAX_LENGTH) return `密码不能超过 ${MAX_LENGTH} 个字符。`;
  if (password.trim() === '') return '密码不能只由空格组成。';
  if (new Set(Array.from(password)).size < MIN_DISTINCT) return `密码至少要包含 ${MIN_DISTINCT} 种不同的字符，像“aaaaaaaaaaaa”这样重复的密码很容易被猜到。`;
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return '这个密码太常见，很容易被猜到，请换一个。';
  const local = context.email?.split('@')[0]?.trim().toLowerCase();
  if (local && Array.from(local).length >= 3 && lower.includes(local)) return '密码不能包含邮箱 @ 前面的用户名，这很容易被猜到。';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the account does not exist keeps the response time the same either way.
let dummyHash: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword('dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}
