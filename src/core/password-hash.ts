// scrypt password hashes for admin sign-in (`scrypt$N$r$p$saltBase64$hashBase64`), compared in constant time.
//
// Sign-in verifies on libuv's thread pool (crypto.scrypt), never on the event loop, and a few at a time: each check
// takes tens of milliseconds and 16 MiB, so a burst of sign-ins must neither stall health checks and intake nor fill
// the pool that file and DNS work share. Checks beyond the queue are refused at once.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
}

function parse(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  return { n, r, p, salt: Buffer.from(parts[4]!, 'base64'), expected: Buffer.from(parts[5]!, 'base64') };
}

function options(hash: ParsedHash) {
  return { N: hash.n, r: hash.r, p: hash.p, maxmem: 256 * hash.n * hash.r + 1024 * 1024 };
}

/** Synchronous check, for start-up (the production guard) and command-line tools only. */
export function verifyPassword(password: string, stored: string): boolean {
  const hash = parse(stored);
  if (!hash) return false;
  const actual = scryptSync(password.normalize('NFC'), hash.salt, hash.expected.length, options(hash));
  return actual.length === hash.expected.length && timingSafeEqual(actual, hash.expected);
}

function verifyOffLoop(password: string, stored: string): Promise<boolean> {
  const hash = parse(stored);
  if (!hash) return Promise.resolve(false);
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), hash.salt, hash.expected.length, options(hash), (error, actual) => {
      if (error) reject(error);
      else resolve(actual.length === hash.expected.length && timingSafeEqual(actual, hash.expected));
    }),
  );
}

export type Verification = { kind: 'verified'; valid: boolean } | { kind: 'busy' };

/** Verifies passwords off the event loop, at most `concurrent` at once and `queued` waiting; past that, busy. */
export class PasswordVerifier {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent = 2,
    private readonly queued = 16,
  ) {}

  async verify(password: string, stored: string): Promise<Verification> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) return { kind: 'busy' };
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return { kind: 'verified', valid: await verifyOffLoop(password, stored) };
    } finally {
      // The slot passes to the next waiter, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
