// The REST calls the edoc tests make again and again, as one bus client: send an edXML upload, read a mailbox.
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
