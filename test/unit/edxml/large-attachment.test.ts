import { createHash, randomBytes } from 'node:crypto';
import {
  buildEdxmlPackage,
  decodedByteLength,
  openAttachmentStream,
  parseEdxmlPackage,
  type EdxmlPackage,
} from '../../../src/upstreams/edxml';
import { mebibytes, PeakMemoryTracker } from './helpers/memory';

const ATTACHMENT_BYTES = 20 * 1024 * 1024;
// Generous bounds: well under one copy of the 20 MiB attachment, so any full copy or full decode fails the test.
const PARSE_BOUND = 2 * 1024 * 1024;
const STREAM_BOUND = 16 * 1024 * 1024;

describe('a 20 MiB attachment', () => {
  let packageBytes: Buffer;
  let expectedDigest: string;

  beforeAll(() => {
    const file = randomBytes(ATTACHMENT_BYTES);
    expectedDigest = createHash('sha256').update(file).digest('hex');
    const pkg: EdxmlPackage = {
      header: {
        from: { organId: '000.00.00.H10', organName: 'UBND tỉnh Bình Phước' },
        to: [{ organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ' }],
        documentId: '000.00.00.H10,2025/03/14,99/BC-UBND',
        subject: 'Báo cáo kèm hồ sơ quét dung lượng lớn',
        toPlaces: [],
        responseFor: [],
      },
      traceHeaderList: { traceHeaders: [{ organId: '000.00.00.H10', timestamp: '2025/03/14 09:15:00' }] },
      attachments: [{ contentId: 'cid:big', attachmentName: 'ho-so-quet.zip', contentType: 'application/zip', body: { kind: 'bytes', data: file } }],
    };
    packageBytes = buildEdxmlPackage(pkg);
  });

  it('is parsed without copying the package', () => {
    const tracker = new PeakMemoryTracker();
    const parsed = parseEdxmlPackage(packageBytes);
    const delta = tracker.peakDelta();
    console.log(`package ${mebibytes(packageBytes.length)}; parse: arrayBuffers +${mebibytes(delta.arrayBuffers)}, rss +${mebibytes(delta.rss)}`);
    expect(delta.arrayBuffers).toBeLessThan(PARSE_BOUND);
    const body = parsed.attachments[0]?.body;
    expect(body?.kind === 'base64-range' && body.source).toBe(packageBytes);
    expect(body && decodedByteLength(body)).toBe(ATTACHMENT_BYTES);
  });

  it('decodes as a stream holding a window at a time', async () => {
    const body = parseEdxmlPackage(packageBytes).attachments[0]?.body;
    if (!body) throw new Error('no attachment');
    const tracker = new PeakMemoryTracker();
    const hash = createHash('sha256');
    let total = 0;
    // What the stream holds while it is read, sampled every MiB or so with the garbage collected first: the chunks the
    // reader let go are V8's to collect when it will (they make no heap garbage, so that can be late).
    for await (const chunk of openAttachmentStream(body)) {
      hash.update(chunk as Buffer);
      const before = total;
      total += (chunk as Buffer).length;
      if (Math.floor(total / (1024 * 1024)) !== Math.floor(before / (1024 * 1024))) tracker.sampleLive();
    }
    const delta = tracker.peakDelta();
    console.log(`stream-decode ${mebibytes(total)}: peak arrayBuffers +${mebibytes(delta.arrayBuffers)}, rss +${mebibytes(delta.rss)}`);
    expect(total).toBe(ATTACHMENT_BYTES);
    expect(hash.digest('hex')).toBe(expectedDigest);
    expect(delta.arrayBuffers).toBeLessThan(STREAM_BOUND);
  });

});
