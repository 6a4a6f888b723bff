// Builds the minimal edXML status packet the simulated axis puts in a sender's inbox when a recipient calls updateStatus.
import type { components } from '../../../contracts/generated/document-axis';

type ReceiveStatus = components['schemas']['ReceiveStatus'];

/**
 * VXP receive status → QĐ 28 StatusCode (§1.6). Uncertain: the SDK marks `done` right after a
 * successful getEdoc, so it is read as "đã đến" (01), not "hoàn thành" (06); `fail` has no code.
 */
export const QD28_CODE_FOR_RECEIVE_STATUS: Record<ReceiveStatus, string | null> = {
  inbox: '01',
  done: '01',
  rejection: '02',
  acceptance: '03',
  processing: '05',
  fail: null,
};

const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** yyyy/MM/dd HH:mm:ss in UTC+7, as edXML timestamps are written. */
function edxmlTimestamp(date: Date): string {
  const t = new Date(date.getTime() + 7 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}/${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}`;
}

export interface StatusPacketInput {
  /** Organ that sent the original document. */
  originalSender: string;
  /** The doc id the sender got from sendEdoc. */
  senderDocId: string;
  /** Organ reporting the status. */
  reportingOrgan: string;
  status: ReceiveStatus;
  description: string;
  at?: Date;
}

/**
 * A status packet in the VXP SDK's shape, as the national axis hands them out: From, ResponseFor, StatusCode,
 * Description and Timestamp straight under edXMLHeader/MessageHeader, no To and no <Status> wrapper.
 */
export function buildStatusPacket(input: StatusPacketInput): Buffer {
  const code = QD28_CODE_FOR_RECEIVE_STATUS[input.status];
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<edXML xmlns="${NS}"><edXML:edXMLEnvelope xmlns:edXML="${NS}"><edXML:edXMLHeader><edXML:MessageHeader>` +
    `<edXML:From><edXML:OrganId>${escapeXml(input.reportingOrgan)}</edXML:OrganId></edXML:From>` +
    `<edXML:ResponseFor><edXML:OrganId>${escapeXml(input.originalSender)}</edXML:OrganId>` +
    `<edXML:DocumentId>${escapeXml(input.senderDocId)}</edXML:DocumentId></edXML:ResponseFor>` +
    (code === null ? '' : `<edXML:StatusCode>${code}</edXML:StatusCode>`) +
    `<edXML:Description>${escapeXml(input.description)}</edXML:Description>` +
    `<edXML:Timestamp>${edxmlTimestamp(input.at ?? new Date())}</edXML:Timestamp>` +
    `</edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>\n`;
  return Buffer.from(xml, 'utf8');
}
