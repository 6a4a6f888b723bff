// The messages between the bench and its stand-in process (node IPC): ready, stored dossiers, and CPU and call counts.

/** Sent by the stand-in process once its three servers listen. */
export interface ReadyMessage {
  type: 'ready';
  urls: { dvcqg: string; population: string; push: string };
}

/** Dossiers DongBoHoSoMC stored for the first time: code and epoch time in ms (timeOrigin + now), batched. */
export interface StoredMessage {
  type: 'stored';
  entries: [string, number][];
}

/** The process's CPU so far (process.cpuUsage, µs), its calls by kind, and what it holds. */
export interface StatsMessage {
  type: 'stats';
  id: number;
  cpuUs: number;
  calls: Record<string, number>;
  dossiersStored: number;
  dossierResyncs: number;
  pushesApplied: number;
}

export type FromStandIns = ReadyMessage | StoredMessage | StatsMessage;

export interface StatsRequest {
  type: 'stats';
  id: number;
}

/** What the stand-ins check callers with, passed as JSON in the process's first argument. */
export interface StandInSettings {
  dvcqg: { username: string; password: string };
  population: { userName: string; secretKey: string; clientId: string; apiKey: string };
  pushToken: string;
}
