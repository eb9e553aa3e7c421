// Entry points of the seeds: the demo data set (idempotent) and benchmark scale data.
import { User } from '../server/accounts/model.ts';
import { Enterprise } from '../server/organizations/model.ts';
import { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, type SeedSummary } from './demo.ts';
import { seedScale, seedScaleLedger } from './scale.ts';

export { seedDemo, seedScale, seedScaleLedger, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET };
export type { SeedSummary };

/** A database with no users and no enterprises: a first start, which `npm start` fills with the demo data. */
export async function isEmpty(): Promise<boolean> {
  return !(await User.exists({})) && !(await Enterprise.exists({}));
}

export function describeSummary(summary: SeedSummary): string {
  const counts = Object.entries(summary.created)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const accounts = summary.accounts
    .map((a) => `  ${a.role.padEnd(12)} ${a.email.padEnd(26)} ${a.password}${a.totpSecret ? `  two-step login (TOTP) secret ${a.totpSecret}` : ''}`)
    .join('\n');
  return `Demo data: created ${counts}.\nDemo accounts (demo only — change or disable them on a real deployment; add the TOTP secret to an authenticator app):\n${accounts}`;
}
