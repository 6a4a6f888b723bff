// The rule a fanned-out message is settled by: its state from its parts' (core/message-state.ts stateFromParts).
import { stateFromParts, PARTS_NOT_DELIVERED, type PartOutcome } from '../../../src/core/message-state';

const delivered = (destination: string): PartOutcome => ({ destination, state: 'delivered', code: null, reason: null });
const rejected = (destination: string, code = 'EDOC_SENDER_NOT_REGISTERED', reason = 'the national axis does not take documents from A'): PartOutcome => ({
  destination,
  state: 'rejected',
  code,
  reason,
});

test('no settlement while a part has not ended, or when there is no part', () => {
  expect(stateFromParts([])).toBeNull();
  expect(stateFromParts([delivered('B'), { destination: 'C', state: 'in-progress', code: 'PUSH_HTTP_503', reason: 'down' }])).toBeNull();
  expect(stateFromParts([delivered('B'), { destination: 'C', state: 'accepted', code: null, reason: null }])).toBeNull();
});

test('delivered only when every part is delivered', () => {
  expect(stateFromParts([delivered('B'), delivered('C')])).toEqual({ state: 'delivered', code: null, reason: null });
});

test('some delivered, some not: partially-delivered, naming each recipient not delivered and why', () => {
  const settled = stateFromParts([delivered('B'), rejected('C', 'PUSH_HTTP_422', 'the endpoint of C refused it'), delivered('G')]);
  expect(settled).toMatchObject({ state: 'partially-delivered', code: 'PUSH_HTTP_422' });
  expect(settled!.reason).toContain('1 of 3 recipient(s) not delivered: C: rejected (PUSH_HTTP_422)');
  expect(settled!.reason).toContain('the endpoint of C refused it');
});

test('none delivered: rejected with the common code and reason, or PARTS_NOT_DELIVERED when they differ', () => {
  const same = stateFromParts([rejected('G'), rejected('H')]);
  expect(same).toMatchObject({ state: 'rejected', code: 'EDOC_SENDER_NOT_REGISTERED' });
  expect(same!.reason).toMatch(/^2 of 2 recipient\(s\) not delivered: G: rejected \(EDOC_SENDER_NOT_REGISTERED\); H: .*\. the national axis does not take documents from A$/);
  const different = stateFromParts([rejected('G'), rejected('C', 'PUSH_HTTP_422', 'refused')]);
  expect(different).toMatchObject({ state: 'rejected', code: PARTS_NOT_DELIVERED });
  expect(different!.reason).toBe('2 of 2 recipient(s) not delivered: G: rejected (EDOC_SENDER_NOT_REGISTERED); C: rejected (PUSH_HTTP_422)');
});

test('none delivered and a part in the dead letters: dead-lettered (an operator may still replay it)', () => {
  const settled = stateFromParts([rejected('C'), { destination: 'G', state: 'dead-lettered', code: 'AXIS_SIGNATURE_MISMATCH', reason: 'credentials' }]);
  expect(settled).toMatchObject({ state: 'dead-lettered', code: PARTS_NOT_DELIVERED });
  expect(stateFromParts([delivered('B'), { destination: 'G', state: 'dead-lettered', code: 'X', reason: 'x' }])).toMatchObject({ state: 'partially-delivered', code: 'X' });
});
