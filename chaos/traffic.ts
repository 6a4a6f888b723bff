// What the steady load sends, as client journeys: a dossier (the khai-sinh fixture with a unique MaHoSo) from the
// one-stop client followed, once accepted, by two progress updates of it (each with an Idempotency-Key, so the client
// may send it again when an answer is lost) (ordered per dossier by the bus, so a kill
// between issuing a sequence number and publishing shows up); small edXML documents from organ A to one push
// recipient and one organ reached through the national axis; and documents a ministry sends the push organ through
// the national axis (queued at the axis simulator, fetched and acknowledged by the bus).
import type { DocumentAxisSimulator } from '../testkit/simulators/document-axis';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildEdxmlPackage } from '../src/upstreams/edxml';

export const DOSSIER_CLIENT = 'motcua-chaos';
export const EDOC_SENDER_CLIENT = 'qlvb-chaos-a';
export const ADMIN_CLIENT = 'chaos-admin';
export const BUS_ORGAN = '000.00.00.H10';
export const SENDER_ORGAN = '000.00.01.H10';
/** In the province, delivered to its own QLVB endpoint (the push simulator). */
export const PUSH_ORGAN = '000.00.03.H10';
/** Outside the province, delivered through the national document axis (the axis simulator). */
export const AXIS_ORGAN = '000.00.00.G22';
export const EDOC_RECIPIENTS = [PUSH_ORGAN, AXIS_ORGAN] as const;

export type TrafficKind = 'dossier' | 'progress' | 'edoc' | 'inbound';

/** Progress updates sent after each accepted dossier, and the pause before each. */
export const PROGRESS_STEPS = 2;
const PROGRESS_PAUSE_MS = 400;

/** One request of the load: what it is, the business key the upstream sees (MaHoSo / DocumentId), and its HTTP shape. */
export interface TrafficRequest {
  kind: TrafficKind;
  key: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent by this call instead of to the bus (a document queued at the axis simulator); answers an HTTP-like status. */
  sendElsewhere?: () => Promise<number>;
}

const ROOT = path.resolve(__dirname, '../..');

export class TrafficFactory {
  private readonly fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
  private dossiers = 0;
  private edocs = 0;
  private inbounds = 0;

  /** `runId`: a few characters unique to the run, so keys never collide with an earlier run's. */
  constructor(private readonly runId: string, private readonly tokens: { dossier: string; edoc: string }) {}

  dossier(): TrafficRequest {
    // The organ part carries the run id (the sequence part must be digits).
    const key = `000.00.04.C${this.runId}-261127-${String(this.dossiers++).padStart(6, '0')}`;
    return {
      kind: 'dossier',
      key,
      path: '/api/v1/dossiers',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens.dossier}`, 'idempotency-key': key },
      body: Buffer.from(JSON.stringify({ ...this.fixture, MaHoSo: key })),
    };
  }

  /** Key `<MaHoSo>#<step>`; the step is in NoiDungXuLy, which DVCQG keeps with the progress record. */
  progress(maHoSo: string, step: number): TrafficRequest {
    return {
      kind: 'progress',
      key: progressKey(maHoSo, step),
      path: `/api/v1/dossiers/${maHoSo}/progress`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens.dossier}`, 'idempotency-key': progressKey(maHoSo, step) },
      body: Buffer.from(
        JSON.stringify({ MaHoSo: maHoSo, SoThuTu: step, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: progressText(step), ThoiGianXuLy: '2026-11-27T10:00:00+07:00' }),
      ),
    };
  }

  edoc(): TrafficRequest {
    const n = ++this.edocs;
    const key = `${SENDER_ORGAN},2026/11/27,${n}/CHAOS-${this.runId}`;
    const body = edocPackage(n, key, SENDER_ORGAN, EDOC_RECIPIENTS);
    return { kind: 'edoc', key, path: '/api/v1/edocs', headers: { 'content-type': 'application/xml', authorization: `Bearer ${this.tokens.edoc}` }, body };
  }

  /** A ministry's document for the push organ, queued at the axis simulator: accepted (202) once the axis holds it. */
  inbound(axis: DocumentAxisSimulator): TrafficRequest {
    const n = ++this.inbounds;
    const key = `${AXIS_ORGAN},2026/11/27,${n}/CHAOS-${this.runId}`;
    const body = edocPackage(n, key, AXIS_ORGAN, [PUSH_ORGAN]);
    const sendElsewhere = async (): Promise<number> => {
      axis.queueInbound({ from: AXIS_ORGAN, to: [PUSH_ORGAN], content: body });
      return 202;
    };
    return { kind: 'inbound', key, path: '/__sim/inbound', headers: {}, body, sendElsewhere };
  }
}

function edocPackage(n: number, key: string, from: string, to: readonly string[]): Buffer {
  return buildEdxmlPackage({
    header: {
      from: { organId: from, organName: from === SENDER_ORGAN ? 'Ủy ban nhân dân thành phố Đồng Xoài' : 'Văn phòng Chính phủ' },
      to: to.map((organId) => ({ organId, organName: `Cơ quan ${organId}` })),
      documentId: key,
      code: { codeNumber: String(n), codeNotation: 'UBND-VP' },
      promulgationInfo: { place: 'Đồng Xoài', promulgationDate: '2026/11/27' },
      documentType: { type: 1, typeName: 'Công văn' },
      subject: 'V/v kiểm thử độ bền liên thông văn bản điện tử',
      toPlaces: ['Như trên'],
      responseFor: [],
    },
    traceHeaderList: {
      traceHeaders: [{ organId: from, timestamp: '2026/11/27 09:15:00' }],
      bussiness: { bussinessDocType: 0, bussinessDocReason: 'Văn bản điện tử mới', replacementInfoList: [] },
    },
    attachments: [
      { contentId: 'cid:att-1', attachmentName: 'cong-van.zip', contentType: 'application/zip', body: { kind: 'bytes', data: Buffer.from(`Công văn số ${n}`) } },
    ],
  });
}

export function progressKey(maHoSo: string, step: number): string {
  return `${maHoSo}#${step}`;
}

export function progressText(step: number): string {
  return `Bước xử lý ${step} (chaos)`;
}

/** Sends one request and answers with its recorded outcome (status 202 = accepted). */
export type SendRequest = (request: TrafficRequest) => Promise<{ status: number }>;

/** A dossier, then (only if it was accepted) its progress updates one after another, whatever their answers. */
export async function dossierJourney(traffic: TrafficFactory, send: SendRequest): Promise<void> {
  const dossier = traffic.dossier();
  if ((await send(dossier)).status !== 202) return;
  for (let step = 1; step <= PROGRESS_STEPS; step++) {
    await new Promise((r) => setTimeout(r, PROGRESS_PAUSE_MS));
    await send(traffic.progress(dossier.key, step));
  }
}

export async function edocJourney(traffic: TrafficFactory, send: SendRequest): Promise<void> {
  await send(traffic.edoc());
}

export async function inboundJourney(traffic: TrafficFactory, axis: DocumentAxisSimulator, send: SendRequest): Promise<void> {
  await send(traffic.inbound(axis));
}
