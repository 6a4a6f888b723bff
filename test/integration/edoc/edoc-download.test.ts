// Downloading a mailbox entry whose stored package is gone (deleted behind the bus's back) answers 500
// EDOC_PACKAGE_MISSING with a body, on REST and SOAP, audited and logged without content, instead of a 200 whose
// connection is then cut.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { BlobFiles } from '../../../src/flows/edoc/stores/blob-files';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';
import { inboxOf, sendEdxml, type InboxItem } from '../../../testkit/worlds/edoc/edoc-calls';
import { edocSoapClient, soapFaultOf } from '../../../testkit/worlds/edoc/soap-client';

describe('downloading an entry whose stored package is missing', () => {
  let edoc: EdocBus;
  let seq = 0;
  const auth = (client: string) => `Bearer ${edoc.token(client)}`;
  const delivered = async (): Promise<InboxItem> => {
    const documentId = `${ORGAN_A},2025/03/14,${++seq}-${Date.now() % 100000}/UBND-DL`;
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId });
    await sendEdxml(edoc, CLIENT_A, pkg).expect(202);
    return waitFor(async () => (await inboxOf(edoc, CLIENT_B, 'edoc')).find((i) => i.documentId === documentId), 20_000, 'mailbox entry');
  };
  /** Deletes the entry's package in the store directly: its bytes (file), and the blob's own row unless told to keep it. */
  const deletePackage = (entry: InboxItem, options: { keepBlobRow?: boolean } = {}) => {
    rmSync(new BlobFiles(path.join(edoc.dataDir, 'edoc-blobs')).pathOf({ documentId: entry.documentId, sha256: entry.sha256 }));
    const db = new Database(path.join(edoc.dataDir, 'edoc.db'));
    try {
      if (!options.keepBlobRow) db.prepare('DELETE FROM edoc_blobs WHERE document_id = ? AND sha256 = ?').run(entry.documentId, entry.sha256);
    } finally {
      db.close();
    }
  };
  const refusalsAudited = async (code: string) =>
    (await edoc.bus.audit.search({ step: 'rejected', client: CLIENT_B }, { limit: 1000 })).records.filter((r) => r.errorCode === code).length;

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('REST: 500 EDOC_PACKAGE_MISSING with a JSON body, audited and logged; other entries still download', async () => {
    const gone = await delivered();
    const kept = await delivered();
    deletePackage(gone);
    const before = await refusalsAudited('EDOC_PACKAGE_MISSING');

    const res = await request(edoc.bus.url()).get(`/api/v1/edocs/${gone.id}`).set('Authorization', auth(CLIENT_B)).expect('Content-Type', /application\/json/).expect(500);
    expect(res.body.code).toBe('EDOC_PACKAGE_MISSING');
    await waitFor(async () => (await refusalsAudited('EDOC_PACKAGE_MISSING')) > before, 5000, 'audit record of the refusal');
    expect(edoc.logs()).toContain('stored edXML package missing');
    expect(edoc.logs()).toContain(gone.id);
    expect(edoc.logs()).not.toContain('triển khai liên thông');

    await request(edoc.bus.url()).get(`/api/v1/edocs/${kept.id}`).set('Authorization', auth(CLIENT_B)).expect(200);
  });

  test('REST: a package whose bytes are gone but whose blob row is left is missing too', async () => {
    const gone = await delivered();
    deletePackage(gone, { keepBlobRow: true });
    const res = await request(edoc.bus.url()).get(`/api/v1/edocs/${gone.id}`).set('Authorization', auth(CLIENT_B)).expect(500);
    expect(res.body.code).toBe('EDOC_PACKAGE_MISSING');
  });

  test('SOAP GetEdoc: a Server fault EDOC_PACKAGE_MISSING (HTTP 500)', async () => {
    const gone = await delivered();
    deletePackage(gone, { keepBlobRow: true });
    const client = await edocSoapClient(edoc, CLIENT_B);
    expect(await soapFaultOf(client.GetEdocAsync({ id: gone.id }))).toEqual({ status: 500, faultcode: 'soap:Server', code: 'EDOC_PACKAGE_MISSING' });
  });
});
