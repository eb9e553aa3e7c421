// Login throttling per account (docs/security.md 4). Per-IP limiting is the express-rate-limit middleware in
// routes; this adds, in the database so it holds across instances and restarts:
//   - per account and address: after 5 failures, each further attempt waits 2^(n-5) s (at most 15 min);
//   - per account: at most 100 processed failures an hour. Past that, attempts are refused unprocessed —
//     except from a device this account has logged in from before (a signed cookie), so an attacker can
//     slow a victim down but cannot lock them out.
import { TooMany } from '../platform/errors.ts';
import { hit, peek, reset } from '../platform/http/rate-limit-store.ts';
import { clock } from '../platform/clock.ts';

const HOUR = 3_600_000;
export const ACCOUNT_FAILURES_PER_HOUR = 100;
const FREE_FAILURES = 5;
const MAX_DELAY_S = 15 * 60;

const accountKey = (email: string) => `login:acct:${email}`;
const pairKey = (email: string, ip: string) => `login:pair:${email}:${ip}`;

export function delayAfter(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(2 ** (failures - FREE_FAILURES), MAX_DELAY_S);
}

/** Throws TooMany when this attempt must not be processed. */
export async function checkAttempt(email: string, ip: string, trustedDevice: boolean): Promise<void> {
  const [account, pair] = await Promise.all([peek(accountKey(email)), peek(pairKey(email, ip))]);
  const now = clock.ms();
  if (account && account.hits >= ACCOUNT_FAILURES_PER_HOUR && !trustedDevice) {
    throw new TooMany(Math.ceil((account.resetAt.getTime() - now) / 1000), '该账户近期登录失败次数过多，请稍后再试，或在常用设备上登录。');
  }
  if (pair) {
    const wait = delayAfter(pair.hits);
    const lastAt = pair.resetAt.getTime() - HOUR; // the pair window restarts at every failure (see recordFailure)
    const allowedAt = lastAt + wait * 1000;
    if (wait > 0 && now < allowedAt) {
      throw new TooMany(Math.ceil((allowedAt - now) / 1000), `登录失败次数较多，请 ${Math.ceil((allowedAt - now) / 1000)} 秒后再试。`);
    }
  }
}

export async function recordFailure(email: string, ip: string): Promise<void> {
  await hit(accountKey(email), HOUR);
  // A sliding window for the pair: it ends an hour after the last failure, which also dates that failure.
  const pair = await peek(pairKey(email, ip));
  await reset(pairKey(email, ip));
  await hit(pairKey(email, ip), HOUR, (pair?.hits ?? 0) + 1);
}

export async function recordSuccess(email: string, ip: string): Promise<void> {
  await reset(pairKey(email, ip));
}
