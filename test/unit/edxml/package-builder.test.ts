import {
  buildEdxmlPackage,
  formatEdxmlTimestamp,
  openAttachmentStream,
  parseEdxmlPackage,
  type EdxmlPackage,
  type ParsedEdxmlPackage,
} from '../../../src/upstreams/edxml';
import { loadFixture } from './helpers/fixtures';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The comparable content of a parsed package: everything except where in which buffer it came from. */
async function contentOf(pkg: ParsedEdxmlPackage) {
  return {
    header: pkg.header,
    traceHeaderList: pkg.traceHeaderList,
    signatureRaw: pkg.signature?.raw,
    manifest: pkg.manifest,
    attachments: await Promise.all(
      pkg.attachments.map(async ({ body, ...meta }) => ({ ...meta, bytes: (await collect(openAttachmentStream(body))).toString('base64') })),
    ),
  };
}


describe('buildEdxmlPackage', () => {
  const source = loadFixture('cong-van-qcvn102.edxml');
  const parsed = parseEdxmlPackage(source);

  it('round-trips parse → build → parse to equal content', async () => {
    const rebuilt = parseEdxmlPackage(buildEdxmlPackage(parsed));
    expect(await contentOf(rebuilt)).toEqual(await contentOf(parsed));
  });

  it('round-trips the reordered, NFD and legacy packages into QCVN 102 form', async () => {
    for (const name of ['cong-van-reordered.edxml', 'cong-van-nfd.edxml', 'legacy-edoc-soap.edxml']) {
      const original = parseEdxmlPackage(loadFixture(name));
      const rebuilt = parseEdxmlPackage(buildEdxmlPackage(original));
      expect(rebuilt.sourceNamespace).toBe('qcvn-102-2016');
      expect(rebuilt.header).toEqual(original.header);
      expect(rebuilt.signature?.raw).toBe(original.signature?.raw);
    }
  });

  it('writes explicit edXML: prefixes and keeps AttachmentEncoded outside the envelope', () => {
    const text = buildEdxmlPackage(parsed).toString('utf8');
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<edXML xmlns="http:\/\/www\.mic\.gov\.vn\/TBT\/QCVN_102_2016">/);
    expect(text).toContain('<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">');
    expect(text).toContain('<edXML:Subject>V/v triển khai kết nối');
    expect(text).not.toMatch(/<(MessageHeader|From|To|Subject|TraceHeader)>/);
    expect(text.indexOf('</edXML:edXMLEnvelope>')).toBeLessThan(text.indexOf('<AttachmentEncoded>'));
    expect(text).toContain('<edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">UEsD');
    expect(text).toContain('&amp; báo cáo');
  });

  it('builds a new package from plain values and raw attachment bytes', async () => {
    const file = Buffer.from('Nội dung tờ trình số 56/TTr-STTTT', 'utf8');
    const pkg: EdxmlPackage = {
      header: {
        from: { organId: '000.01.01.H10', organName: 'Sở Thông tin và Truyền thông' },
        to: [{ organId: '000.00.00.H10', organName: 'UBND tỉnh Bình Phước' }],
        documentId: '000.01.01.H10,2025/03/20,56/TTr-STTTT',
        subject: 'Tờ trình về việc phê duyệt kế hoạch chuyển đổi số'.normalize('NFD'),
        toPlaces: [],
        responseFor: [],
      },
      traceHeaderList: { traceHeaders: [{ organId: '000.01.01.H10', timestamp: formatEdxmlTimestamp(new Date('2025-03-20T01:30:00Z')) }] },
      attachments: [{ contentId: 'cid:1', attachmentName: 'to-trinh.txt', contentType: 'text/plain', body: { kind: 'bytes', data: file } }],
    };
    const reparsed = parseEdxmlPackage(buildEdxmlPackage(pkg));
    expect(reparsed.header.subject).toBe('Tờ trình về việc phê duyệt kế hoạch chuyển đổi số'.normalize('NFC'));
    expect(reparsed.traceHeaderList.traceHeaders[0]?.timestamp).toBe('2025/03/20 08:30:00');
    expect(reparsed.signature).toBeUndefined();
    const body = reparsed.attachments[0]?.body;
    if (!body) throw new Error('no attachment');
    expect((await collect(openAttachmentStream(body))).equals(file)).toBe(true);
  });

  it('refuses to build a package that would not parse', () => {
    const broken = { ...parsed, header: { ...parsed.header, to: [] } };
    expect(() => buildEdxmlPackage(broken)).toThrow(expect.objectContaining({ code: 'EDXML_MISSING_FIELD', field: 'MessageHeader/To' }));
  });
});
