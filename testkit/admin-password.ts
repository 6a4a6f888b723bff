// A bus.yaml `admins[].passwordHash` for tests: scrypt in the format 'scrypt$N$r$p$saltB64$hashB64', made with node:crypto.
import { randomBytes, scryptSync } from 'node:crypto';

export function scryptPasswordHash(password: string, { N = 16384, r = 8, p = 1, keyLength = 32 } = {}): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
