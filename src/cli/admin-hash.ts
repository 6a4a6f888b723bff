// `npm run -s admin-hash -- <password>` prints the scrypt hash to put in bus.yaml `admins[].passwordHash`.
import { hashPassword } from '../core/password-hash';

const password = process.argv[2];
if (!password) {
  process.stderr.write('usage: npm run -s admin-hash -- <password>\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${hashPassword(password)}\n`);
}
