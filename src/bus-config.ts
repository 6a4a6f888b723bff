// The bus's configuration as the CLI, the harnesses and the tools load it: the config loader handed the catalogue of
// what this build of the bus has (its flows' descriptors, the gateway's own services). src/config imports none of it.
import type { BusCatalogue } from './config/flow-descriptor';
import { loadConfig, type BusConfig, type LoadConfigOptions } from './config/load-config';
import { FLOW_DESCRIPTORS } from './flows';
import { GATEWAY_SERVICES } from './http/meta/service-catalogue';

export const BUS_CATALOGUE: BusCatalogue = { flows: FLOW_DESCRIPTORS, gatewayServices: GATEWAY_SERVICES };

export function loadBusConfig(options: Omit<LoadConfigOptions, 'catalogue'> = {}): BusConfig {
  return loadConfig({ ...options, catalogue: BUS_CATALOGUE });
}
