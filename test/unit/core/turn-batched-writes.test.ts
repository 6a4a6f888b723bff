// The writes of one event-loop turn leave a batched stream in one writev; callbacks, back-pressure and 'drain' keep
// their meaning.
import { Writable } from 'node:stream';
import { batchWritesPerTurn } from '../../../src/core/turn-batched-writes';

interface Recorded {
  stream: Writable;
  /** Each call the stream's sink received: the chunks it was handed together. */
  calls: string[][];
}

function recordingStream(highWaterMark = 16_384): Recorded {
  const calls: string[][] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, calls };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('the writes of one turn reach the sink as one call, in order; the next turn\'s as another', async () => {
  const { stream, calls } = recordingStream();
  expect(batchWritesPerTurn(stream)).toBe(true);
  stream.write('a');
  stream.write(Buffer.from('b'));
  stream.write('c', 'utf8');
  await nextTurn();
  stream.write('d');
  await nextTurn();
  expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
});

test('every write\'s callback is called once its batch is written, with either signature', async () => {
  const { stream } = recordingStream();
  batchWritesPerTurn(stream);
  const done: string[] = [];
  stream.write('a', () => done.push('a'));
  stream.write('b', 'utf8', () => done.push('b'));
  // As plain JavaScript may call it: no encoding, the callback third.
  Reflect.apply(stream.write, stream, ['c', undefined, () => done.push('c')]);
  expect(done).toEqual([]);
  await nextTurn();
  expect(done).toEqual(['a', 'b', 'c']);
});

test('back-pressure: a turn past the high-water mark gets false and then drain', async () => {
  const { stream, calls } = recordingStream(4);
  batchWritesPerTurn(stream);
  expect(stream.write('ab')).toBe(true);
  expect(stream.write('cdef')).toBe(false);
  await new Promise<void>((resolve) => stream.once('drain', resolve));
  expect(calls).toEqual([['ab', 'cdef']]);
});

test('batching a stream twice changes nothing; an ended stream is not corked', async () => {
  const { stream, calls } = recordingStream();
  batchWritesPerTurn(stream);
  expect(batchWritesPerTurn(stream)).toBe(false);
  stream.write('a');
  stream.write('b');
  await nextTurn();
  expect(calls).toEqual([['a', 'b']]);
  stream.end();
  await new Promise<void>((resolve) => stream.once('finish', resolve));
  const errors: Error[] = [];
  stream.on('error', (error) => errors.push(error));
  stream.write('late', (error) => error && errors.push(error));
  await nextTurn();
  expect(errors.length).toBeGreaterThan(0);
  expect(errors[0]!.message).toMatch(/write after end/);
});
