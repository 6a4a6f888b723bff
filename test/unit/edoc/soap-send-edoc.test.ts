// SendEdoc's package is taken out of the raw envelope and decoded in place: the bytes that come out are the package's
// own, the envelope left for node-soap is the rest; what this reader does not take apart is left to node-soap whole.
import { createHash, randomBytes } from 'node:crypto';
import { takeApartSendEdoc } from '../../../src/flows/edoc/soap-send-edoc';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';

const envelope = (inner: string, soapNamespace = 'http://schemas.xmlsoap.org/soap/envelope/') =>
  Buffer.from(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${soapNamespace}" xmlns:e="urn:lgsp:edoc:1.0"><soap:Header/><soap:Body>${inner}</soap:Body></soap:Envelope>`);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('takeApartSendEdoc', () => {
  const pkg = documentPackage({ from: '000.00.01.H10', to: ['000.00.02.H10'], documentId: '000.00.01.H10,2025/03/14,1/UBND-VP', attachment: randomBytes(3 * 1024 * 1024 + 7) });

  test('a SendEdoc: the package comes out byte for byte, base64 line breaks or not, SOAP 1.1 or 1.2; the envelope keeps the rest', async () => {
    const wrapped = pkg.toString('base64').replace(/.{76}/g, '$&\r\n');
    for (const [text, soapNamespace] of [
      [pkg.toString('base64'), undefined],
      [wrapped, undefined],
      [pkg.toString('base64'), 'http://www.w3.org/2003/05/soap-envelope'],
    ] as const) {
      const parts = await takeApartSendEdoc(envelope(`<e:SendEdoc>\n  <e:edXML>${text}</e:edXML>\n</e:SendEdoc>`, soapNamespace));
      if (parts.kind !== 'send-edoc') throw new Error(`expected send-edoc, got ${parts.kind}`);
      expect(sha256(parts.edxml)).toBe(sha256(pkg));
      expect(parts.envelope.toString('utf8')).toBe(envelope('<e:SendEdoc>\n  <e:edXML></e:edXML>\n</e:SendEdoc>', soapNamespace).toString('utf8'));
    }
  });

  test('other operations, and an edXML with character references, CDATA or nothing in it, are left to node-soap whole', async () => {
    const base64 = pkg.toString('base64');
    for (const inner of [
      '<e:GetReceivedEdocList><e:kind>edoc</e:kind></e:GetReceivedEdocList>',
      `<e:SendEdoc><e:edXML>${base64.slice(0, 76)}&#13;\n${base64.slice(76)}</e:edXML></e:SendEdoc>`,
      `<e:SendEdoc><e:edXML><![CDATA[${base64}]]></e:edXML></e:SendEdoc>`,
      '<e:SendEdoc><e:edXML/></e:SendEdoc>',
      `<SendEdoc><edXML>${base64}</edXML></SendEdoc>`,
    ]) {
      const body = envelope(inner);
      const before = Buffer.from(body);
      expect((await takeApartSendEdoc(body)).kind).toBe('other');
      expect(body.equals(before)).toBe(true);
    }
  });

  test('an edXML that is not base64 is refused; a body that is not well-formed XML is malformed', async () => {
    expect(await takeApartSendEdoc(envelope('<e:SendEdoc><e:edXML>UEsD*BQAAAAIAA==</e:edXML></e:SendEdoc>'))).toEqual({ kind: 'invalid-base64', message: 'edXML is not valid base64' });
    expect(await takeApartSendEdoc(envelope('<e:SendEdoc><e:edXML>QUJD</e:edXML></e:SendEdoc>').subarray(0, 150))).toEqual({ kind: 'malformed' });
    expect(await takeApartSendEdoc(Buffer.from('not xml at all'))).toEqual({ kind: 'malformed' });
  });
});
