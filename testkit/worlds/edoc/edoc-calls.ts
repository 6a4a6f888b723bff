// The REST calls the edoc tests make again and again, as one bus client: send an edXML upload, read a mailbox, download a package.
import request from 'supertest';
import type { EdocBus } from './edoc-bus';

export interface InboxItem {
  id: string;
  kind: string;
  documentId: string;
  fromOrgan: string;
  sha256: string;
  statusCode?: string;
  businessDocType?: number;
}

/** POST /api/v1/edocs as `client`; the caller adds its expectations. */
export function sendEdxml(edoc: EdocBus, client: string, body: Buffer): request.Test {
  return request(edoc.bus.url()).post('/api/v1/edocs').set('Authorization', `Bearer ${edoc.token(client)}`).set('Content-Type', 'application/xml').send(body);
}

/** The entries of `client`'s organs' mailboxes, of one kind or all. */
export async function inboxOf(edoc: EdocBus, client: string, kind?: 'edoc' | 'status'): Promise<InboxItem[]> {
  const res = await request(edoc.bus.url()).get(`/api/v1/edocs/inbox${kind ? `?kind=${kind}` : ''}`).set('Authorization', `Bearer ${edoc.token(client)}`).expect(200);
  return res.body.items as InboxItem[];
}

/** GET /api/v1/edocs/{entryId} at `busUrl` with `token`: the stored package's bytes, exactly as the bus sends them. */
export async function downloadPackage(busUrl: string, token: string, entryId: string): Promise<Buffer> {
  const res = await request(busUrl)
    .get(`/api/v1/edocs/${entryId}`)
    .set('Authorization', `Bearer ${token}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200);
  return res.body as Buffer;
}
