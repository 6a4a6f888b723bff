// `npm run token -- <clientId>` mints a development token for a configured client; `--list` prints the client ids.
import { mintToken } from '../http/auth/auth';
import { ConfigError } from '../config/load-config';
import { loadBusConfig } from '../bus-config';

function main(argv: string[]): number {
  const config = loadBusConfig({ checkSecrets: false });
  const arg = argv[0];
  if (!arg || arg === '--help') {
    process.stderr.write('usage: npm run token -- <clientId> | --list\n');
    return 2;
  }
  if (arg === '--list') {
    for (const client of config.clients) process.stdout.write(`${client.id}\n`);
    return 0;
  }
  if (!config.clients.some((c) => c.id === arg)) {
    process.stderr.write(`no client "${arg}" in config; known: ${config.clients.map((c) => c.id).join(', ')}\n`);
    return 2;
  }
  if (config.clients.some((c) => c.id === arg && c.keys.length > 0)) {
    process.stderr.write(`client "${arg}" signs its own tokens (clients[].keys, with a kid); the bus refuses the shared key for it\n`);
    return 2;
  }
  process.stdout.write(`${mintToken(config, arg)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
