// The services of the bus as the metaservices describe them: each service's endpoints (REST and SOAP) with the right
// each needs, and the contract that defines them. Flows declare theirs in their descriptors; a service is offered
// only while its flow is configured (loadConfig puts the offered ones in BusConfig.services).
import type { components } from '../../../contracts/generated/bus-meta';
import type { EndpointDeclaration, ServiceDeclaration } from '../../config/flow-descriptor';
import type { BusConfig } from '../../config/load-config';
import type { Right } from '../auth/rights';

export type ServiceEndpoint = components['schemas']['Endpoint'] & { right: Right };

export interface BusService {
  /** The first part of the service's rights (`dossier` for `dossier.submit`). */
  code: string;
  title: string;
  /** File name (without .yaml) in contracts/openapi/ holding the REST endpoints. */
  contract: string;
  /** File name (without .wsdl) in contracts/wsdl/ when the service is offered over SOAP too. */
  wsdl: string | null;
  endpoints: ServiceEndpoint[];
}

/** The gateway's own service: generic messages and the status of any message (src/http/app.ts). */
export const GATEWAY_SERVICES: readonly ServiceDeclaration[] = [
  {
    code: 'message',
    title: 'Generic messages and message status',
    contract: 'bus-api',
    wsdl: null,
    endpoints: [
      { right: 'message.generic', protocol: 'rest', method: 'POST', path: '/api/v1/messages' },
      { right: 'message.status', protocol: 'rest', method: 'GET', path: '/api/v1/messages/{id}' },
    ],
  },
];

function endpointOf(endpoint: EndpointDeclaration, soapPath: string | null): ServiceEndpoint {
  if (endpoint.protocol === 'rest') return { right: endpoint.right, protocol: 'rest', method: endpoint.method, path: endpoint.path, soapOperation: null };
  return { right: endpoint.right, protocol: 'soap', method: 'POST', path: soapPath ?? '', soapOperation: endpoint.operation };
}

/** The services this bus offers with its configuration (the gateway's, then each configured flow's), in a stable order. */
export function busServices(config: Pick<BusConfig, 'services'>): BusService[] {
  return config.services.map((service) => ({
    code: service.code,
    title: service.title,
    contract: service.contract,
    wsdl: service.wsdl,
    endpoints: service.endpoints.map((endpoint) => endpointOf(endpoint, service.soapPath)),
  }));
}
