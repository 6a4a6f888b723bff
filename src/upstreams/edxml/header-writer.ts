// Serialises MessageHeader, TraceHeaderList and their shared sub-blocks in QCVN 102:2016 element order.
import type { MessageHeader, Organ, ResponseFor, StaffInfo, TraceHeader, TraceHeaderList } from './types';
import type { XmlWriter } from './xml-writer';

export function writeOrgan(w: XmlWriter, name: string, organ: Organ): void {
  w.open(name)
    .leaf('OrganId', organ.organId)
    .leaf('OrganizationInCharge', organ.organizationInCharge)
    .leaf('OrganName', organ.organName)
    .leaf('OrganAdd', organ.organAdd)
    .leaf('Email', organ.email)
    .leaf('Telephone', organ.telephone)
    .leaf('Fax', organ.fax)
    .leaf('Website', organ.website)
    .close(name);
}

export function writeResponseFor(w: XmlWriter, reference: ResponseFor): void {
  w.open('ResponseFor')
    .leaf('OrganId', reference.organId)
    .leaf('Code', reference.code)
    .leaf('PromulgationDate', reference.promulgationDate)
    .leaf('DocumentId', reference.documentId)
    .close('ResponseFor');
}

export function writeStaffInfo(w: XmlWriter, staff: StaffInfo | undefined): void {
  if (!staff) return;
  w.open('StaffInfo').leaf('Department', staff.department).leaf('Staff', staff.staff).leaf('Mobile', staff.mobile).leaf('Email', staff.email).close('StaffInfo');
}

/** Order follows the official VPCP sample (From, To, DocumentId, Code, …, SteeringType, ToPlaces). */
export function writeMessageHeader(w: XmlWriter, h: MessageHeader): void {
  w.open('MessageHeader');
  writeOrgan(w, 'From', h.from);
  h.to.forEach((to) => writeOrgan(w, 'To', to));
  w.leaf('DocumentId', h.documentId);
  if (h.code) w.open('Code').leaf('CodeNumber', h.code.codeNumber).leaf('CodeNotation', h.code.codeNotation).close('Code');
  if (h.promulgationInfo) {
    w.open('PromulgationInfo').leaf('Place', h.promulgationInfo.place).leaf('PromulgationDate', h.promulgationInfo.promulgationDate).close('PromulgationInfo');
  }
  if (h.documentType) {
    w.open('DocumentType')
      .leaf('Type', h.documentType.type)
      .leaf('TypeDetail', h.documentType.typeDetail)
      .leaf('TypeName', h.documentType.typeName)
      .close('DocumentType');
  }
  w.leaf('Subject', h.subject).leaf('Content', h.content).leaf('Author', h.author);
  if (h.signerInfo) {
    w.open('SignerInfo')
      .leaf('Competence', h.signerInfo.competence)
      .leaf('Position', h.signerInfo.position)
      .leaf('FullName', h.signerInfo.fullName)
      .close('SignerInfo');
  }
  w.leaf('DueDate', h.dueDate);
  if (h.otherInfo) {
    const o = h.otherInfo;
    w.open('OtherInfo')
      .leaf('Priority', o.priority)
      .leaf('SphereOfPromulgation', o.sphereOfPromulgation)
      .leaf('TyperNotation', o.typerNotation)
      .leaf('PromulgationAmount', o.promulgationAmount)
      .leaf('PageAmount', o.pageAmount)
      .leaf('Direction', o.direction);
    if (o.appendixes.length > 0) {
      w.open('Appendixes');
      o.appendixes.forEach((appendix) => w.leaf('Appendix', appendix));
      w.close('Appendixes');
    }
    w.close('OtherInfo');
  }
  h.responseFor.forEach((reference) => writeResponseFor(w, reference));
  w.leaf('SteeringType', h.steeringType);
  if (h.toPlaces.length > 0) {
    w.open('ToPlaces');
    h.toPlaces.forEach((place) => w.leaf('Place', place));
    w.close('ToPlaces');
  }
  w.close('MessageHeader');
}

export function writeTraceHeader(w: XmlWriter, trace: TraceHeader): void {
  w.open('TraceHeader').leaf('OrganId', trace.organId).leaf('Timestamp', trace.timestamp).close('TraceHeader');
}

export function writeTraceHeaderList(w: XmlWriter, list: TraceHeaderList): void {
  w.open('TraceHeaderList');
  list.traceHeaders.forEach((trace) => writeTraceHeader(w, trace));
  const b = list.bussiness;
  if (b) {
    w.open('Bussiness')
      .leaf('DocumentId', b.documentId)
      .leaf('BussinessDocType', b.bussinessDocType)
      .leaf('BussinessDocReason', b.bussinessDocReason)
      .leaf('Paper', b.paper);
    writeStaffInfo(w, b.staffInfo);
    const info = b.bussinessDocumentInfo;
    if (info) {
      w.open('BussinessDocumentInfo').leaf('DocumentInfo', info.documentInfo).leaf('DocumentReceiver', info.documentReceiver);
      if (info.receiverList.length > 0) {
        w.open('ReceiverList');
        info.receiverList.forEach((r) => w.open('Receiver').leaf('ReceiverType', r.receiverType).leaf('OrganId', r.organId).close('Receiver'));
        w.close('ReceiverList');
      }
      w.close('BussinessDocumentInfo');
    }
    if (b.replacementInfoList.length > 0) {
      w.open('ReplacementInfoList');
      for (const replacement of b.replacementInfoList) {
        w.open('ReplacementInfo').leaf('DocumentId', replacement.documentId).open('OrganIdList');
        replacement.organIds.forEach((organId) => w.leaf('OrganId', organId));
        w.close('OrganIdList').close('ReplacementInfo');
      }
      w.close('ReplacementInfoList');
    }
    w.close('Bussiness');
  }
  w.close('TraceHeaderList');
}
