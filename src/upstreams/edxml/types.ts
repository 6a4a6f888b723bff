// Data model of an edXML document package (QCVN 102:2016): message header, trace list, signature and attachments.
import type { EdxmlNamespaceKind } from './namespaces';

/** A sending or receiving organ (From / To / Status From). */
export interface Organ {
  /** Mã định danh điện tử cơ quan, e.g. `000.00.00.G22`. */
  organId: string;
  /** Described as "mã đơn vị chủ quản"; real packages put a name here. */
  organizationInCharge?: string;
  organName?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

/** Số và ký hiệu văn bản. */
export interface DocumentCode {
  codeNumber?: string;
  codeNotation?: string;
}

export interface PromulgationInfo {
  place?: string;
  /** `yyyy/MM/dd`, kept as written. */
  promulgationDate?: string;
}

export interface DocumentType {
  /** Loại văn bản code; the code table is not settled (VPCP uses 1, a provincial builder 18 for Công văn). */
  type?: number;
  typeDetail?: string;
  typeName?: string;
}

export interface SignerInfo {
  competence?: string;
  position?: string;
  fullName?: string;
}

export interface OtherInfo {
  /** Độ khẩn: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ. */
  priority?: number;
  sphereOfPromulgation?: string;
  typerNotation?: string;
  promulgationAmount?: number;
  pageAmount?: number;
  direction?: boolean;
  appendixes: string[];
}

/** The earlier document this one answers or a status message refers to. */
export interface ResponseFor {
  organId: string;
  code?: string;
  promulgationDate?: string;
  documentId?: string;
}

export interface MessageHeader {
  from: Organ;
  /** One or more main recipients. */
  to: Organ[];
  /** `<senderOrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`. */
  documentId: string;
  code?: DocumentCode;
  promulgationInfo?: PromulgationInfo;
  documentType?: DocumentType;
  /** Trích yếu. */
  subject?: string;
  content?: string;
  // Author is not in the sourced QCVN field table; it is read and written only when present.
  author?: string;
  signerInfo?: SignerInfo;
  /** Hạn xử lý, `yyyy/MM/dd`. */
  dueDate?: string;
  /** Nơi nhận for archiving, not the routing recipients. */
  toPlaces: string[];
  otherInfo?: OtherInfo;
  responseFor: ResponseFor[];
  /** Sources disagree on the codes (0 or 1 for "không phải chỉ đạo"); the number is kept as written. */
  steeringType?: number;
}

export interface TraceHeader {
  organId: string;
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string;
}

export const BUSSINESS_DOC_TYPE = { NEW: 0, REVOKE: 1, UPDATE: 2, REPLACE: 3 } as const;
export type BussinessDocType = (typeof BUSSINESS_DOC_TYPE)[keyof typeof BUSSINESS_DOC_TYPE];

export interface StaffInfo {
  department?: string;
  staff?: string;
  mobile?: string;
  email?: string;
}

/** ReceiverType 0 = unit removed from the recipients, 1 = unit added. */
export interface Receiver {
  receiverType: number;
  organId: string;
}

export interface BussinessDocumentInfo {
  documentInfo?: string;
  documentReceiver?: string;
  receiverList: Receiver[];
}

export interface ReplacementInfo {
  documentId: string;
  organIds: string[];
}

/** The `Bussiness` block (the misspelling is the standard's). */
export interface Bussiness {
  bussinessDocType: BussinessDocType;
  bussinessDocReason?: string;
  /** The document revoked, updated or replaced. */
  documentId?: string;
  paper?: number;
  staffInfo?: StaffInfo;
  bussinessDocumentInfo?: BussinessDocumentInfo;
  replacementInfoList: ReplacementInfo[];
}

export interface TraceHeaderList {
  traceHeaders: TraceHeader[];
  bussiness?: Bussiness;
}

/** The XML-DSig block exactly as received; it is never re-serialised. */
export interface SignatureBlock {
  /** The original bytes of the element, decoded as UTF-8 and never normalised. */
  raw: string;
  /** Prefix bindings the block uses but inherited from ancestors; the builder re-declares them. */
  inheritedNamespaces: Record<string, string>;
}

export interface ManifestReference {
  contentId: string;
  contentType?: string;
  description?: string;
  attachmentName?: string;
}

/** Base64 text of an attachment left inside the package buffer it came in: `source[start, end)`. */
export interface Base64RangeBody {
  kind: 'base64-range';
  source: Buffer;
  start: number;
  end: number;
}

/** Raw (decoded) attachment bytes supplied by a caller who is building a package. */
export interface BytesBody {
  kind: 'bytes';
  data: Buffer;
}

export type AttachmentBody = Base64RangeBody | BytesBody;

export interface EdxmlAttachment {
  /** `cid:<id>`, matching the manifest Reference. */
  contentId: string;
  attachmentName: string;
  contentType: string;
  description?: string;
  body: AttachmentBody;
}

/** What the builder needs to write a package. */
export interface EdxmlPackage {
  header: MessageHeader;
  traceHeaderList: TraceHeaderList;
  signature?: SignatureBlock;
  attachments: EdxmlAttachment[];
}

export interface ParsedEdxmlPackage extends EdxmlPackage {
  sourceNamespace: EdxmlNamespaceKind;
  manifest: ManifestReference[];
  /** The input buffer itself (not a copy); attachment bodies point into it. */
  source: Buffer;
}
