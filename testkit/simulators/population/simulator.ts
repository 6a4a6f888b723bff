// Reference simulator of the national population database: a real SOAP server for 037/033 with header auth and chaos controls.
import express from 'express';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as soap from 'soap';
import { headersOf, SimulatorControl, type JsonValue } from '../kit/simulator-control';
import { checkAuthHeaders, type PopulationCredentials } from '../../../src/upstreams/population/auth-headers';
import { createSyntheticRegistry, type CitizenRegistry } from './citizen-registry';
import { wsdlPath } from '../../../src/core/repo-files';
import { selfContainedWsdl } from '../../../src/http/meta/service-contracts';
import { answerLookup, answerVerification, MalformedRequestError } from './answers';
import { soapGuardErrorHandler, soapRequestGuards } from '../../../src/upstreams/population/soap-request-guards';

export interface PopulationSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The credentials callers must sign with; authUrl defaults to the simulator's service URL. */
  credentials: Omit<PopulationCredentials, 'authUrl'> & { authUrl?: string };
  registry?: CitizenRegistry;
  /** Largest accepted SOAP request body; default 256 KiB. */
  maxBodyBytes?: number;
}

export interface RunningPopulationSimulator {
  /** The SOAP endpoint, e.g. http://127.0.0.1:40123/population. */
  url: string;
  port: number;
  control: SimulatorControl;
  registry: CitizenRegistry;
  /** The credentials the simulator checks, with authUrl resolved. */
  credentials: PopulationCredentials;
  close(): Promise<void>;
}

export const POPULATION_SERVICE_PATH = '/population';

/** Headers stored in /__sim/received: secrets are replaced by a marker that shows they were sent. */
function recordableHeaders(req: IncomingMessage): Record<string, string> {
  const headers = headersOf(req as express.Request);
  for (const secret of ['authorization', 'apikey']) if (headers[secret] !== undefined) headers[secret] = '[redacted]';
  return headers;
}

function asJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

interface SoapFault {
  Fault: { faultcode: string; faultstring: string; statusCode: number };
}

function fault(faultcode: string, faultstring: string, statusCode: number): SoapFault {
  return { Fault: { faultcode, faultstring, statusCode } };
}

export async function startPopulationSimulator(options: PopulationSimulatorOptions): Promise<RunningPopulationSimulator> {
  const host = options.host ?? '127.0.0.1';
  const registry = options.registry ?? createSyntheticRegistry();
  const control = new SimulatorControl();
  const app = express();
  app.disable('x-powered-by');
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${POPULATION_SERVICE_PATH}`;
  const credentials: PopulationCredentials = { ...options.credentials, authUrl: options.credentials.authUrl ?? url };

  /** Wraps an operation: record the call, check auth, map known failures to SOAP faults. */
  const operation =
    (name: string, answer: (args: unknown) => object) =>
    async (args: unknown, _callback: unknown, _soapHeaders: unknown, req: IncomingMessage): Promise<object> => {
      control.record(name, asJson(args), recordableHeaders(req));
      const auth = checkAuthHeaders(req.headers, credentials);
      if (!auth.ok) throw fault('soap:Client.Authentication', `Xác thực không thành công (${auth.failure})`, 401);
      try {
        return answer(args);
      } catch (error) {
        if (error instanceof MalformedRequestError) throw fault('soap:Client', error.message, 400);
        throw fault('soap:Server', 'Lỗi hệ thống', 500);
      }
    };

  app.use(control.router());
  app.use(control.middleware());
  // node-soap would serve the contract file as it is: relative XSD imports (404 here) and a placeholder address.
  const wsdl = selfContainedWsdl('population', url);
  app.get(POPULATION_SERVICE_PATH, (req, res, next) => {
    if (!(req.originalUrl.split('?')[1] ?? '').toLowerCase().startsWith('wsdl')) return next();
    res.type('text/xml; charset=utf-8').send(wsdl);
  });
  app.use(POPULATION_SERVICE_PATH, ...soapRequestGuards({ maxBodyBytes: options.maxBodyBytes }));
  app.use(POPULATION_SERVICE_PATH, soapGuardErrorHandler);

  const wsdlFile = wsdlPath('population');
  await new Promise<void>((resolve, reject) => {
    soap.listen(app, {
      path: POPULATION_SERVICE_PATH,
      xml: readFileSync(wsdlFile, 'utf8'),
      uri: wsdlFile,
      suppressStack: true,
      services: {
        CongDanService: {
          CongDanPort: {
            TraCuuThongTinCongDan: operation('TraCuuThongTinCongDan', (args) => answerLookup(args, registry)),
            XacThucThongTinCongDan: operation('XacThucThongTinCongDan', (args) => answerVerification(args, registry)),
          },
        },
      },
      callback: (err: unknown) => (err ? reject(err instanceof Error ? err : new Error('WSDL could not be loaded')) : resolve()),
    });
  });
  control.attach(server);

  return {
    url,
    port,
    control,
    registry,
    credentials,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
}
