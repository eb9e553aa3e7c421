// TOTP second factor for organizers (docs/security.md 5): RFC 6238 codes via otplib, a QR code at enrolment,
// and no replay of an accepted code within its time step.
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { clock } from '../platform/clock.ts';

export const ISSUER = '东宝科技对接平台';

export function newSecret(): string {
  return generateSecret();
}

export async function enrolment(secret: string, label: string): Promise<{ uri: string; qr: string }> {
  const uri = generateURI({ issuer: ISSUER, label, secret });
  const qr = await QRCode.toDataURL(uri, { margin: 1, width: 220 });
  return { uri, qr };
}

/** The accepted time step, or undefined. One step of clock drift either way is tolerated; a step at or
 *  before `lastStep` (an already used code) is refused. */
export async function check(secret: string, code: string, lastStep?: number | null): Promise<number | undefined> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(clock.ms() / 1000),
    epochTolerance: 30,
    ...(lastStep != null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
