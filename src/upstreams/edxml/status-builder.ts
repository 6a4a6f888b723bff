// Writes an edXML status message in the VXP SDK's shape: QCVN 102:2016 namespace, explicit edXML: prefixes, the fields
// straight under edXMLHeader/MessageHeader (From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp), no To.
import { EdxmlError } from './errors';
import { writeOrgan, writeResponseFor, writeStaffInfo } from './header-writer';
import { QCVN_102_2016_NAMESPACE } from './namespaces';
import type { OrganIdPolicy } from './organ-id';
import { requireOrganId, requireValue, validateOrgan } from './package-validation';
import { isEdxmlStatusCode, type EdxmlStatusMessage } from './status-message';
import { XmlWriter } from './xml-writer';

export interface EdxmlStatusBuildOptions {
  organIdPolicy?: OrganIdPolicy;
}

export function buildEdxmlStatus(message: EdxmlStatusMessage, options: EdxmlStatusBuildOptions = {}): Buffer {
  const policy = options.organIdPolicy ?? 'permissive';
  if (!isEdxmlStatusCode(message.statusCode)) {
    throw new EdxmlError('EDXML_INVALID_STATUS_CODE', `"${String(message.statusCode)}" is not a known status code`, 'MessageHeader/StatusCode');
  }
  requireOrganId(message.responseFor.organId, 'MessageHeader/ResponseFor/OrganId', policy);
  requireValue(message.responseFor.documentId, 'MessageHeader/ResponseFor/DocumentId');
  validateOrgan(message.from, 'MessageHeader/From', policy);
  requireValue(message.timestamp, 'MessageHeader/Timestamp');

  const w = new XmlWriter('edXML');
  w.raw('<?xml version="1.0" encoding="UTF-8"?>');
  w.raw(`<edXML xmlns="${QCVN_102_2016_NAMESPACE}">`);
  w.setDepth(1);
  w.open('edXMLEnvelope', { 'xmlns:edXML': QCVN_102_2016_NAMESPACE }).open('edXMLHeader');
  // Field order of the VXP SDK's status packets; readers look fields up by name.
  w.open('MessageHeader');
  writeOrgan(w, 'From', message.from);
  writeResponseFor(w, message.responseFor);
  writeStaffInfo(w, message.staffInfo);
  w.leaf('StatusCode', message.statusCode).leaf('Description', message.description).leaf('Timestamp', message.timestamp);
  w.close('MessageHeader').close('edXMLHeader').close('edXMLEnvelope');
  w.setDepth(0);
  w.raw('</edXML>');
  return Buffer.from(w.flush(), 'utf8');
}
