// Reference DVCQG simulator: a real express server for the modelled API (login, LayThuTuc, LayDanhSachTTHC, TraCuuHoSo,
// DongBoHoSoMC, CapNhatTienDoHoSoMC); it accepts exactly what contracts/openapi/dvcqg.yaml accepts.
import express, { type NextFunction, type Request, type Response } from 'express';
import { headersOf, listenSimulator, SimulatorControl, type JsonValue } from '../kit/simulator-control';
import type {
  CapNhatTienDoHoSoMCRequest,
  DongBoHoSoMCRequest,
  DvcqgErrorResponse,
  DvcqgLoginRequest,
  DvcqgLoginResponse,
  DvcqgServiceAck,
  LayThuTucRequest,
  LayThuTucResponse,
  TraCuuHoSoRequest,
  TraCuuHoSoResponse,
} from '../../../src/upstreams/dvcqg/contract-types';
import { ContractValidator } from './contract-checker';
import { listingOf, SimulatorCatalogue } from './catalogue';
import { DvcqgSimulatorStore } from './store';

export interface DvcqgSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  credentials?: { username: string; password: string };
  /** Lifetime of issued sessions; default 30 minutes. */
  sessionTtlMs?: number;
}

export interface DvcqgSimulator {
  url: string;
  port: number;
  control: SimulatorControl;
  store: DvcqgSimulatorStore;
  /** The procedures it lists (LayDanhSachTTHC) and describes (LayThuTuc); a test withdraws or changes one here. */
  catalogue: SimulatorCatalogue;
  close(): Promise<void>;
}

export const DEFAULT_SIMULATOR_CREDENTIALS = { username: 'lgsp-sim', password: 'lgsp-sim-password' } as const;

const OK = { error_code: '00', message: 'Thành công' } as const;

/** The catalogue services: the model takes them on the share endpoint and on the integration endpoint alike. */
const CATALOGUE_SCHEMAS: Readonly<Record<string, string>> = {
  LayThuTuc: 'LayThuTucRequest',
  LayDanhSachTTHC: 'LayDanhSachTTHCRequest',
};

const INTEGRATION_SCHEMAS: Readonly<Record<string, string>> = {
  TraCuuHoSo: 'TraCuuHoSoRequest',
  DongBoHoSoMC: 'DongBoHoSoMCRequest',
  CapNhatTienDoHoSoMC: 'CapNhatTienDoHoSoMCRequest',
  ...CATALOGUE_SCHEMAS,
};

function sendError(res: Response, status: number, code: string, message: string, field?: string): void {
  const body: DvcqgErrorResponse = field === undefined ? { error_code: code, message } : { error_code: code, message, field };
  res.status(status).json(body);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function buildApp(control: SimulatorControl, store: DvcqgSimulatorStore, catalogue: SimulatorCatalogue, credentials: { username: string; password: string }) {
  const contract = new ContractValidator('dvcqg');
  const app = express();

  app.use(control.router());
  app.get('/__sim/dossiers/:maHoSo', (req: Request, res: Response) => {
    const dossier = store.dossier(String(req.params.maHoSo));
    if (!dossier) {
      sendError(res, 404, 'DOSSIER_NOT_FOUND', 'the simulator holds no such dossier');
      return;
    }
    res.json(dossier);
  });
  // The catalogue changed from outside (a bus started as a child process is tested over these).
  app.post('/__sim/catalogue/:maTTHC/withdraw', (req: Request, res: Response) => {
    if (!catalogue.withdraw(String(req.params.maTTHC))) return void sendError(res, 404, 'PROCEDURE_NOT_FOUND', 'the simulator lists no such procedure');
    res.status(204).end();
  });
  app.post('/__sim/catalogue/:maTTHC/rename', express.json(), (req: Request, res: Response) => {
    const name = asRecord(req.body)?.TENTTHC;
    if (typeof name !== 'string' || name === '') return void sendError(res, 400, 'INVALID_INPUT', 'give TENTTHC', '/TENTTHC');
    if (!catalogue.change(String(req.params.maTTHC), { TENTTHC: name })) return void sendError(res, 404, 'PROCEDURE_NOT_FOUND', 'the simulator lists no such procedure');
    res.status(204).end();
  });
  app.use(control.middleware());
  app.use(express.json({ limit: '5mb' }));

  /** Validates against the contract; on failure answers 400 and returns false. */
  const conforms = (res: Response, schema: string, body: unknown): boolean => {
    const check = contract.check(schema, body);
    if (!check.ok) sendError(res, 400, 'INVALID_INPUT', `request does not match ${schema}: ${check.reason}`, check.field);
    return check.ok;
  };

  /** Checks the session; on failure answers 401 and returns false. */
  const authorised = (res: Response, body: Record<string, unknown>): boolean => {
    const token = typeof body.session === 'string' ? body.session : '';
    const state = store.sessionState(token);
    if (state === 'valid') return true;
    if (state === 'expired') sendError(res, 401, 'SESSION_EXPIRED', 'session expired; log in again');
    else sendError(res, 401, 'SESSION_INVALID', 'unknown session; log in again');
    return false;
  };

  app.post('/auth', (req: Request, res: Response) => {
    const body = asRecord(req.body) ?? {};
    control.record('login', { ...(body as Record<string, JsonValue>), password: '***' }, headersOf(req));
    if (!conforms(res, 'LoginRequest', body)) return;
    const login = body as unknown as DvcqgLoginRequest;
    if (login.username !== credentials.username || login.password !== credentials.password) {
      sendError(res, 401, 'INVALID_CREDENTIALS', 'wrong username or password');
      return;
    }
    const session = store.issueSession();
    const answer: DvcqgLoginResponse = { ...OK, session: session.token, expires_in: Math.max(1, Math.ceil(session.ttlMs / 1000)) };
    res.json(answer);
  });

  /** LayThuTuc and LayDanhSachTTHC, on whichever endpoint they came. */
  const answerCatalogue = (res: Response, service: string, body: Record<string, unknown>): void => {
    if (service === 'LayThuTuc') {
      const request = body as unknown as LayThuTucRequest;
      const procedure = catalogue.find(request.maTTHC);
      const answer: LayThuTucResponse = { ...OK, result: procedure ? [procedure] : [] };
      res.json(answer);
      return;
    }
    const answer: LayThuTucResponse = { ...OK, result: catalogue.list().map(listingOf) };
    res.json(answer);
  };

  app.post('/share', (req: Request, res: Response) => {
    const body = asRecord(req.body) ?? {};
    const service = typeof body.service === 'string' ? body.service : 'share';
    control.record(service, body as Record<string, JsonValue>, headersOf(req), '/share');
    const schema = CATALOGUE_SCHEMAS[service];
    if (!schema) {
      sendError(res, 400, 'UNKNOWN_SERVICE', 'the share endpoint offers LayThuTuc and LayDanhSachTTHC only', '/service');
      return;
    }
    if (!authorised(res, body) || !conforms(res, schema, body)) return;
    answerCatalogue(res, service, body);
  });

  app.post('/integration', (req: Request, res: Response) => {
    const body = asRecord(req.body) ?? {};
    const service = typeof body.service === 'string' ? body.service : 'integration';
    control.record(service, body as Record<string, JsonValue>, headersOf(req), '/integration');
    const schema = INTEGRATION_SCHEMAS[service];
    if (!schema) {
      sendError(res, 400, 'UNKNOWN_SERVICE', `service must be one of ${Object.keys(INTEGRATION_SCHEMAS).join(', ')}`, '/service');
      return;
    }
    if (!authorised(res, body) || !conforms(res, schema, body)) return;
    if (CATALOGUE_SCHEMAS[service]) {
      answerCatalogue(res, service, body);
      return;
    }

    if (service === 'TraCuuHoSo') {
      const request = body as unknown as TraCuuHoSoRequest;
      const dossier = store.dossier(request.mahoso);
      const answer: TraCuuHoSoResponse = {
        ...OK,
        result: dossier
          ? [{
              MaHoSo: dossier.maHoSo,
              MaTTHC: dossier.current.MaTTHC,
              TrangThaiHoSo: dossier.current.TrangThaiHoSo,
              NgayTiepNhan: dossier.current.NgayTiepNhan,
              NgayHenTra: dossier.current.NgayHenTra,
              HoSo: dossier.current,
              QuaTrinhXuLy: dossier.progress.map((p) => p.item),
            }]
          : [],
      };
      res.json(answer);
      return;
    }

    if (service === 'DongBoHoSoMC') {
      const request = body as unknown as DongBoHoSoMCRequest;
      control.carryOut(() => {
        for (const item of request.data) store.upsertDossier(item, request.isUpdating === 'True');
        const answer: DvcqgServiceAck = OK;
        res.json(answer);
      });
      return;
    }

    const request = body as unknown as CapNhatTienDoHoSoMCRequest;
    control.carryOut(() => {
      const unknownIndex = request.data.findIndex((item) => !store.dossier(item.MaHoSo));
      if (unknownIndex >= 0) {
        sendError(res, 404, 'DOSSIER_NOT_FOUND', 'progress for a dossier DVCQG has not received', `/data/${unknownIndex}/MaHoSo`);
        return;
      }
      for (const item of request.data) store.addProgress(item);
      const answer: DvcqgServiceAck = OK;
      res.json(answer);
    });
  });

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const parseFailure = asRecord(err)?.type === 'entity.parse.failed';
    if (parseFailure) sendError(res, 400, 'INVALID_INPUT', 'body is not valid JSON');
    else sendError(res, 500, 'INTERNAL_ERROR', 'simulator failure');
  });

  return app;
}

/** Starts the simulator on a real socket; resolves once it listens. */
export async function startDvcqgSimulator(options: DvcqgSimulatorOptions = {}): Promise<DvcqgSimulator> {
  const control = new SimulatorControl();
  const store = new DvcqgSimulatorStore(options.sessionTtlMs ?? 30 * 60_000);
  const catalogue = new SimulatorCatalogue();
  const app = buildApp(control, store, catalogue, options.credentials ?? DEFAULT_SIMULATOR_CREDENTIALS);
  const { server, url, port } = await listenSimulator(app, control, options);

  return {
    url,
    port,
    control,
    store,
    catalogue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
