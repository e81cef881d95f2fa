// TOTP codes: aidant cards (6 digits, 60 s for physical cards, 30 s for apps, seeds stored as hex) and the
// ANCT back-office (30 s, base32 secrets).
import { generateSync, verifySync } from 'otplib';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function hexToBase32(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += BASE32[(value << (5 - bits)) & 31];
  return output;
}

export function currentCode(seedHex: string, periodSeconds: number, at: Date = new Date()): string {
  return generateSync({ secret: hexToBase32(seedHex), period: periodSeconds, digits: 6, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * Checks a 6-digit code within `toleranceSteps` periods either side (one unless told); returns the matched
 * time step so that callers refuse a code already used (services/login-guard.ts, services/card-codes.ts).
 */
export function verifyTotp(secretBase32: string, periodSeconds: number, token: string, at: Date = new Date(), toleranceSteps = 1): { valid: boolean; step?: number } {
  if (!/^\d{6}$/.test(token)) return { valid: false };
  const result = verifySync({
    secret: secretBase32, token, period: periodSeconds, epochTolerance: periodSeconds * toleranceSteps, epoch: Math.floor(at.getTime() / 1000),
  });
  return result.valid ? { valid: true, step: (result as { timeStep?: number }).timeStep } : { valid: false };
}

/** The same for a card's seed, stored as hex. */
export function verifyCode(seedHex: string, periodSeconds: number, token: string, at: Date = new Date(), toleranceSteps = 1): { valid: boolean; step?: number } {
  return verifyTotp(hexToBase32(seedHex), periodSeconds, token, at, toleranceSteps);
}
