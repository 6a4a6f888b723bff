// Builds real-shaped edXML packages (QCVN 102:2016 layout, Vietnamese text, zip+base64 attachment) for the edoc tests.
import { buildEdxmlPackage, type EdxmlPackage } from '../../../src/upstreams/edxml';

export function documentPackage(options: {
  from: string;
  to: string[];
  documentId: string;
  attachment?: Buffer;
  businessDocType?: 0 | 1 | 2 | 3;
}): Buffer {
  const pkg: EdxmlPackage = {
    header: {
      from: { organId: options.from, organName: 'Ủy ban nhân dân huyện A' },
      to: options.to.map((organId) => ({ organId, organName: `Cơ quan ${organId}` })),
      documentId: options.documentId,
      code: { codeNumber: '15', codeNotation: 'UBND-VP' },
      promulgationInfo: { place: 'Đồng Xoài', promulgationDate: '2025/03/14' },
      documentType: { type: 1, typeName: 'Công văn' },
      subject: 'V/v triển khai liên thông văn bản điện tử',
      toPlaces: ['Như trên'],
      responseFor: [],
    },
    traceHeaderList: {
      traceHeaders: [{ organId: options.from, timestamp: '2025/03/14 09:15:00' }],
      bussiness: { bussinessDocType: options.businessDocType ?? 0, bussinessDocReason: 'Văn bản điện tử mới', replacementInfoList: [] },
    },
    attachments: [
      {
        contentId: 'cid:att-1',
        attachmentName: 'cong-van.zip',
        contentType: 'application/zip',
        body: { kind: 'bytes', data: options.attachment ?? Buffer.from('UEsDBBQAAAAIAA==', 'base64') },
      },
    ],
  };
  return buildEdxmlPackage(pkg);
}
