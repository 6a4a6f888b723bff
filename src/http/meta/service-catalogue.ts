// The services of the bus as the metaservices describe them: each service's endpoints (REST and SOAP) with the right
// each needs, and the contract that defines them. A service is offered only while its flow is configured.
import type { components } from '../../../contracts/generated/bus-meta';
import type { BusConfig } from '../../config/load-config';
import type { EdocSettings } from '../../flows/edoc/settings';
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

const rest = (right: Right, method: 'GET' | 'POST', path: string): ServiceEndpoint => ({ right, protocol: 'rest', method, path, soapOperation: null });
const soap = (right: Right, path: string, operation: string): ServiceEndpoint => ({ right, protocol: 'soap', method: 'POST', path, soapOperation: operation });

/** The services this bus offers with its configuration, in a stable order. */
export function busServices(config: Pick<BusConfig, 'flows'>): BusService[] {
  const services: BusService[] = [
    {
      code: 'message',
      title: 'Generic messages and message status',
      contract: 'bus-api',
      wsdl: null,
      endpoints: [rest('message.generic', 'POST', '/api/v1/messages'), rest('message.status', 'GET', '/api/v1/messages/{id}')],
    },
  ];
  if (config.flows.dossier !== undefined) {
    services.push(
      {
        code: 'dossier',
        title: 'One-stop dossiers synced to DVCQG',
        contract: 'bus-api',
        wsdl: null,
        endpoints: [rest('dossier.submit', 'POST', '/api/v1/dossiers'), rest('dossier.progress', 'POST', '/api/v1/dossiers/{maHoSo}/progress')],
      },
      {
        code: 'citizen',
        title: 'Citizen check against the national population database',
        contract: 'bus-api',
        wsdl: null,
        endpoints: [rest('citizen.verify', 'POST', '/api/v1/citizens/verify')],
      },
    );
  }
  const edoc = config.flows.edoc as EdocSettings | undefined;
  if (edoc !== undefined) {
    const soapPath = edoc.soap.path;
    services.push({
      code: 'edoc',
      title: 'E-documents (edXML, QCVN 102:2016) between document systems',
      contract: 'bus-edocs',
      wsdl: 'edoc-service',
      endpoints: [
        rest('edoc.send', 'POST', '/api/v1/edocs'),
        rest('edoc.inbox', 'GET', '/api/v1/edocs/inbox'),
        rest('edoc.inbox', 'GET', '/api/v1/edocs/{id}'),
        rest('edoc.status', 'POST', '/api/v1/edocs/{id}/status'),
        soap('edoc.send', soapPath, 'SendEdoc'),
        soap('edoc.inbox', soapPath, 'GetReceivedEdocList'),
        soap('edoc.inbox', soapPath, 'GetEdoc'),
        soap('edoc.status', soapPath, 'UpdateStatus'),
      ],
    });
  }
  return services;
}
