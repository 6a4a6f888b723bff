// Business-rule checks shared by the parser and the builder: required fields, organ id format, code ranges.
import { EdxmlError } from './errors';
import { isValidOrganId, type OrganIdPolicy } from './organ-id';
import { BUSSINESS_DOC_TYPE, type EdxmlAttachment, type MessageHeader, type Organ, type TraceHeaderList } from './types';

export function requireValue(value: string | undefined, field: string): void {
  if (value === undefined || value.trim() === '') throw new EdxmlError('EDXML_MISSING_FIELD', 'required value is missing', field);
}

export function requireOrganId(organId: string | undefined, field: string, policy: OrganIdPolicy): void {
  requireValue(organId, field);
  if (!isValidOrganId(organId ?? '', policy)) {
    throw new EdxmlError('EDXML_INVALID_ORGAN_ID', `"${organId}" is not a valid organ id (${policy})`, field);
  }
}

export function validateOrgan(organ: Organ, path: string, policy: OrganIdPolicy): void {
  requireOrganId(organ.organId, `${path}/OrganId`, policy);
}

export function validateMessageHeader(header: MessageHeader, policy: OrganIdPolicy): void {
  validateOrgan(header.from, 'MessageHeader/From', policy);
  if (header.to.length === 0) throw new EdxmlError('EDXML_MISSING_FIELD', 'at least one recipient is required', 'MessageHeader/To');
  header.to.forEach((organ, i) => validateOrgan(organ, `MessageHeader/To[${i + 1}]`, policy));
  requireValue(header.documentId, 'MessageHeader/DocumentId');
  header.responseFor.forEach((reference, i) => requireOrganId(reference.organId, `MessageHeader/ResponseFor[${i + 1}]/OrganId`, policy));
}

const BUSSINESS_DOC_TYPES: ReadonlySet<number> = new Set(Object.values(BUSSINESS_DOC_TYPE));

export function validateTraceHeaderList(list: TraceHeaderList, policy: OrganIdPolicy): void {
  list.traceHeaders.forEach((trace, i) => {
    requireOrganId(trace.organId, `TraceHeaderList/TraceHeader[${i + 1}]/OrganId`, policy);
    requireValue(trace.timestamp, `TraceHeaderList/TraceHeader[${i + 1}]/Timestamp`);
  });
  const bussiness = list.bussiness;
  if (bussiness && !BUSSINESS_DOC_TYPES.has(bussiness.bussinessDocType)) {
    throw new EdxmlError('EDXML_INVALID_VALUE', `unknown BussinessDocType ${bussiness.bussinessDocType}`, 'TraceHeaderList/Bussiness/BussinessDocType');
  }
}

export function validateAttachment(attachment: EdxmlAttachment, index: number): void {
  const path = `AttachmentEncoded/Attachment[${index + 1}]`;
  requireValue(attachment.contentId, `${path}/ContentId`);
  requireValue(attachment.attachmentName, `${path}/AttachmentName`);
  requireValue(attachment.contentType, `${path}/ContentType`);
}
