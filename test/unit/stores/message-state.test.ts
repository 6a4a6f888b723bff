// The stores' SQL guard on a status write is the rule core/message-state.ts states: checked for every pair of states.
import { randomUUID } from 'node:crypto';
import { FINAL_STATES, statusMoves, type MessageState } from '../../../src/core/message-state';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';

const STATES: MessageState[] = ['accepted', 'in-progress', ...FINAL_STATES];

test('a status write takes effect exactly when statusMoves says it does', async () => {
  const stores = new SqliteStores(openSqlite(':memory:'));
  const moves: string[] = [];
  for (const current of STATES) {
    for (const next of STATES) {
      const messageId = randomUUID();
      await stores.messages.accepted({ messageId, correlationId: messageId, causationId: null, type: 't', source: 's', subject: null, destination: 'd', route: 'r', acceptedAt: new Date().toISOString() });
      if (current !== 'accepted') await stores.messages.update(messageId, { state: current });
      await stores.messages.update(messageId, { state: next });
      const written = (await stores.messages.get(messageId))!.state === next;
      if (written !== (statusMoves(current, next) || current === next)) moves.push(`${current} → ${next}: store ${written ? 'wrote' : 'kept'} it`);
    }
  }
  expect(moves).toEqual([]);
  // The rule's two sides: a final state is never overwritten by a non-final one, and always by a final one.
  expect(statusMoves('delivered', 'in-progress')).toBe(false);
  expect(statusMoves('rejected', 'delivered')).toBe(true);
  await stores.close();
});
