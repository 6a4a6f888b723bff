// The flows' descriptors, by flow name: what the config loader must know of each flow before it runs (its bus.yaml
// section schema, pipelines, secrets and services). src/bus-config.ts hands them to loadConfig.
import type { FlowDescriptor } from '../config/flow-descriptor';
import { dossierFlowDescriptor } from './dossier/settings';
import { EDOC_FLOW_DESCRIPTOR } from './edoc/settings';

export type { FlowDescriptor } from '../config/flow-descriptor';

/** Keys are flow names: import each flow's descriptor (its settings module, zod only) and list it here. */
export const FLOW_DESCRIPTORS: Record<string, FlowDescriptor> = {
  dossier: dossierFlowDescriptor,
  edoc: EDOC_FLOW_DESCRIPTOR,
};
