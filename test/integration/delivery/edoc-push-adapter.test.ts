// The delivery adapter contract for the e-document push adapter, against the reference QLVB push endpoint.
import { edocPushTokenPath } from '../../../src/flows/edoc/settings';
import { BusSecrets } from '../../../src/config/secrets';
import type { Envelope } from '../../../src/core/envelope';
import { createPushAdapter } from '../../../src/flows/edoc/adapters/push-adapter';
import { deliveryAdapterContract, type DeliveryWorld } from '../../../testkit/contracts/delivery-adapter-contract';
import { startQlvbPushSimulator } from '../../../testkit/simulators/qlvb-push';
import { edocAdapterDeps } from './edoc-adapter-deps';

const SENDER = '000.00.01.H10';
const DISTRICT = '000.00.02.H10';
const TOKEN = 'district-push-token';

async function pushWorld(): Promise<DeliveryWorld<Envelope>> {
  const endpoint = await startQlvbPushSimulator({ token: TOKEN });
  const deps = await edocAdapterDeps({
    busOrganId: '000.00.00.H10',
    unknownOrgans: 'reject',
    organs: {
      [SENDER]: { name: 'Sở Nội vụ', delivery: 'mailbox' },
      [DISTRICT]: { name: 'UBND huyện Đồng Phú', delivery: 'push', pushUrl: endpoint.url, pushToken: { env: 'DISTRICT_PUSH_TOKEN' } },
    },
  });
  const adapter = createPushAdapter({
    directory: deps.directory,
    blobs: deps.stores.blobs,
    reporter: deps.reporter,
    breakerSettings: deps.settings.push.breaker,
    breaker: (name, settings) => deps.breaker(name, settings),
    secrets: new BusSecrets(new Map([...deps.directory.pushOrgans()].map(([organId]) => [edocPushTokenPath(organId), TOKEN])), new Set([...deps.directory.pushOrgans()].map(([organId]) => edocPushTokenPath(organId)))),
  });
  return {
    control: endpoint.control,
    // A refused document is reported to its sender as status 02 and settled as rejected.
    refusal: 'rejected',
    message: () => deps.deliverMessage(SENDER, DISTRICT, 'push'),
    // The endpoint refuses an empty package (400 QLVB_EMPTY_PACKAGE).
    refusedMessage: () => deps.deliverMessage(SENDER, DISTRICT, 'push', Buffer.alloc(0)),
    refusalCode: 'QLVB_EMPTY_PACKAGE',
    deliver: (envelope, signal) => adapter.deliver(envelope, signal),
    applied: async (envelope) => endpoint.applied('edoc').filter((effect) => effect.receipt.idempotencyKey === envelope.id).length,
    dispose: async () => {
      await deps.dispose();
      await endpoint.close();
    },
  };
}

deliveryAdapterContract('edoc-push', pushWorld);
