// What the config loader must know of a flow before it runs, handed in by the flow: its bus.yaml section schema
// (`flows.<name>`), the pipelines it defines (a route naming a missing one is refused at start) and the secrets its
// settings name (resolved at start with the bus's own).
import type { z } from 'zod';
import type { SecretDeclaration } from './secrets';

export interface FlowDescriptor {
  schema: z.ZodType;
  /** The pipelines the flow defines, by name; routes.yaml names them (`pipeline:`). */
  pipelines: readonly string[];
  /** The secrets the (parsed) settings name, by their full config path (`flows.<name>.…`). */
  secrets(settings: unknown): SecretDeclaration[];
}

/** A descriptor whose `secrets` reads the settings as its schema parsed them. */
export function flowDescriptor<S extends z.ZodType>(descriptor: {
  schema: S;
  pipelines: readonly string[];
  secrets?: (settings: z.infer<S>) => SecretDeclaration[];
}): FlowDescriptor {
  const secrets = descriptor.secrets;
  return {
    schema: descriptor.schema,
    pipelines: descriptor.pipelines,
    // loadConfig passes only what descriptor.schema produced.
    secrets: (settings) => (secrets ? secrets(settings as z.infer<S>) : []),
  };
}
