// One write per event-loop turn: the writes made to a stream during one turn leave in one `writev`.
//
// Used on the RabbitMQ connection's socket: amqplib's Mux hands the socket one frame group at a time (`socket.write`
// per chunk): a publish whose frames total 2,048 bytes or more is two writes (method + header, then the body), every
// ack is one. On a noDelay socket each write is a system call and a TCP segment, and the broker wakes for each.
// Corking the stream at the first write of a turn and uncorking it on the next tick sends everything the turn wrote in
// one `writev`; nothing waits for a timer, so no frame leaves later than the end of the callback that wrote it. A
// write's callback and the 'drain' event keep their meaning: Node's Writable buffers corked writes and reports them
// written once the `writev` has gone out.
import type { Writable } from 'node:stream';

/**
 * Makes every write to `stream` made during one turn of the event loop leave in one `writev`. Returns false, changing
 * nothing, when the stream is already batched this way.
 */
export function batchWritesPerTurn(stream: Writable): boolean {
  if (batched.has(stream)) return false;
  batched.add(stream);
  const write = stream.write.bind(stream);
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.write = function writeInTurn(chunk: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    if (!corked && !stream.writableEnded) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    if (typeof encodingOrCallback === 'string') return write(chunk, encodingOrCallback, callback);
    return write(chunk, encodingOrCallback ?? callback);
  };
  return true;
}

type WriteCallback = (error: Error | null | undefined) => void;

const batched = new WeakSet<Writable>();
