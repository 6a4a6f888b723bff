// Ed25519 signing and checking of checkpoints and seals; key loading from a PEM file or environment; a dev key generator.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkpointSigningBytes, sealSigningBytes } from './canonical';
import { AuditError } from './errors';
import type { CheckpointBody, SealBody, SignedCheckpoint, SignedSeal } from './types';
import { writePrivateFile } from '../stores/private-files';

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** First 16 hex of SHA-256 over the public key's SPKI DER: names the key in checkpoints and bundles. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditError('the audit signing key must be an Ed25519 private key', 'AUDIT_CONFIG');
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  static fromPem(pem: string): CheckpointSigner {
    try {
      return new CheckpointSigner(createPrivateKey(pem));
    } catch (error) {
      if (error instanceof AuditError) throw error;
      throw new AuditError('the audit signing key is not a readable PEM private key', 'AUDIT_CONFIG', { cause: error });
    }
  }

  static fromFile(file: string): CheckpointSigner {
    return CheckpointSigner.fromPem(readFileSync(file, 'utf8'));
  }

  sign(body: CheckpointBody): SignedCheckpoint {
    const signature = sign(null, checkpointSigningBytes(body), this.privateKey).toString('base64');
    return { chainId: body.chainId, seq: body.seq, headHash: body.headHash, at: body.at, keyId: this.keyId, signature };
  }

  signSeal(body: SealBody): SignedSeal {
    const signature = sign(null, sealSigningBytes(body), this.privateKey).toString('base64');
    return { ...body, keyId: this.keyId, signature };
  }
}

export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new AuditError('the audit public key is not a readable PEM key', 'AUDIT_CONFIG', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditError('the audit public key must be an Ed25519 key', 'AUDIT_CONFIG');
  return key;
}

export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  return signatureValid(checkpointSigningBytes(checkpoint), checkpoint.signature, publicKey);
}

export function sealSignatureValid(seal: SignedSeal, publicKey: KeyObject): boolean {
  return signatureValid(sealSigningBytes(seal), seal.signature, publicKey);
}

function signatureValid(bytes: Buffer, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, bytes, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Writes a new Ed25519 key pair, both files owner-only (0600, directories created 0700): they go into the data
 * directory, where everything is; the public key is copied out for verifiers.
 */
/** `firstLine` (a comment PEM readers skip) marks the private key, e.g. as generated for development. */
export function writeSigningKeyPair(privateKeyFile: string, publicKeyFile: string, firstLine?: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writePrivateFile(privateKeyFile, firstLine === undefined ? pem : `${firstLine}\n${pem}`);
  writePrivateFile(publicKeyFile, publicKeyPem(publicKey));
}

/** For development and the demo only: writes audit-signing.pem and audit-public.pem into `dir`. */
export function generateDevKeyPair(dir: string): { privateKeyFile: string; publicKeyFile: string } {
  const privateKeyFile = path.join(dir, 'audit-signing.pem');
  const publicKeyFile = path.join(dir, 'audit-public.pem');
  writeSigningKeyPair(privateKeyFile, publicKeyFile);
  return { privateKeyFile, publicKeyFile };
}
