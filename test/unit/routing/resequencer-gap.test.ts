// A sequence number issued to a message whose process died before publishing it: its successor waits a while, then
// voids it and goes on, and a late copy of the voided message is recognised. Real SQLite stores, in memory.
import { Resequencer } from '../../../src/messaging/resequencer';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';

describe('resequencer: abandoned sequence numbers', () => {
  const stores = new SqliteStores(openSqlite(':memory:'));
  afterAll(() => stores.close());

  test('a successor voids a predecessor left pending longer than the abandon time, and only then', async () => {
    const patient = new Resequencer(stores.sequences, 20, 5, 60_000);
    const hasty = new Resequencer(stores.sequences, 20, 5, 50);
    const abandoned = await stores.sequences.next('HS-1');
    const successor = await stores.sequences.next('HS-1');
    await stores.sequences.confirm('HS-1', successor);
    expect(await patient.waitForPredecessor('HS-1', successor)).toBe(false);
    // The sleep is the behaviour under test: the predecessor's number grows older than the abandon time on the store's
    // own clock, which the test cannot drive.
    await new Promise((r) => setTimeout(r, 60));
    expect(await hasty.waitForPredecessor('HS-1', successor)).toBe(true);
    expect(await stores.sequences.isVoided('HS-1', abandoned)).toBe(true);
    // A copy that turns up later is known as voided once it is old enough to have been.
    const longAgo = new Date(Date.now() - 60_000).toISOString();
    expect(await patient.isVoided('HS-1', abandoned, longAgo)).toBe(true);
    expect(await patient.isVoided('HS-1', successor, longAgo)).toBe(false);
  });

  test('a predecessor that was confirmed is waited for, never voided', async () => {
    const hasty = new Resequencer(stores.sequences, 20, 5, 10);
    const first = await stores.sequences.next('HS-2');
    await stores.sequences.confirm('HS-2', first);
    const second = await stores.sequences.next('HS-2');
    // Older than the abandon time (10 ms) on the store's own clock, which the test cannot drive: a confirmed number is
    // still never voided.
    await new Promise((r) => setTimeout(r, 30));
    expect(await hasty.waitForPredecessor('HS-2', second)).toBe(false);
    expect(await stores.sequences.isVoided('HS-2', first)).toBe(false);
    await hasty.settle('HS-2', first);
    expect(await hasty.waitForPredecessor('HS-2', second)).toBe(true);
  });
});
