// Writes an edXML status message: QCVN 102:2016 namespace, explicit edXML: prefixes, fields inside <edXML:Status>.
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
    throw new EdxmlError('EDXML_INVALID_STATUS_CODE', `"${String(message.statusCode)}" is not a known status code`, 'Status/StatusCode');
  }
  requireOrganId(message.responseFor.organId, 'Status/ResponseFor/OrganId', policy);
  requireValue(message.responseFor.documentId, 'Status/ResponseFor/DocumentId');
  validateOrgan(message.from, 'Status/From', policy);
  requireValue(message.timestamp, 'Status/Timestamp');

  const w = new XmlWriter('edXML');
  w.raw('<?xml version="1.0" encoding="UTF-8"?>');
  w.raw(`<edXML xmlns="${QCVN_102_2016_NAMESPACE}">`);
  w.setDepth(1);
  w.open('edXMLEnvelope', { 'xmlns:edXML': QCVN_102_2016_NAMESPACE }).open('edXMLHeader');
  // The element name of the status block in QCVN 102 is unconfirmed; <Status> follows the legacy SOAP form.
  w.open('Status');
  writeResponseFor(w, message.responseFor);
  writeOrgan(w, 'From', message.from);
  w.leaf('StatusCode', message.statusCode).leaf('Description', message.description).leaf('Timestamp', message.timestamp);
  writeStaffInfo(w, message.staffInfo);
  w.close('Status').close('edXMLHeader').close('edXMLEnvelope');
  w.setDepth(0);
  w.raw('</edXML>');
  return Buffer.from(w.flush(), 'utf8');
}
