// Linking records into a chain: each record keeps every field it was given, takes the chain's fields, and its hash
// covers them all and the record before it.
import { GENESIS_HASH, hashRecord, linkRecords, type RecordContent } from '../../../src/audit/chain';

/** Every field set, each to a value of its own, so a field carried into another's place shows. */
function content(n: number): RecordContent {
  return {
    at: `2026-12-06T03:0${n}:00.000Z`,
    step: `step-${n}`,
    outcome: n % 2 === 0 ? 'rejected' : 'ok',
    messageId: `message-${n}`,
    correlationId: `correlation-${n}`,
    subject: `subject-${n}`,
    client: `client-${n}`,
    route: `route-${n}`,
    errorCode: `CODE_${n}`,
    reason: `reason ${n}`,
    startedAt: `2026-12-06T02:0${n}:00.000Z`,
    durationMs: 10 + n,
    requestBytes: 100 + n,
    responseBytes: 200 + n,
    payloadDigest: `digest-${n}`,
    payload: `{"n":${n}}`,
    actor: `actor-${n}`,
    details: `{"d":${n}}`,
  };
}

describe('linkRecords', () => {
  test('each record is its content with the chain, the next seq and the previous hash, hashed over all of it', () => {
    const given = [content(1), content(2), content(3)];
    const { records, head } = linkRecords({ seq: 41, hash: GENESIS_HASH }, 'chain-a', given);
    let prevHash = GENESIS_HASH;
    records.forEach((record, i) => {
      const unsigned = { ...given[i]!, chainId: 'chain-a', seq: 42 + i, prevHash };
      expect(record).toEqual({ ...unsigned, hash: hashRecord(unsigned) });
      prevHash = record.hash;
    });
    expect(head).toEqual({ seq: 44, hash: records[2]!.hash });
  });

  test('a change to any one field changes the hash', () => {
    const base = linkRecords({ seq: 0, hash: GENESIS_HASH }, 'chain-a', [content(1)]).records[0]!.hash;
    const other = content(2);
    for (const field of Object.keys(other) as (keyof RecordContent)[]) {
      const changed: RecordContent = { ...content(1), [field]: other[field] };
      expect([field, linkRecords({ seq: 0, hash: GENESIS_HASH }, 'chain-a', [changed]).records[0]!.hash]).not.toEqual([field, base]);
    }
  });
});
