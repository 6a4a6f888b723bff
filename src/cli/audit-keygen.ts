// Development only: writes an Ed25519 audit signing key pair (audit-signing.pem, audit-public.pem) into a directory.
import { generateDevKeyPair } from '../audit/checkpoint-signer';

const dir = process.argv[2] ?? 'data/audit-keys';
const { privateKeyFile, publicKeyFile } = generateDevKeyPair(dir);
console.log(`dev audit keys (not for production): private ${privateKeyFile}, public ${publicKeyFile}`);
