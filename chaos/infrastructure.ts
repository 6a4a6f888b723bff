// The machine's RabbitMQ and PostgreSQL, driven from outside the bus: cut connections, stop and start them, and put
// them back up whatever happened (a chaos run must never leave the machine without its broker or database).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', args, { timeout: 120_000 });
}

export async function closeAllBrokerConnections(reason: string): Promise<void> {
  await rabbitmqctl('close_all_connections', reason);
}

export async function stopRabbitMq(): Promise<void> {
  await rabbitmqctl('stop_app');
}

export async function startRabbitMq(): Promise<void> {
  await rabbitmqctl('start_app');
  await rabbitmqctl('await_startup');
}

function postgresVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL cluster version in /etc/postgresql, found ${versions.join(', ') || 'none'}`);
  return versions[0]!;
}

async function pgCtlCluster(action: 'start' | 'stop' | 'status'): Promise<void> {
  // Fast shutdown: the default (smart) would wait for the bus's pooled connections to go away by themselves.
  const mode = action === 'stop' ? ['-m', 'fast'] : [];
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', action, ...mode], { timeout: 120_000 });
}

export async function stopPostgres(): Promise<void> {
  await pgCtlCluster('stop');
}

export async function startPostgres(): Promise<void> {
  await pgCtlCluster('start');
}

async function postgresRunning(): Promise<boolean> {
  return pgCtlCluster('status').then(
    () => true,
    () => false,
  );
}

/** Starts RabbitMQ's app and PostgreSQL if they are not running; safe to call at any time. */
export async function ensureServicesRunning(log: (line: string) => void): Promise<void> {
  await startRabbitMq().catch((error: Error) => log(`RabbitMQ start_app: ${error.message}`));
  if (!(await postgresRunning())) {
    log('PostgreSQL is down; starting it');
    await startPostgres().catch((error: Error) => log(`PostgreSQL start: ${error.message}`));
  }
}
