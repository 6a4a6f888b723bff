// The generic receiver simulator counts an effect only for a request it received whole: a bus process killed mid-call
// (the scale-out test kills one) leaves a request whose connection is gone by the time the simulator reads it;
// body-parser skips its body, and counting it would record an "applied" effect that never happened.
import net from 'node:net';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';

describe('receiver simulator', () => {
  let receiver: ReceiverSimulator;
  beforeAll(async () => {
    receiver = await startReceiverSimulator();
  });
  afterAll(async () => receiver.close());

  test('a request whose sender went away before it was read applies nothing; a whole one applies once', async () => {
    receiver.control.setFault({ mode: 'slow', delayMs: 300, durationMs: 5_000 });
    const { hostname, port } = new URL(receiver.url);
    const body = JSON.stringify({ id: 'm-1', payload: { n: 1 } });
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(
          `POST /inbox HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nIdempotency-Key: killed-sender\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        // The sender dies while the receiver is still holding the request.
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    // The sleep is the behaviour under test: past the 300 ms hold, when the request would have been applied had the
    // receiver not noticed its sender was gone; nothing else signals a request that is rightly never applied.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.applied()).toEqual([]);

    receiver.control.setFault({ mode: 'none' });
    const res = await fetch(`${receiver.url}/inbox`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'whole' }, body });
    expect(res.status).toBe(200);
    expect(receiver.applied()).toEqual([{ key: 'whole', body: JSON.parse(body) }]);
  });
});
