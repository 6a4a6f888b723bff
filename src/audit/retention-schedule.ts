// Runs audit retention on a timer: records older than the configured period go to verified bundles, then are pruned.
import path from 'node:path';
import type { BusConfig } from '../config/load-config';
import { loadSigner, openAuditStore } from './config';
import { exportAndPrune, type RetentionResult } from './retention';

export interface RetentionSchedule {
  /** One run now (also what the timer calls). */
  runOnce(): Promise<RetentionResult[]>;
  stop(): void;
}

export function scheduleRetention(config: BusConfig, onResult: (results: RetentionResult[] | Error) => void): RetentionSchedule | null {
  const retention = config.audit.retention;
  if (!retention) return null;
  const dataDir = path.resolve(config.stores.dataDir);
  const runOnce = async (): Promise<RetentionResult[]> => {
    const store = await openAuditStore({
      store: config.stores.databaseUrl ? { kind: 'postgres', databaseUrl: config.stores.databaseUrl } : { kind: 'sqlite', file: path.join(dataDir, 'audit.db') },
    });
    try {
      const signer = loadSigner({ file: path.resolve(dataDir, config.audit.signingKeyFile) });
      return await exportAndPrune(store, signer, {
        before: new Date(Date.now() - retention.keepDays * 86_400_000),
        exportDir: path.resolve(dataDir, retention.exportDir),
      });
    } finally {
      await store.close();
    }
  };
  const timer = setInterval(() => {
    runOnce().then(onResult, (error: Error) => onResult(error));
  }, retention.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
