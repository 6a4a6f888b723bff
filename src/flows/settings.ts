// What the config loader must know of each flow before it runs: its bus.yaml section schema (`flows.<name>`) and
// the pipelines it defines, so a route naming a missing pipeline is refused at start.
import type { z } from 'zod';
import { dossierFlowDescriptor } from './dossier/settings';
import { EDOC_FLOW_DESCRIPTOR } from './edoc/settings';

export interface FlowDescriptor {
  schema: z.ZodType;
  /** The pipelines the flow defines, by name; routes.yaml names them (`pipeline:`). */
  pipelines: readonly string[];
}

/** Keys are flow names: import each flow's descriptor (its settings module, zod only) and list it here. */
export const FLOW_DESCRIPTORS: Record<string, FlowDescriptor> = {
  dossier: dossierFlowDescriptor,
  edoc: EDOC_FLOW_DESCRIPTOR,
};
