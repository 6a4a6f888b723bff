// Metaservices (contracts/openapi/bus-meta.yaml), as X-Road's: the connected clients, the services of the bus, the
// services the caller may use, and each service's OpenAPI or WSDL. Any client with the intake role may ask.
import express, { type Request, type Response, type Router } from 'express';
import YAML from 'yaml';
import type { components } from '../../../contracts/generated/bus-meta';
import type { BusConfig } from '../../config/load-config';
import { formatMemberId } from '../../config/member-id';
import type { ClientConfig } from '../../config/schema';
import { authenticate } from '../auth/auth';
import { sendError } from '../errors';
import { hasRight } from '../auth/rights';
import { busServices, type BusService } from './service-catalogue';
import { serviceOpenApi, serviceWsdl } from './service-contracts';

type Schemas = components['schemas'];

export interface MetaApiDeps {
  config: BusConfig;
  /** The base of the soap:address a WSDL carries; never the request's Host header. */
  publicBaseUrl(): string;
}

export function metaApiRouter(deps: MetaApiDeps): Router {
  const router = express.Router();
  const caller = authenticate(deps.config);
  const services = busServices(deps.config);
  const openApiYaml = new Map<string, string>();

  const serviceOf = (req: Request, res: Response): BusService | undefined => {
    const service = services.find((s) => s.code === req.params.service);
    if (!service) {
      sendError(res, 'SERVICE_NOT_FOUND', 'no such service (see /api/v1/meta/services)');
    }
    return service;
  };

  router.get('/api/v1/meta/clients', caller, (_req, res) => {
    const body: Schemas['ClientList'] = { items: deps.config.clients.map(clientView) };
    res.json(body);
  });

  router.get('/api/v1/meta/services', caller, (_req, res) => {
    const body: Schemas['ServiceList'] = { items: services.map((s) => serviceView(s, s.endpoints)) };
    res.json(body);
  });

  router.get('/api/v1/meta/allowed-services', caller, (req, res) => {
    const principal = req.client!;
    const client = deps.config.clients.find((c) => c.id === principal.id);
    const items = services
      .map((s) => serviceView(s, s.endpoints.filter((e) => hasRight(principal.rights, e.right))))
      .filter((s) => s.endpoints.length > 0);
    const body: Schemas['AllowedServiceList'] = { client: client ? clientView(client) : { id: principal.id, name: principal.id, member: null }, items };
    res.json(body);
  });

  router.get('/api/v1/meta/services/:service/openapi', caller, (req, res) => {
    const service = serviceOf(req, res);
    if (!service) return;
    const document = serviceOpenApi(service);
    if (req.accepts(['application/yaml', 'application/json']) === 'application/json') return void res.json(document);
    let text = openApiYaml.get(service.code);
    if (text === undefined) openApiYaml.set(service.code, (text = YAML.stringify(document, { aliasDuplicateObjects: false })));
    res.type('application/yaml; charset=utf-8').send(text);
  });

  router.get('/api/v1/meta/services/:service/wsdl', caller, (req, res) => {
    const service = serviceOf(req, res);
    if (!service) return;
    const soapPath = service.endpoints.find((e) => e.protocol === 'soap')?.path ?? '/';
    const wsdl = serviceWsdl(service, `${deps.publicBaseUrl()}${soapPath}`);
    if (wsdl === undefined) {
      return sendError(res, 'WSDL_NOT_FOUND', `the ${service.code} service is offered over REST only; see its openapi`);
    }
    res.type('text/xml; charset=utf-8').send(wsdl);
  });

  return router;
}

/** What anyone may know of a client: never its keys, rights or limits. */
function clientView(client: ClientConfig): Schemas['Client'] {
  return { id: client.id, name: client.name, member: client.member ? { id: formatMemberId(client.member), ...client.member } : null };
}

function serviceView(service: BusService, endpoints: BusService['endpoints']): Schemas['Service'] {
  return {
    code: service.code,
    title: service.title,
    endpoints: endpoints.map((e) => ({ right: e.right, protocol: e.protocol, method: e.method, path: e.path, soapOperation: e.soapOperation })),
    openapiUrl: `/api/v1/meta/services/${service.code}/openapi`,
    wsdlUrl: service.wsdl === null ? null : `/api/v1/meta/services/${service.code}/wsdl`,
  };
}
