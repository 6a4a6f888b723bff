// The one upstream error family: `transient` follows from the kind (and the HTTP status) by one rule.
import { isTransientFailure, isTransientStatus, isUpstreamError, leftUnanswered, UpstreamError } from '../../../src/upstreams/http-kit/upstream-error';
import { DvcqgError } from '../../../src/upstreams/dvcqg';
import { PopulationError } from '../../../src/upstreams/population';
import { DocumentAxisError } from '../../../src/upstreams/document-axis';
import { QlvbPushError } from '../../../src/upstreams/qlvb-push';

describe('isTransientStatus', () => {
  test.each([
    [500, true], [502, true], [503, true], [504, true], [429, true], [408, true],
    [400, false], [401, false], [403, false], [404, false], [409, false], [413, false], [422, false], [200, false], [307, false],
  ])('%i → %s', (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });
});

describe('leftUnanswered', () => {
  // A request that may have reached the upstream with no answer: the upstream may still be carrying it out.
  test.each([
    ['unreachable', false], ['network', true], ['timeout', true], ['aborted', true], ['internal', true],
    ['unavailable', false], ['http-status', false], ['refused', false], ['protocol', false],
  ] as const)('%s → %s', (kind, unanswered) => {
    expect(leftUnanswered(kind)).toBe(unanswered);
  });
});

describe('UpstreamError', () => {
  test.each([
    ['unreachable', null, true],
    ['network', null, true],
    ['timeout', null, true],
    ['aborted', null, true],
    ['unavailable', 500, true],
    ['http-status', 503, true],
    ['http-status', 429, true],
    ['http-status', 404, false],
    ['refused', 200, false],
    ['protocol', 200, false],
    ['internal', null, false],
  ] as const)('kind %s with status %s is transient: %s', (kind, status, transient) => {
    const error = new UpstreamError({ kind, code: 'X', message: 'm', status });
    expect(error.transient).toBe(transient);
    expect(isTransientFailure(kind, status)).toBe(transient);
    expect(error.status).toBe(status);
  });

  test('an http-status failure without a status is a programming error', () => {
    expect(() => new UpstreamError({ kind: 'http-status', code: 'X', message: 'm' })).toThrow(TypeError);
  });

  test('every client error class is one of the family', () => {
    const errors = [
      new DvcqgError({ kind: 'http-status', code: 'HTTP_503', message: 'm', status: 503 }),
      new PopulationError({ kind: 'network', code: 'POPULATION_UNAVAILABLE', message: 'm' }),
      new DocumentAxisError({ kind: 'refused', code: 'AXIS_ERROR_7', message: 'm', status: 200 }),
      new QlvbPushError({ kind: 'timeout', code: 'QLVB_TIMEOUT', message: 'm' }),
    ];
    for (const error of errors) expect(isUpstreamError(error)).toBe(true);
    expect(errors.map((e) => [e.name, e.transient])).toEqual([
      ['DvcqgError', true],
      ['PopulationError', true],
      ['DocumentAxisError', false],
      ['QlvbPushError', true],
    ]);
  });

  test('a plain error with a code and a transient flag is not one of the family', () => {
    expect(isUpstreamError(Object.assign(new Error('x'), { code: 'X', transient: true }))).toBe(false);
  });
});
