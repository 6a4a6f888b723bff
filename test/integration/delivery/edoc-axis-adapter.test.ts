// The delivery adapter contract for the e-document axis adapter, against the reference national document axis.
import type { Envelope } from '../../../src/core/envelope';
import { createAxisAdapter, EDOC_SENDER_NOT_REGISTERED } from '../../../src/flows/edoc/adapters/axis-adapter';
import { isEdocDeliverPayload } from '../../../src/flows/edoc/payloads';
import { DocumentAxisClient } from '../../../src/upstreams/document-axis';
import { deliveryAdapterContract, type DeliveryWorld } from '../../../testkit/contracts/delivery-adapter-contract';
import { startDocumentAxisSimulator } from '../../../testkit/simulators/document-axis';
import { edocAdapterDeps } from './edoc-adapter-deps';

const SYSTEM = '000.00.00.H10';
const SECRET = 'axis-hmac-secret';
/** The organ the bus's axis system sends for, and one it does not. */
const SENDER = '000.00.01.H10';
const STRANGER = '000.00.09.H10';
/** An organ outside the province, reached through the axis. */
const OUTSIDE = '000.00.00.G12';

async function axisWorld(): Promise<DeliveryWorld<Envelope>> {
  const axis = await startDocumentAxisSimulator({ secrets: { [SYSTEM]: SECRET }, organsBySystem: { [SYSTEM]: [SENDER] } });
  const deps = await edocAdapterDeps({
    busOrganId: SYSTEM,
    organs: { [SENDER]: { name: 'Sở Nội vụ', delivery: 'mailbox' } },
    axis: { url: axis.url, systemId: SYSTEM, secret: { env: 'AXIS_SECRET' } },
  });
  const axisSettings = deps.settings.axis!;
  const client = new DocumentAxisClient({ endpoint: axis.url, systemId: SYSTEM, secret: SECRET, timeoutMs: axisSettings.breaker.timeoutMs });
  const adapter = createAxisAdapter({ client, breaker: deps.breaker('national-axis', axisSettings.breaker), blobs: deps.stores.blobs, systemId: SYSTEM, axisInbound: deps.stores.axisInbound });
  const lookUp = adapter.alreadyApplied!.bind(adapter);
  return {
    control: axis.control,
    // A refused sender or document is settled as rejected; the axis is not the recipient, so no status 02 goes out.
    refusal: 'rejected',
    message: () => deps.deliverMessage(SENDER, OUTSIDE, 'axis'),
    // The axis refuses a package from an organ the bus's system does not send for (403): the sender is not registered.
    refusedMessage: () => deps.deliverMessage(STRANGER, OUTSIDE, 'axis'),
    refusalCode: EDOC_SENDER_NOT_REGISTERED,
    deliver: (envelope, signal) => adapter.deliver(envelope, signal),
    alreadyApplied: (envelope, signal) => lookUp(envelope, signal),
    applied: async (envelope) => {
      const payload = envelope.payload;
      if (!isEdocDeliverPayload(payload)) throw new Error('not an edoc.deliver message');
      return axis.inboxOf(payload.toOrgan).filter((entry) => entry.from === payload.fromOrgan && entry.pkg.sha256Hex === payload.blob.sha256).length;
    },
    dispose: async () => {
      await deps.dispose();
      await axis.close();
    },
  };
}

deliveryAdapterContract('edoc-axis', axisWorld, { alreadyApplied: true });
