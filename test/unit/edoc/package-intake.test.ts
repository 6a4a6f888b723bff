// While the package store cannot be written, an e-document upload is refused 503 STORE_UNAVAILABLE, a code the sender
// can act on (send again), never a 500 from an unhandled ECONNREFUSED (chaos: postgres-restart).
import { Readable } from 'node:stream';
import { OrganDirectory } from '../../../src/flows/edoc/organ-directory';
import { StatusRoute } from '../../../src/flows/edoc/status-route';
import { PackageIntake } from '../../../src/flows/edoc/package-intake';
import { ResendGuard } from '../../../src/flows/edoc/resend-guard';
import type { EdocBlobStore, EdocRecipientLedger, EdocSentDocuments } from '../../../src/flows/edoc/stores/edoc-store';
import { SignatureGate } from '../../../src/flows/edoc/signature-gate';
import type { MessageIntake } from '../../../src/messaging/message-intake';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';

const SENDER = '000.00.01.H10';
const RECIPIENT = '000.00.02.H10';

test('a package store that cannot be written refuses the upload with 503 STORE_UNAVAILABLE; nothing is dispatched', async () => {
  const unavailable: EdocBlobStore = {
    put: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    read: () => Promise.resolve(null),
    stream: () => Readable.from([]),
    copyTo: () => Promise.reject(new Error('must not be called')),
    has: () => Promise.resolve(false),
  };
  const dispatched: unknown[] = [];
  const messageIntake = { dispatch: (request: unknown) => (dispatched.push(request), Promise.reject(new Error('must not be called'))) } as unknown as MessageIntake;
  const directory = new OrganDirectory({
    organs: {
      [SENDER]: { name: 'UBND huyện A', delivery: 'mailbox', clientIds: ['qlvb-a'] },
      [RECIPIENT]: { name: 'UBND huyện B', delivery: 'mailbox', clientIds: ['qlvb-b'] },
    },
    unknownOrgans: 'reject',
  });
  const recipients: EdocRecipientLedger = { record: () => Promise.resolve(), wasSentTo: () => Promise.resolve(true) };
  const untouched = () => Promise.reject(new Error('must not be called'));
  const sentDocuments: EdocSentDocuments = { claim: untouched, get: untouched, accepted: untouched, release: untouched, giveUp: untouched, takeOver: untouched };
  const intake = new PackageIntake({ directory, blobs: unavailable, recipients, resends: new ResendGuard(sentDocuments), messageIntake, signatures: new SignatureGate({ busDefault: 'off', byOrgan: new Map() }, null), statusRoute: new StatusRoute(directory, { get: untouched, record: untouched, acknowledged: untouched, unreportedRefusals: untouched, find: untouched }) });

  const outcome = await intake.accept('qlvb-a', documentPackage({ from: SENDER, to: [RECIPIENT], documentId: `${SENDER},2026/11/27,1/UBND-VP` }));

  expect(outcome).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
  expect(dispatched).toEqual([]);
});
