// The bus's configuration as tests build it: typed bus.yaml and routes.yaml documents (the compiler checks every key
// against the schemas, flows' sections included), loaded in memory for a bus in the test's process or written out
// for a bus in a child process. One builder instead of a YAML writer per harness.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { loadBusConfig } from '../../src/bus-config';
import type { BusConfig } from '../../src/config/load-config';
import type { BusFileInput, RoutesFileInput } from '../../src/config/schema';
import { repoFile } from '../../src/core/repo-files';
import type { dossierSettingsSchema } from '../../src/flows/dossier/settings';
import type { edocSettingsSchema } from '../../src/flows/edoc/settings';

/** The flows' sections, each checked against its flow's own settings schema. */
export type FlowSections = {
  dossier?: z.input<typeof dossierSettingsSchema>;
  edoc?: z.input<typeof edocSettingsSchema>;
};

export type BusDocument = Omit<BusFileInput, 'flows'> & { flows?: FlowSections };
export type RouteDocument = RoutesFileInput['routes'][number];

export interface BusDocuments {
  bus: BusDocument;
  routes: { routes: RouteDocument[] };
}

/** Every route of the shipped config/routes.yaml, in its order. */
export function allShippedRoutes(): RouteDocument[] {
  return (YAML.parse(readFileSync(repoFile('config', 'routes.yaml'), 'utf8')) as RoutesFileInput).routes;
}

/** The shipped config/routes.yaml's routes whose names start with `prefix`, each open to `clients` only. */
export function shippedRoutes(prefix: string, clients: string[]): RouteDocument[] {
  return allShippedRoutes().filter((route) => route.name.startsWith(prefix)).map((route) => ({ ...route, clients }));
}

/**
 * Loads the documents as the bus would load its files (environment overrides and profile included). `configDir` is
 * the test's own directory: it anchors relative paths, and a development overlay is read from it as from a real
 * config directory (the repository's config/ would lay the demo overlay over the test's documents).
 */
export function loadDocuments(documents: BusDocuments, options: { configDir: string; env?: NodeJS.ProcessEnv }): BusConfig {
  return loadBusConfig({ ...options, documents });
}

/** Writes bus.yaml and routes.yaml into `dir`/config for a bus started as a child process; returns that directory. */
export function writeConfigDir(dir: string, documents: BusDocuments): string {
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'bus.yaml'), YAML.stringify(documents.bus));
  writeFileSync(path.join(configDir, 'routes.yaml'), YAML.stringify(documents.routes));
  return configDir;
}
