// Personal-data protection at rest: masks or AES-256-GCM-encrypts configured fields (CCCD, names, birth dates) before a record is hashed and stored.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../core/envelope';
import { rebuildJson } from '../core/json-walk';
import { AuditError } from './errors';

export type PersonalDataMode = 'mask' | 'encrypt' | 'clear';

export interface PersonalDataConfig {
  mode: PersonalDataMode;
  /** Object keys holding personal data, matched case-insensitively at any depth; a trailing `*` matches a prefix (`NgaySinh*`). */
  fields: string[];
  /** 32-byte AES-256 key; required for `encrypt`. */
  encryptionKey?: Buffer;
}

/** Keys the bus's own payloads use for citizen data (dossier intake, population check). */
export const DEFAULT_PERSONAL_FIELDS = [
  'SoDinhDanh',
  'SoCMND',
  'CCCD',
  'soDinhDanh',
  'ChuHoSo',
  'HoVaTen',
  'HoTen',
  'TenNguoiNop',
  'NguoiNop',
  'NgaySinh*',
  'DiaChi*',
  'SoDienThoai',
  'Email',
];

export const MASK = '***';
const ENCRYPTED_PREFIX = 'enc:v1:';

export class PersonalDataProtector {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly keyId: string | null;

  constructor(private readonly config: PersonalDataConfig) {
    for (const field of config.fields) {
      const lower = field.toLowerCase();
      if (lower.endsWith('*')) this.prefixes.push(lower.slice(0, -1));
      else this.exact.add(lower);
    }
    if (config.mode === 'encrypt') {
      if (!config.encryptionKey || config.encryptionKey.length !== 32) {
        throw new AuditError('personal-data mode encrypt needs a 32-byte AES-256 key', 'AUDIT_CONFIG');
      }
      this.keyId = createHash('sha256').update(config.encryptionKey).digest('hex').slice(0, 8);
    } else {
      this.keyId = null;
    }
  }

  isPersonal(key: string): boolean {
    const lower = key.toLowerCase();
    return this.exact.has(lower) || this.prefixes.some((p) => lower.startsWith(p));
  }

  /**
   * The value with every personal field (and everything under it) replaced by its protected form, at any depth (no
   * recursion). Parts without personal data may be shared with the input, not copied.
   */
  protect(value: JsonValue): JsonValue {
    if (this.config.mode === 'clear') return value;
    return rebuildJson(value, { string: (text) => text, property: (key, child) => this.protectedProperty(key, child as JsonValue) }) as JsonValue;
  }

  /** The canonical JSON of the value as `protect` gives it, written in one walk without the protected copy. */
  canonicalJson(value: JsonValue): string {
    return this.config.mode === 'clear' ? canonicalJson(value) : canonicalJson(value, this.protectedProperty);
  }

  /** A personal field's protected form in place of its value; undefined for any other property (kept, walked into). */
  private readonly protectedProperty = (key: string, value: JsonValue | undefined): JsonValue | undefined =>
    this.isPersonal(key) && value !== undefined ? this.protectField(key, value) : undefined;

  private protectField(key: string, value: JsonValue): JsonValue {
    if (value === null) return null;
    if (this.config.mode === 'mask') return MASK;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.config.encryptionKey as Buffer, iv);
    cipher.setAAD(Buffer.from(key.toLowerCase(), 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(canonicalJson(value), 'utf8'), cipher.final()]);
    return `${ENCRYPTED_PREFIX}${this.keyId}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
  }
}

/** Reverses `encrypt` for one field value (an operator with the key, e.g. answering a court request). */
export function decryptField(key: string, stored: string, encryptionKey: Buffer): JsonValue {
  if (!stored.startsWith(ENCRYPTED_PREFIX)) throw new AuditError('value is not an encrypted audit field', 'AUDIT_INVALID_EVENT');
  const [, iv, tag, ciphertext] = stored.slice(ENCRYPTED_PREFIX.length).split(':');
  if (iv === undefined || tag === undefined || ciphertext === undefined) throw new AuditError('malformed encrypted audit field', 'AUDIT_INVALID_EVENT');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(key.toLowerCase(), 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  const clear = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  return JSON.parse(clear) as JsonValue;
}
