import { buildEdxmlStatus, EdxmlError, parseEdxmlPackage, parseEdxmlStatus, STATUS_CODES, type EdxmlStatusMessage } from '../../../src/upstreams/edxml';
import { loadFixture, loadFixtureText } from './helpers/fixtures';

function errorOf(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (error) {
    if (error instanceof EdxmlError) return `${error.code}@${error.field ?? ''}`;
    throw error;
  }
  return undefined;
}

describe('status messages', () => {
  it('reads the VXP SDK shape (fields straight under MessageHeader, no To) as it reads the wrapped one', () => {
    const sdk = parseEdxmlStatus(loadFixture('status-sdk-01-da-den.edxml'));
    const wrapped = parseEdxmlStatus(loadFixture('status-01-da-den.edxml'));
    expect(sdk).toMatchObject({
      statusCode: '01',
      responseFor: wrapped.responseFor,
      from: { organId: '000.01.01.H10', organizationInCharge: 'UBND tỉnh Bình Phước', telephone: '02713879999' },
      description: wrapped.description,
      timestamp: wrapped.timestamp,
      staffInfo: wrapped.staffInfo,
    });
    expect(parseEdxmlStatus(loadFixture('status-sdk-03-da-tiep-nhan.edxml')).statusCode).toBe('03');
  });

  it('an SDK-shaped status is not taken for a document package lacking its To', () => {
    expect(errorOf(() => parseEdxmlPackage(loadFixture('status-sdk-01-da-den.edxml')))).toBe('EDXML_STATUS_PACKET@MessageHeader');
    // The wrapped shape has no MessageHeader at all.
    expect(errorOf(() => parseEdxmlPackage(loadFixture('status-01-da-den.edxml')))).toBe('EDXML_MISSING_FIELD@MessageHeader');
  });

  it('writes the SDK shape: no <Status> wrapper, no To, fields in the SDK order', () => {
    const xml = buildEdxmlStatus(parseEdxmlStatus(loadFixture('status-01-da-den.edxml'))).toString('utf8');
    expect(xml).not.toMatch(/<edXML:Status\b/);
    expect(xml).not.toContain('<edXML:To>');
    const header = /<edXML:edXMLHeader>\s*<edXML:MessageHeader>([\s\S]*)<\/edXML:MessageHeader>\s*<\/edXML:edXMLHeader>/.exec(xml)?.[1] ?? '';
    const order = [...header.matchAll(/^\s*<edXML:(\w+)>/gm)].map((m) => m[1]).filter((name) => ['From', 'ResponseFor', 'StaffInfo', 'StatusCode', 'Description', 'Timestamp'].includes(name!));
    expect(order).toEqual(['From', 'ResponseFor', 'StaffInfo', 'StatusCode', 'Description', 'Timestamp']);
  });

  it('parses a 01 "đã đến" status', () => {
    const status = parseEdxmlStatus(loadFixture('status-01-da-den.edxml'));
    expect(status).toMatchObject({
      statusCode: '01',
      responseFor: { organId: '000.00.00.H10', code: '1234/UBND-KGVX', documentId: '000.00.00.H10,2025/03/14,1234/UBND-KGVX' },
      from: { organId: '000.01.01.H10', organName: 'Sở Thông tin và Truyền thông tỉnh Bình Phước' },
      timestamp: '2025/03/14 10:02:31',
      staffInfo: { staff: 'Lê Thị Hoài' },
    });
    expect(status.description).toMatch(/^Văn thư - Phòng Văn thư - Lưu trữ: Đã đến/);
  });

  it('round-trips every known code through build and parse', () => {
    const base = parseEdxmlStatus(loadFixture('status-02-tu-choi.edxml'));
    for (const code of Object.keys(STATUS_CODES) as Array<keyof typeof STATUS_CODES>) {
      const message: EdxmlStatusMessage = { ...base, statusCode: code, description: STATUS_CODES[code] };
      const xml = buildEdxmlStatus(message);
      expect(xml.toString('utf8')).toContain(`<edXML:StatusCode>${code}</edXML:StatusCode>`);
      expect(parseEdxmlStatus(xml)).toEqual(message);
    }
  });

  it('normalises an NFD description and a one-digit code', () => {
    const text = loadFixtureText('status-02-tu-choi.edxml')
      .replace('<edXML:StatusCode>02<', '<edXML:StatusCode>2<')
      .replace('Từ chối tiếp nhận', 'Từ chối tiếp nhận'.normalize('NFD'));
    const status = parseEdxmlStatus(text);
    expect(status.statusCode).toBe('02');
    expect(status.description).toBe('Từ chối tiếp nhận: văn bản gửi nhầm đơn vị');
  });

  it('rejects unknown codes, missing organ ids and DOCTYPEs', () => {
    const text = loadFixtureText('status-01-da-den.edxml');
    const codeOf = (input: string): string | undefined => errorOf(() => parseEdxmlStatus(input));
    expect(codeOf(text.replace('>01<', '>07<'))).toBe('EDXML_INVALID_STATUS_CODE@Status/StatusCode');
    expect(codeOf(text.replace('<edXML:OrganId>000.01.01.H10</edXML:OrganId>', ''))).toBe('EDXML_MISSING_FIELD@Status/From/OrganId');
    expect(codeOf(text.replace('<edXML xmlns', '<!DOCTYPE edXML>\n<edXML xmlns'))).toBe('EDXML_DOCTYPE_FORBIDDEN@');
    const sdk = loadFixtureText('status-sdk-01-da-den.edxml');
    expect(codeOf(sdk.replace('>01<', '>07<'))).toBe('EDXML_INVALID_STATUS_CODE@MessageHeader/StatusCode');
    expect(codeOf(sdk.replace(/<edXML:Timestamp>[^<]*<\/edXML:Timestamp>/, ''))).toBe('EDXML_MISSING_FIELD@MessageHeader/Timestamp');
    const built = parseEdxmlStatus(text);
    expect(() => buildEdxmlStatus({ ...built, statusCode: '99' as '01' })).toThrow(expect.objectContaining({ code: 'EDXML_INVALID_STATUS_CODE' }));
  });
});
