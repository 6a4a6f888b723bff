// The chaos suite's count: delivered, duplicated, dead-lettered and lost, from the upstreams' applied effects.
import { countEffects, progressOutOfOrder, type UpstreamEffects } from '../../../chaos/effect-count';
import type { SentRequest } from '../../../chaos/steady-load';
import type { ListedDeadLetter } from '../../../chaos/world';

function effects(e: { syncs?: Record<string, number>; progress?: Record<string, number[]>; push?: Record<string, number>; pushRequests?: Record<string, number>; axis?: Record<string, number> }): UpstreamEffects {
  return {
    dvcqgSyncs: (k) => e.syncs?.[k] ?? 0,
    dvcqgProgress: (k, step) => (e.progress?.[k] ?? []).filter((s) => s === step).length,
    dvcqgProgressOrder: (k) => e.progress?.[k] ?? [],
    pushApplied: (k) => e.push?.[k] ?? 0,
    pushRequests: (k) => e.pushRequests?.[k] ?? e.push?.[k] ?? 0,
    axisDelivered: (k) => e.axis?.[k] ?? 0,
  };
}

const accepted = (kind: SentRequest['kind'], key: string, messageId: string): SentRequest => ({ kind, key, status: 202, messageId, attempts: 1 });
const letter = (messageId: string, code: string, extra: Partial<ListedDeadLetter> = {}): ListedDeadLetter => ({
  messageId,
  correlationId: messageId,
  subject: null,
  type: 'dossier.submitted',
  route: 'dossier-sync',
  code,
  reason: `${code} reason`,
  ...extra,
});

describe('countEffects', () => {
  test('accepted = delivered + dead-lettered + lost; refused requests are sent, not accepted', () => {
    const requests: SentRequest[] = [
      accepted('dossier', 'HS-1', 'm1'),
      accepted('dossier', 'HS-2', 'm2'),
      accepted('dossier', 'HS-3', 'm3'),
      { kind: 'dossier', key: 'HS-4', status: 503, messageId: null, attempts: 3 },
      { kind: 'dossier', key: 'HS-5', status: 0, messageId: null, attempts: 1 },
    ];
    const count = countEffects(requests, effects({ syncs: { 'HS-1': 1, 'HS-5': 1 } }), [letter('m2', 'RETRIES_EXHAUSTED')]);
    expect(count).toMatchObject({ sent: 5, accepted: 3, delivered: 1, deadLettered: 1, lost: 1, duplicates: 0, refused: { '503': 1, '0': 1 }, deliveredWithoutAccept: 1, resent: 1, resends: 2 });
    expect(count.deadLetterReasons).toEqual([{ code: 'RETRIES_EXHAUSTED', reason: 'RETRIES_EXHAUSTED reason', count: 1 }]);
    expect(count.examples).toEqual([{ outcome: 'lost', kind: 'dossier', key: 'HS-3', messageId: 'm3', upstreams: { dvcqg: 0 } }]);
  });

  test('an effect applied twice is a duplicate; a push repeat absorbed by its Idempotency-Key is not', () => {
    const requests = [accepted('dossier', 'HS-1', 'm1'), accepted('edoc', 'DOC-1', 'p1'), accepted('progress', 'HS-1#1', 'm2')];
    const count = countEffects(requests, effects({ syncs: { 'HS-1': 2 }, progress: { 'HS-1': [1, 1] }, push: { 'DOC-1': 1 }, pushRequests: { 'DOC-1': 3 }, axis: { 'DOC-1': 1 } }), []);
    expect(count).toMatchObject({ delivered: 3, duplicates: 2, absorbedRepeats: 2, lost: 0 });
  });

  test('an e-document is delivered when every recipient has it; a dead-lettered part is matched by correlation id', () => {
    const requests = [accepted('edoc', 'DOC-1', 'p1'), accepted('edoc', 'DOC-2', 'p2')];
    const partLetter = letter('child-1', 'EDOC_PUSH_REFUSED', { correlationId: 'p2', type: 'edoc.deliver', route: 'edoc-push' });
    const count = countEffects(requests, effects({ push: { 'DOC-1': 1 }, axis: { 'DOC-1': 1, 'DOC-2': 1 } }), [partLetter]);
    expect(count).toMatchObject({ delivered: 1, deadLettered: 1, lost: 0 });
    expect(count.byKind.edoc).toEqual({ sent: 2, accepted: 2, delivered: 1, refused: {} });
  });

  test("a dossier's dead letter is not taken for its progress update's (they share the MaHoSo subject)", () => {
    const requests = [accepted('dossier', 'HS-1', 'm1'), accepted('progress', 'HS-1#1', 'm2')];
    const count = countEffects(requests, effects({}), [letter('m1', 'RETRIES_EXHAUSTED', { subject: 'HS-1' })]);
    expect(count).toMatchObject({ deadLettered: 1, lost: 1 });
  });
});

describe('progressOutOfOrder', () => {
  test('counts accepted steps that reached DVCQG before an earlier accepted step', () => {
    const requests = [accepted('progress', 'HS-1#1', 'a'), accepted('progress', 'HS-1#2', 'b'), accepted('progress', 'HS-2#1', 'c'), accepted('progress', 'HS-2#2', 'd')];
    expect(progressOutOfOrder(requests, effects({ progress: { 'HS-1': [2, 1], 'HS-2': [1, 2] } }))).toBe(1);
  });
});
