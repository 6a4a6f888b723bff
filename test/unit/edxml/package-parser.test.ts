import { randomBytes } from 'node:crypto';
import { Base64RangeReader, checkAttachmentBase64, EdxmlError, LEGACY_EDOC_NAMESPACE, openAttachmentStream, parseEdxmlPackage, type EdxmlErrorCode } from '../../../src/upstreams/edxml';
import { loadFixture, loadFixtureText, sliceBetween } from './helpers/fixtures';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function errorOf(run: () => unknown): EdxmlError {
  try {
    run();
  } catch (error) {
    if (error instanceof EdxmlError) return error;
    throw error;
  }
  throw new Error('expected an EdxmlError');
}

function expectEdxmlError(run: () => unknown, code: EdxmlErrorCode, field?: string): void {
  const error = errorOf(run);
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
}

describe('parseEdxmlPackage — QCVN 102:2016 sample', () => {
  const source = loadFixture('cong-van-qcvn102.edxml');
  const pkg = parseEdxmlPackage(source);

  it('reads the message header with Vietnamese text', () => {
    expect(pkg.sourceNamespace).toBe('qcvn-102-2016');
    expect(pkg.header.from.organId).toBe('000.00.00.H10');
    expect(pkg.header.from.organName).toBe('Văn phòng UBND tỉnh Bình Phước');
    expect(pkg.header.to.map((t) => t.organId)).toEqual(['000.00.00.G22', '000.01.01.H10']);
    expect(pkg.header.documentId).toBe('000.00.00.H10,2025/03/14,1234/UBND-KGVX');
    expect(pkg.header.code).toEqual({ codeNumber: '1234', codeNotation: 'UBND-KGVX' });
    expect(pkg.header.documentType).toEqual({ type: 1, typeDetail: '0', typeName: 'Công văn' });
    expect(pkg.header.subject).toBe('V/v triển khai kết nối, liên thông phần mềm quản lý văn bản năm 2025');
    expect(pkg.header.content).toContain('liên thông văn bản & báo cáo');
    expect(pkg.header.otherInfo).toMatchObject({ priority: 1, pageAmount: 3, direction: false, appendixes: ['Phụ lục I: Danh sách đơn vị'] });
    expect(pkg.header.toPlaces).toEqual(['Như trên', 'Lưu: VT, KGVX']);
    expect(pkg.header.steeringType).toBe(1);
  });

  it('reads the trace list and the Bussiness block', () => {
    expect(pkg.traceHeaderList.traceHeaders).toEqual([{ organId: '000.00.00.H10', timestamp: '2025/03/14 09:15:00' }]);
    expect(pkg.traceHeaderList.bussiness).toMatchObject({
      bussinessDocType: 0,
      bussinessDocReason: 'Văn bản điện tử mới',
      paper: 0,
      staffInfo: { staff: 'Trần Thị Ngọc Ánh', department: 'Phòng Hành chính - Tổ chức' },
    });
  });

  it('keeps the Signature block as the exact original bytes', () => {
    expect(pkg.signature).toBeDefined();
    expect(Buffer.from(pkg.signature?.raw ?? '', 'utf8').equals(sliceBetween(source, '<Signature>', '</Signature>'))).toBe(true);
  });

  it('describes the attachment as a range of the input buffer and decodes it as a stream', async () => {
    expect(pkg.manifest).toHaveLength(1);
    const [attachment] = pkg.attachments;
    expect(attachment).toMatchObject({ contentId: 'cid:7f3c2a10-5b1e-4c8e-9d2f-0a1b2c3d4e5f', attachmentName: '1234_UBND-KGVX.zip', contentType: 'application/zip' });
    if (attachment?.body.kind !== 'base64-range') throw new Error('expected a base64 range');
    expect(attachment.body.source).toBe(source);
    const decoded = await collect(openAttachmentStream(attachment.body));
    expect(decoded.toString('base64')).toBe(loadFixtureText('attachment.zip.b64').trim());
    expect(decoded.subarray(0, 2).toString('latin1')).toBe('PK');
  });
});

describe('parseEdxmlPackage — variants', () => {
  const reference = parseEdxmlPackage(loadFixture('cong-van-qcvn102.edxml'));

  it('normalises NFD input text to NFC but leaves the Signature bytes alone', () => {
    const source = loadFixture('cong-van-nfd.edxml');
    expect(source.toString('utf8')).not.toBe(source.toString('utf8').normalize('NFC'));
    const pkg = parseEdxmlPackage(source);
    expect(pkg.header.subject).toBe(reference.header.subject);
    expect(pkg.header.subject?.normalize('NFC')).toBe(pkg.header.subject);
    expect(pkg.header.from.organName).toBe('Văn phòng UBND tỉnh Bình Phước'.normalize('NFC'));
    const signatureBytes = sliceBetween(source, '<Signature>', '</Signature>');
    expect(Buffer.from(pkg.signature?.raw ?? '', 'utf8').equals(signatureBytes)).toBe(true);
    expect(pkg.signature?.raw).not.toBe(pkg.signature?.raw.normalize('NFC'));
  });

  it('reads a header whose children are reordered, under a different prefix', () => {
    const pkg = parseEdxmlPackage(loadFixture('cong-van-reordered.edxml'));
    expect(pkg.header).toEqual(reference.header);
  });

  it('reads the legacy e-doc.vn namespace inside a SOAP envelope', () => {
    const pkg = parseEdxmlPackage(loadFixture('legacy-edoc-soap.edxml'));
    expect(pkg.sourceNamespace).toBe('legacy-edoc');
    expect(pkg.header.subject).toBe('V/v báo cáo tình hình thực hiện nhiệm vụ quý I năm 2015');
    expect(pkg.header.from.organId).toBe('000.00.00.H10');
    expect(pkg.manifest).toEqual([{ contentId: 'cid:209', contentType: 'application/msword', attachmentName: 'bao-cao-quy-I.doc' }]);
    expect(pkg.attachments).toEqual([]);
    expect(LEGACY_EDOC_NAMESPACE).toBe('http://www.e-doc.vn/Schema/');
  });

  it('takes a Signature nested 100,000 elements deep, naming the prefix it borrows from outside', () => {
    const depth = 100_000;
    const deep = `${'<ds:x>'.repeat(depth)}${'</ds:x>'.repeat(depth)}`;
    const text = loadFixtureText('cong-van-qcvn102.edxml').replace('<Signature>', `<Signature xmlns:ds="urn:test:deep">${deep}`);
    const pkg = parseEdxmlPackage(Buffer.from(text));
    expect(pkg.signature?.raw).toContain(deep);
    const inside = loadFixtureText('cong-van-qcvn102.edxml').replace('<Signature>', `<Signature>${deep}`).replace('<edXML:edXMLEnvelope', '<edXML:edXMLEnvelope xmlns:ds="urn:test:deep"');
    expect(parseEdxmlPackage(Buffer.from(inside)).signature?.inheritedNamespaces).toMatchObject({ ds: 'urn:test:deep' });
  });

  it('reads the legacy namespace in the QCVN 102 layout', () => {
    const text = loadFixtureText('cong-van-qcvn102.edxml').replace(/http:\/\/www\.mic\.gov\.vn\/TBT\/QCVN_102_2016/g, LEGACY_EDOC_NAMESPACE);
    const pkg = parseEdxmlPackage(Buffer.from(text));
    expect(pkg.sourceNamespace).toBe('legacy-edoc');
    expect(pkg.header).toEqual(reference.header);
  });
});

describe('parseEdxmlPackage — rejections', () => {
  const base = loadFixtureText('cong-van-qcvn102.edxml');
  const parseText = (text: string) => () => parseEdxmlPackage(Buffer.from(text, 'utf8'));

  it('rejects a DOCTYPE before parsing', () => {
    expectEdxmlError(() => parseEdxmlPackage(loadFixture('doctype.edxml')), 'EDXML_DOCTYPE_FORBIDDEN');
  });

  it('rejects entity declarations', () => {
    expectEdxmlError(() => parseEdxmlPackage(loadFixture('entities.edxml')), 'EDXML_ENTITY_FORBIDDEN');
  });

  it('rejects references to undeclared entities', () => {
    expectEdxmlError(parseText(base.replace('Công văn</edXML:TypeName>', '&nbsp;</edXML:TypeName>')), 'EDXML_ENTITY_FORBIDDEN');
  });

  it('reports a missing From OrganId', () => {
    expectEdxmlError(parseText(base.replace('<edXML:OrganId>000.00.00.H10</edXML:OrganId>', '')), 'EDXML_MISSING_FIELD', 'MessageHeader/From/OrganId');
  });

  it('reports a missing To OrganId with its position', () => {
    expectEdxmlError(parseText(base.replace('<edXML:OrganId>000.01.01.H10</edXML:OrganId>', '')), 'EDXML_MISSING_FIELD', 'MessageHeader/To[2]/OrganId');
  });

  it('reports a package with no recipient', () => {
    expectEdxmlError(parseText(base.replace(/<edXML:To>[\s\S]*?<\/edXML:To>/g, '')), 'EDXML_MISSING_FIELD', 'MessageHeader/To');
  });

  it('reports a missing DocumentId', () => {
    expectEdxmlError(parseText(base.replace(/<edXML:DocumentId>[^<]*<\/edXML:DocumentId>/, '')), 'EDXML_MISSING_FIELD', 'MessageHeader/DocumentId');
  });

  it('reports a badly formed organ id', () => {
    expectEdxmlError(parseText(base.replace('000.00.00.G22</edXML:OrganId>', '000.00.00/G22; DROP</edXML:OrganId>')), 'EDXML_INVALID_ORGAN_ID', 'MessageHeader/To[1]/OrganId');
  });

  it('applies the strict organ id pattern on request', () => {
    const text = base.replace('000.00.00.G22</edXML:OrganId>', '28.22.H17</edXML:OrganId>');
    expect(parseEdxmlPackage(Buffer.from(text)).header.to[0]?.organId).toBe('28.22.H17');
    expectEdxmlError(() => parseEdxmlPackage(Buffer.from(text), { organIdPolicy: 'strict' }), 'EDXML_INVALID_ORGAN_ID', 'MessageHeader/To[1]/OrganId');
  });

  it('reports a duplicated single-valued field', () => {
    const text = base.replace('<edXML:DueDate>2025/04/30</edXML:DueDate>', '<edXML:DueDate>2025/04/30</edXML:DueDate><edXML:DueDate>2025/05/30</edXML:DueDate>');
    expectEdxmlError(parseText(text), 'EDXML_DUPLICATE_FIELD', 'MessageHeader/DueDate');
  });

  it('reports an unknown BussinessDocType and a non-numeric Priority', () => {
    expectEdxmlError(parseText(base.replace('<edXML:BussinessDocType>0<', '<edXML:BussinessDocType>7<')), 'EDXML_INVALID_VALUE', 'TraceHeaderList/Bussiness/BussinessDocType');
    expectEdxmlError(parseText(base.replace('<edXML:Priority>1<', '<edXML:Priority>khẩn<')), 'EDXML_INVALID_VALUE', 'MessageHeader/OtherInfo/Priority');
  });

  it('reports malformed XML, foreign namespaces, foreign roots and non-UTF-8 input', () => {
    expectEdxmlError(parseText(base.replace('</edXML:Subject>', '</edXML:Subjekt>')), 'EDXML_MALFORMED_XML');
    expectEdxmlError(parseText(base.replace(/http:\/\/www\.mic\.gov\.vn\/TBT\/QCVN_102_2016/g, 'urn:other')), 'EDXML_UNKNOWN_NAMESPACE');
    expectEdxmlError(parseText('<?xml version="1.0"?><html><body/></html>'), 'EDXML_NOT_EDXML');
    expectEdxmlError(parseText(base.replace('encoding="UTF-8"', 'encoding="windows-1258"')), 'EDXML_UNSUPPORTED_ENCODING');
    const latin = Buffer.from(base, 'utf8');
    latin[latin.indexOf('Bình')] = 0xff;
    expectEdxmlError(() => parseEdxmlPackage(latin), 'EDXML_INVALID_UTF8');
  });

  it('reports an attachment body that is not base64 when it is read', async () => {
    const text = base.replace(/(<edXML:ContentTransferEncoded[^>]*>)UEsD/, '$1UE*D');
    const pkg = parseEdxmlPackage(Buffer.from(text));
    const body = pkg.attachments[0]?.body;
    if (!body) throw new Error('no attachment');
    await expect(collect(openAttachmentStream(body))).rejects.toMatchObject({ code: 'EDXML_INVALID_BASE64' });
  });

  it('reads base64 with line breaks and trailing padding; refuses data after padding and bytes outside the alphabet', async () => {
    const range = (text: string) => ({ kind: 'base64-range' as const, source: Buffer.from(`<x>${text}</x>`, 'latin1'), start: 3, end: 3 + text.length });
    const bytes = Buffer.from('Giấy khai sinh — bản sao điện tử', 'utf8');
    const wrapped = bytes.toString('base64').replace(/(.{8})/g, '$1\r\n');
    expect((await collect(openAttachmentStream(range(wrapped)))).equals(bytes)).toBe(true);
    expect((await collect(openAttachmentStream(range('QUI= \n')))).toString()).toBe('AB');
    for (const bad of ['QU=JD', 'QUJD\u00e9', 'QU-J', 'QUJD\u0000']) {
      await expect(collect(openAttachmentStream(range(bad)))).rejects.toMatchObject({ code: 'EDXML_INVALID_BASE64' });
    }
  });

  it('decodes in place, across windows, the same bytes as Node\'s decoder', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 400; round++) {
      const bytes = randomBytes(next() % 300);
      let text = bytes.toString('base64');
      if (round % 3 === 1) text = text.replace(/=+$/, '');
      if (round % 4 === 2) text = text.replace(/(.{1,9})/g, (run) => `${run}${['\r\n', ' ', '\t', '\n'][next() % 4]}`);
      const source = Buffer.from(`<x>${text}</x>`, 'latin1');
      const reader = new Base64RangeReader({ kind: 'base64-range', source, start: 3, end: 3 + text.length });
      const window = 1 + (next() % 17);
      let written = 0;
      do written += reader.read(window, source, 3 + written);
      while (!reader.done);
      expect(source.subarray(3, 3 + written).equals(bytes)).toBe(true);
    }
  });

  it('checks, four and two characters a step, every body as the decoder reads it: any window, any byte at any place, any alignment', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const verdict = (text: string, run: (reader: Base64RangeReader, window: number) => void, window: number): string => {
      // The body at any offset from a 4-byte boundary of its memory.
      const pad = '<'.repeat(text.length % 4);
      const reader = new Base64RangeReader({ kind: 'base64-range', source: Buffer.from(`${pad}<x>${text}</x>`, 'latin1'), start: pad.length + 3, end: pad.length + 3 + text.length });
      try {
        do run(reader, window);
        while (!reader.done);
        return 'ok';
      } catch (error) {
        return (error as EdxmlError).message;
      }
    };
    const decode = (reader: Base64RangeReader, window: number) => reader.read(window, Buffer.alloc(window + 3), 0);
    const check = (reader: Base64RangeReader, window: number) => reader.check(window);
    const strays = ['=', '==', ' ', '\r\n', '\t', '*', '\u00e9', '\u0000', '-', 'A', 'QQ'];
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      // A third of the bodies long enough, and read in windows wide enough, for the check's 4-byte words.
      const long = round % 3 === 0;
      let text = randomBytes(next() % (long ? 300 : 40)).toString('base64');
      if (round % 2 === 1) text = text.replace(/=+$/, '');
      // One or two strays at any place: padding inside, bytes outside the alphabet, whitespace, a character too many.
      for (let n = 1 + (next() % 2); n > 0 && round % 5 !== 0; n--) {
        const at = next() % (text.length + 1);
        text = text.slice(0, at) + strays[next() % strays.length]! + text.slice(at);
      }
      const window = 1 + (next() % (long ? 500 : 9));
      const expected = verdict(text, decode, window);
      if (expected !== 'ok') refused++;
      expect([text, verdict(text, check, window)]).toEqual([text, expected]);
    }
    // The rounds tried both sides of the rules.
    expect(refused).toBeGreaterThan(500);
    expect(refused).toBeLessThan(2500);
  });

  it('checks a body without decoding it exactly as the decoder reads it', async () => {
    const range = (text: string) => ({ kind: 'base64-range' as const, source: Buffer.from(`<x>${text}</x>`, 'latin1'), start: 3, end: 3 + text.length });
    const step = () => Promise.resolve();
    const large = randomBytes(3 * 1024 * 1024 + 7).toString('base64').replace(/(.{76})/g, '$1\r\n');
    for (const good of ['', 'QUI= \n', 'QUJD', 'QUJ', 'QQ==', large]) {
      await expect(checkAttachmentBase64(range(good), step)).resolves.toBeUndefined();
      await expect(collect(openAttachmentStream(range(good)))).resolves.toBeInstanceOf(Buffer);
    }
    for (const bad of ['QU=JD', 'QUJD\u00e9', 'QU-J', 'QUJD\u0000', 'QUJDR', 'Q', `${large}A`, `${large.slice(0, 2_000_000)}*${large.slice(2_000_000)}`]) {
      await expect(checkAttachmentBase64(range(bad), step)).rejects.toMatchObject({ code: 'EDXML_INVALID_BASE64' });
      await expect(collect(openAttachmentStream(range(bad)))).rejects.toMatchObject({ code: 'EDXML_INVALID_BASE64' });
    }
  });
});
