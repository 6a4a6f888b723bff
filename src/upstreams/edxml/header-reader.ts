// Maps MessageHeader, TraceHeaderList and their shared sub-blocks from the scanned tree onto the typed model.
import type { ElementReader } from './element-reader';
import type {
  Bussiness,
  BussinessDocType,
  MessageHeader,
  Organ,
  OtherInfo,
  ResponseFor,
  StaffInfo,
  TraceHeaderList,
} from './types';
import type { XmlElement } from './xml-scanner';

export class HeaderReader {
  constructor(private readonly read: ElementReader) {}

  organ(element: XmlElement | undefined, path: string): Organ {
    if (!element) return { organId: '' };
    const r = this.read;
    return {
      organId: r.requiredText(element, 'OrganId', path),
      organizationInCharge: r.optionalText(element, 'OrganizationInCharge', path),
      organName: r.optionalText(element, 'OrganName', path),
      organAdd: r.optionalText(element, 'OrganAdd', path),
      email: r.optionalText(element, 'Email', path),
      telephone: r.optionalText(element, 'Telephone', path),
      fax: r.optionalText(element, 'Fax', path),
      website: r.optionalText(element, 'Website', path),
    };
  }

  responseFor(element: XmlElement, path: string): ResponseFor {
    const r = this.read;
    return {
      organId: r.requiredText(element, 'OrganId', path),
      code: r.optionalText(element, 'Code', path),
      promulgationDate: r.optionalText(element, 'PromulgationDate', path),
      documentId: r.optionalText(element, 'DocumentId', path),
    };
  }

  staffInfo(element: XmlElement | undefined, path: string): StaffInfo | undefined {
    if (!element) return undefined;
    const r = this.read;
    return {
      department: r.optionalText(element, 'Department', path),
      staff: r.optionalText(element, 'Staff', path),
      mobile: r.optionalText(element, 'Mobile', path),
      email: r.optionalText(element, 'Email', path),
    };
  }

  /** Children are looked up by name, so their order does not matter. */
  messageHeader(element: XmlElement): MessageHeader {
    const r = this.read;
    const path = 'MessageHeader';
    const code = r.child(element, 'Code', path);
    const promulgation = r.child(element, 'PromulgationInfo', path);
    const documentType = r.child(element, 'DocumentType', path);
    const signer = r.child(element, 'SignerInfo', path);
    const toPlaces = r.child(element, 'ToPlaces', path);
    const otherInfo = r.child(element, 'OtherInfo', path);
    return {
      from: this.organ(r.child(element, 'From', path), `${path}/From`),
      to: r.children(element, 'To').map((to, i) => this.organ(to, `${path}/To[${i + 1}]`)),
      documentId: r.requiredText(element, 'DocumentId', path),
      code: code && {
        codeNumber: r.optionalText(code, 'CodeNumber', `${path}/Code`),
        codeNotation: r.optionalText(code, 'CodeNotation', `${path}/Code`),
      },
      promulgationInfo: promulgation && {
        place: r.optionalText(promulgation, 'Place', `${path}/PromulgationInfo`),
        promulgationDate: r.optionalText(promulgation, 'PromulgationDate', `${path}/PromulgationInfo`),
      },
      documentType: documentType && {
        type: r.optionalInteger(documentType, 'Type', `${path}/DocumentType`),
        typeDetail: r.optionalText(documentType, 'TypeDetail', `${path}/DocumentType`),
        typeName: r.optionalText(documentType, 'TypeName', `${path}/DocumentType`),
      },
      subject: r.optionalText(element, 'Subject', path),
      content: r.optionalText(element, 'Content', path),
      author: r.optionalText(element, 'Author', path),
      signerInfo: signer && {
        competence: r.optionalText(signer, 'Competence', `${path}/SignerInfo`),
        position: r.optionalText(signer, 'Position', `${path}/SignerInfo`),
        fullName: r.optionalText(signer, 'FullName', `${path}/SignerInfo`),
      },
      dueDate: r.optionalText(element, 'DueDate', path),
      toPlaces: toPlaces ? r.textList(toPlaces, 'Place') : [],
      otherInfo: otherInfo && this.otherInfo(otherInfo, `${path}/OtherInfo`),
      responseFor: r.children(element, 'ResponseFor').map((e, i) => this.responseFor(e, `${path}/ResponseFor[${i + 1}]`)),
      steeringType: r.optionalInteger(element, 'SteeringType', path),
    };
  }

  private otherInfo(element: XmlElement, path: string): OtherInfo {
    const r = this.read;
    const appendixes = r.child(element, 'Appendixes', path);
    return {
      priority: r.optionalInteger(element, 'Priority', path),
      sphereOfPromulgation: r.optionalText(element, 'SphereOfPromulgation', path),
      typerNotation: r.optionalText(element, 'TyperNotation', path),
      promulgationAmount: r.optionalInteger(element, 'PromulgationAmount', path),
      pageAmount: r.optionalInteger(element, 'PageAmount', path),
      direction: r.optionalBoolean(element, 'Direction', path),
      appendixes: appendixes ? r.textList(appendixes, 'Appendix') : [],
    };
  }

  traceHeaderList(element: XmlElement | undefined): TraceHeaderList {
    if (!element) return { traceHeaders: [] };
    const r = this.read;
    const path = 'TraceHeaderList';
    const bussiness = r.child(element, 'Bussiness', path);
    return {
      traceHeaders: r.children(element, 'TraceHeader').map((trace, i) => ({
        organId: r.requiredText(trace, 'OrganId', `${path}/TraceHeader[${i + 1}]`),
        timestamp: r.requiredText(trace, 'Timestamp', `${path}/TraceHeader[${i + 1}]`),
      })),
      bussiness: bussiness && this.bussiness(bussiness, `${path}/Bussiness`),
    };
  }

  private bussiness(element: XmlElement, path: string): Bussiness {
    const r = this.read;
    const docType = r.requiredInteger(element, 'BussinessDocType', path);
    const documentInfo = r.child(element, 'BussinessDocumentInfo', path);
    const receiverList = documentInfo && r.child(documentInfo, 'ReceiverList', `${path}/BussinessDocumentInfo`);
    const replacementList = r.child(element, 'ReplacementInfoList', path);
    return {
      bussinessDocType: docType as BussinessDocType, // range-checked by validateTraceHeaderList
      bussinessDocReason: r.optionalText(element, 'BussinessDocReason', path),
      documentId: r.optionalText(element, 'DocumentId', path),
      paper: r.optionalInteger(element, 'Paper', path),
      staffInfo: this.staffInfo(r.child(element, 'StaffInfo', path), `${path}/StaffInfo`),
      bussinessDocumentInfo: documentInfo && {
        documentInfo: r.optionalText(documentInfo, 'DocumentInfo', `${path}/BussinessDocumentInfo`),
        documentReceiver: r.optionalText(documentInfo, 'DocumentReceiver', `${path}/BussinessDocumentInfo`),
        receiverList: receiverList
          ? r.children(receiverList, 'Receiver').map((receiver, i) => {
              const receiverPath = `${path}/BussinessDocumentInfo/ReceiverList/Receiver[${i + 1}]`;
              return {
                receiverType: r.requiredInteger(receiver, 'ReceiverType', receiverPath),
                organId: r.requiredText(receiver, 'OrganId', receiverPath),
              };
            })
          : [],
      },
      replacementInfoList: replacementList
        ? r.children(replacementList, 'ReplacementInfo').map((info, i) => {
            const infoPath = `${path}/ReplacementInfoList/ReplacementInfo[${i + 1}]`;
            const organIdList = r.child(info, 'OrganIdList', infoPath);
            return {
              documentId: r.requiredText(info, 'DocumentId', infoPath),
              organIds: organIdList ? r.textList(organIdList, 'OrganId') : [],
            };
          })
        : [],
    };
  }
}
