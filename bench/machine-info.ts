// The machine and the versions a bench or chaos run ran on, for its results file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { Client as PgClient } from 'pg';
import { AMQP_URL, DATABASE_URL } from '../testkit/env';

export interface MachineInfo {
  machine: { cpu: string; cores: number; memoryGb: number; os: string; arch: string };
  versions: { bus: string; commit: string | null; node: string; rabbitmq: string | null; postgres: string | null; amqplib: string | undefined; express: string | undefined };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export async function machineAndVersions(root: string): Promise<MachineInfo> {
  let rabbitmq: string | null = null;
  try {
    const conn = await amqp.connect(AMQP_URL);
    const props = (conn as unknown as { connection: { serverProperties?: { version?: string } } }).connection.serverProperties;
    rabbitmq = props?.version ?? null;
    await conn.close();
  } catch {
    rabbitmq = null;
  }
  let postgres: string | null = null;
  const pg = new PgClient({ connectionString: DATABASE_URL });
  try {
    await pg.connect();
    postgres = (await pg.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? null;
  } catch {
    postgres = null;
  } finally {
    await pg.end().catch(() => undefined);
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    commit = null;
  }
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  return {
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGb: round1(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, arch: os.arch() },
    versions: { bus: pkg.version, commit, node: process.version, rabbitmq, postgres, amqplib: pkg.dependencies.amqplib, express: pkg.dependencies.express },
  };
}
