// What the config loader must know of each flow before it runs, handed in by the flow (src/config imports no flow):
// its bus.yaml section schema (`flows.<name>`), the pipelines it defines (a route naming a missing one is refused at
// start), the secrets its settings name (resolved at start with the bus's own) and the services it offers, whose
// endpoints' rights are the rights a client may be granted.
import type { z } from 'zod';
import type { SecretDeclaration } from './secrets';

/** One endpoint of a service and the right it asks for. A SOAP operation is served at its flow's SOAP path. */
export type EndpointDeclaration =
  | { right: string; protocol: 'rest'; method: 'GET' | 'POST'; path: string }
  | { right: string; protocol: 'soap'; operation: string };

/** A service as the metaservices describe it. */
export interface ServiceDeclaration {
  /** The first part of the service's rights (`dossier` for `dossier.submit`). */
  code: string;
  title: string;
  /** File name (without .yaml) in contracts/openapi/ holding the REST endpoints. */
  contract: string;
  /** File name (without .wsdl) in contracts/wsdl/ when the service is offered over SOAP too. */
  wsdl: string | null;
  endpoints: readonly EndpointDeclaration[];
}

export interface FlowDescriptor {
  schema: z.ZodType;
  /** The pipelines the flow defines, by name; routes.yaml names them (`pipeline:`). */
  pipelines: readonly string[];
  /** The services the flow offers while it is configured. */
  services: readonly ServiceDeclaration[];
  /** The secrets the (parsed) settings name, by their full config path (`flows.<name>.…`). */
  secrets(settings: unknown): SecretDeclaration[];
  /** Where the flow serves its SOAP operations, from its (parsed) settings; null when it has none. */
  soapPath(settings: unknown): string | null;
}

/** Everything of the bus the loader checks the config against: the flows by name, and the gateway's own services. */
export interface BusCatalogue {
  flows: Readonly<Record<string, FlowDescriptor>>;
  gatewayServices: readonly ServiceDeclaration[];
}

/** Every right an endpoint of the bus asks for, whether or not its flow is configured. */
export function knownRights(catalogue: BusCatalogue): string[] {
  const services = [...catalogue.gatewayServices, ...Object.values(catalogue.flows).flatMap((flow) => flow.services)];
  return [...new Set(services.flatMap((service) => service.endpoints.map((endpoint) => endpoint.right)))];
}

/** A descriptor whose `secrets` and `soapPath` read the settings as its schema parsed them. */
export function flowDescriptor<S extends z.ZodType>(descriptor: {
  schema: S;
  pipelines: readonly string[];
  services: readonly ServiceDeclaration[];
  secrets?: (settings: z.infer<S>) => SecretDeclaration[];
  soapPath?: (settings: z.infer<S>) => string;
}): FlowDescriptor {
  const { secrets, soapPath } = descriptor;
  return {
    schema: descriptor.schema,
    pipelines: descriptor.pipelines,
    services: descriptor.services,
    // loadConfig passes only what descriptor.schema produced.
    secrets: (settings) => (secrets ? secrets(settings as z.infer<S>) : []),
    soapPath: (settings) => (soapPath ? soapPath(settings as z.infer<S>) : null),
  };
}
