// Every flow the bus runs, registered here by one line each (docs/adding-a-flow.md): its descriptor, which the config
// loader checks bus.yaml against (settings schema, pipelines, secrets, services), and its code, loaded only by a
// process that runs the bus — the CLIs read the descriptors alone.
import type { FlowDescriptor } from '../config/flow-descriptor';
import { dossierFlowDescriptor } from './dossier/settings';
import { EDOC_FLOW_DESCRIPTOR } from './edoc/settings';
import { registerFlow, type RegisteredFlow } from './flow';

export interface FlowRegistration {
  descriptor: FlowDescriptor;
  load(): Promise<RegisteredFlow>;
}

/** Keys are flow names (`flows.<name>` in bus.yaml). */
export const FLOW_REGISTRY: Readonly<Record<string, FlowRegistration>> = {
  dossier: { descriptor: dossierFlowDescriptor, load: async () => registerFlow((await import('./dossier/dossier-flow')).dossierFlow) },
  edoc: { descriptor: EDOC_FLOW_DESCRIPTOR, load: async () => registerFlow((await import('./edoc')).edocFlow) },
};

/** The descriptors by flow name, for the config loader. */
export const FLOW_DESCRIPTORS: Readonly<Record<string, FlowDescriptor>> = Object.fromEntries(Object.entries(FLOW_REGISTRY).map(([name, r]) => [name, r.descriptor]));

/** Every registered flow's code; a flow's registered name and its own must agree. */
export async function loadFlows(): Promise<RegisteredFlow[]> {
  return Promise.all(
    Object.entries(FLOW_REGISTRY).map(async ([name, registration]) => {
      const flow = await registration.load();
      if (flow.name !== name) throw new Error(`flow ${flow.name} is registered as ${name}`);
      return flow;
    }),
  );
}
