// The delivery adapter contract for the generic http-push adapter, against the reference receiver.
import { createEnvelope, type Envelope } from '../../../src/core/envelope';
import { createHttpPushAdapter } from '../../../src/messaging/delivery/http-push';
import { deliveryAdapterContract, type DeliveryWorld } from '../../../testkit/contracts/delivery-adapter-contract';
import { startReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';

async function httpPushWorld(): Promise<DeliveryWorld<Envelope>> {
  const receiver = await startReceiverSimulator();
  const adapter = createHttpPushAdapter({ name: 'contract-push', url: `${receiver.url}/inbox` });
  let n = 0;
  const message = async (): Promise<Envelope> => createEnvelope({ type: 'test.notice', source: 'contract-test', subject: `N-${++n}`, payload: { n, text: 'Sở Nội vụ' } });
  return {
    control: receiver.control,
    refusal: 'final-error',
    refusalCode: 'UPSTREAM_REJECTED',
    message,
    // The reference receiver refuses nothing a well-formed push carries: its refusal is the 422 answer of its fault switch.
    refusedMessage: async () => {
      receiver.control.setFault({ mode: 'fail', status: 422, durationMs: 60_000 });
      return message();
    },
    deliver: (envelope, signal) => adapter.deliver(envelope, signal),
    applied: async (envelope) => receiver.applied().filter((effect) => effect.key === envelope.id).length,
    dispose: () => receiver.close(),
  };
}

deliveryAdapterContract('http-push', httpPushWorld);
