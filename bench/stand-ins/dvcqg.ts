// Bench stand-in of DVCQG's REST API (contracts/openapi/dvcqg.yaml): login, LayThuTuc, LayDanhSachTTHC, TraCuuHoSo,
// DongBoHoSoMC and CapNhatTienDoHoSoMC answered from prepared bytes and a Map of the dossiers it stored, after the
// minimum reading of the body (the service, the session and the codes are found in the JSON bytes, not parsed).
import { randomUUID } from 'node:crypto';
import type { DongBoHoSoMCRequest, TienDoHoSoItem, TraCuuHoSoResult } from '../../src/upstreams/dvcqg/contract-types';
import { listingOf, PROVINCE_PROCEDURES } from '../../testkit/simulators/dvcqg/catalogue';
import { jsonAnswer, type PreparedAnswer } from './prepared-answer';

const OK = { error_code: '00', message: 'Thành công' } as const;
const SESSION_TTL_S = 30 * 60;

/** The bytes `"key":"` that open a string field in JSON written by JSON.stringify (no spaces). */
const fieldMarker = (key: string) => Buffer.from(`"${key}":"`);
const SERVICE = fieldMarker('service');
const SESSION = fieldMarker('session');
const MA_TTHC = fieldMarker('maTTHC');
const MAHOSO_LOOKUP = fieldMarker('mahoso');
const MAHOSO_ITEM = fieldMarker('MaHoSo');
const QUOTE = 0x22;

/**
 * The string value of the field `marker` opens in the JSON bytes `json`, from `from`, or undefined. The values read
 * here (service names, the session, codes) hold no escapes; the body is searched as bytes, not decoded whole.
 */
function stringField(json: Buffer, marker: Buffer, from = 0): string | undefined {
  const at = json.indexOf(marker, from);
  if (at < 0) return undefined;
  const start = at + marker.length;
  const end = json.indexOf(QUOTE, start);
  return end < 0 ? undefined : json.toString('utf8', start, end);
}

/** Every MaHoSo of a DongBoHoSoMC or CapNhatTienDoHoSoMC body: the key occurs only on the items of `data`. */
function dossierCodes(json: Buffer): string[] {
  const codes: string[] = [];
  for (let at = json.indexOf(MAHOSO_ITEM); at >= 0; at = json.indexOf(MAHOSO_ITEM, at + 1)) {
    const code = stringField(json, MAHOSO_ITEM, at);
    if (code !== undefined) codes.push(code);
  }
  return codes;
}

export interface DvcqgStandInOptions {
  credentials: { username: string; password: string };
  /** Called once per dossier code the first time DongBoHoSoMC stores it. */
  onStored: (maHoSo: string) => void;
}

export class DvcqgStandIn {
  private readonly session = randomUUID();
  private readonly ok = jsonAnswer(200, OK);
  private readonly login = jsonAnswer(200, { ...OK, session: this.session, expires_in: SESSION_TTL_S });
  private readonly badLogin = jsonAnswer(401, { error_code: 'INVALID_CREDENTIALS', message: 'wrong username or password' });
  private readonly badSession = jsonAnswer(401, { error_code: 'SESSION_INVALID', message: 'unknown session; log in again' });
  private readonly unknownService = jsonAnswer(400, { error_code: 'UNKNOWN_SERVICE', message: 'unknown service', field: '/service' });
  private readonly unknownDossier = jsonAnswer(404, { error_code: 'DOSSIER_NOT_FOUND', message: 'progress for a dossier DVCQG has not received' });
  private readonly notHeld = jsonAnswer(200, { ...OK, result: [] });
  private readonly procedures = new Map(PROVINCE_PROCEDURES.map((p) => [p.MATTHC, jsonAnswer(200, { ...OK, result: [p] })]));
  private readonly procedureList = jsonAnswer(200, { ...OK, result: PROVINCE_PROCEDURES.map(listingOf) });
  /**
   * The last DongBoHoSoMC body of each dossier, as received: parsed only when TraCuuHoSo asks for a held dossier.
   * Kept as bytes, outside the JavaScript heap, so that tens of thousands of them add nothing to the collector's work.
   */
  private readonly syncs = new Map<string, Buffer>();
  /** CapNhatTienDoHoSoMC bodies per dossier, in arrival order. */
  private readonly progress = new Map<string, string[]>();
  /** DongBoHoSoMC items received for a dossier already held (a re-send). */
  resyncs = 0;

  constructor(private readonly options: DvcqgStandInOptions) {}

  get storedCount(): number {
    return this.syncs.size;
  }

  /** One call to `path` with the JSON body `bytes`; `kind` names it for the call counts. */
  answer(path: string, body: Buffer): { kind: string; answer: PreparedAnswer } {
    if (path === '/auth') {
      let login: unknown;
      try {
        login = JSON.parse(body.toString('utf8'));
      } catch {
        login = null;
      }
      const given = login !== null && typeof login === 'object' ? (login as Record<string, unknown>) : {};
      const right = given.username === this.options.credentials.username && given.password === this.options.credentials.password;
      return { kind: 'login', answer: right ? this.login : this.badLogin };
    }
    const service = stringField(body, SERVICE) ?? '';
    if (path !== '/integration' && !(path === '/share' && (service === 'LayThuTuc' || service === 'LayDanhSachTTHC'))) {
      return { kind: 'unknown', answer: this.unknownService };
    }
    if (stringField(body, SESSION) !== this.session) return { kind: service, answer: this.badSession };
    switch (service) {
      case 'LayThuTuc':
        return { kind: service, answer: this.procedures.get(stringField(body, MA_TTHC) ?? '') ?? this.notHeld };
      case 'LayDanhSachTTHC':
        return { kind: service, answer: this.procedureList };
      case 'TraCuuHoSo':
        return { kind: service, answer: this.lookup(stringField(body, MAHOSO_LOOKUP) ?? '') };
      case 'DongBoHoSoMC':
        for (const code of dossierCodes(body)) {
          if (this.syncs.has(code)) this.resyncs++;
          else this.options.onStored(code);
          // A copy: `body` may be a view of the connection's read buffer.
          this.syncs.set(code, Buffer.from(body));
        }
        return { kind: service, answer: this.ok };
      case 'CapNhatTienDoHoSoMC': {
        const codes = dossierCodes(body);
        if (!codes.every((code) => this.syncs.has(code))) return { kind: service, answer: this.unknownDossier };
        const text = body.toString('utf8');
        for (const code of codes) this.progress.set(code, [...(this.progress.get(code) ?? []), text]);
        return { kind: service, answer: this.ok };
      }
      default:
        return { kind: 'unknown', answer: this.unknownService };
    }
  }

  /** TraCuuHoSo: nothing for an unknown dossier (the bench's usual case); the simulator's record for a held one. */
  private lookup(maHoSo: string): PreparedAnswer {
    const sync = this.syncs.get(maHoSo);
    if (sync === undefined) return this.notHeld;
    const item = (JSON.parse(sync.toString('utf8')) as DongBoHoSoMCRequest).data.find((d) => d.MaHoSo === maHoSo)!;
    const history = (this.progress.get(maHoSo) ?? []).flatMap((text) => (JSON.parse(text) as { data: TienDoHoSoItem[] }).data.filter((p) => p.MaHoSo === maHoSo));
    const last = history.at(-1);
    const current = last ? { ...item, TrangThaiHoSo: last.TrangThai } : item;
    const result: TraCuuHoSoResult = {
      MaHoSo: maHoSo,
      MaTTHC: current.MaTTHC,
      TrangThaiHoSo: current.TrangThaiHoSo,
      NgayTiepNhan: current.NgayTiepNhan,
      NgayHenTra: current.NgayHenTra,
      HoSo: current,
      QuaTrinhXuLy: history,
    };
    return jsonAnswer(200, { ...OK, result: [result] });
  }
}
