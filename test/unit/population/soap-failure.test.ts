import { classifySoapFailure } from '../../../adapters/population/soap-failure';

function withFault(faultcode: string, status: number): unknown {
  return { response: { status }, root: { Envelope: { Body: { Fault: { faultcode, faultstring: 'x' } } } } };
}

describe('classifySoapFailure', () => {
  test.each([
    ['network error', { code: 'ECONNREFUSED' }, 'POPULATION_UNAVAILABLE', true],
    ['HTTP 503 without a SOAP body', { response: { status: 503 } }, 'POPULATION_UNAVAILABLE', true],
    ['HTTP 429', { response: { status: 429 } }, 'POPULATION_UNAVAILABLE', true],
    ['Server fault', withFault('soap:Server', 500), 'POPULATION_UNAVAILABLE', true],
    ['auth fault', withFault('soap:Client.Authentication', 401), 'POPULATION_AUTH_REJECTED', false],
    ['HTTP 403', { response: { status: 403 } }, 'POPULATION_AUTH_REJECTED', false],
    ['Client fault sent with 500', withFault('soap:Client', 500), 'POPULATION_REQUEST_REJECTED', false],
    ['HTTP 400', { response: { status: 400 } }, 'POPULATION_REQUEST_REJECTED', false],
    ['unparseable 200', { response: { status: 200 } }, 'POPULATION_BAD_RESPONSE', false],
  ])('%s → %s', (_label, thrown, code, transient) => {
    const error = classifySoapFailure(thrown, null, 'TraCuuThongTinCongDan');
    expect(error.code).toBe(code);
    expect(error.transient).toBe(transient);
  });

  test('our own timeout and the caller abort are transient and distinct', () => {
    expect(classifySoapFailure({ code: 'ERR_CANCELED' }, 'timeout', 'op')).toMatchObject({ code: 'POPULATION_TIMEOUT', transient: true });
    expect(classifySoapFailure({ code: 'ERR_CANCELED' }, 'caller', 'op')).toMatchObject({ code: 'POPULATION_ABORTED', transient: true });
  });

  test('the underlying error (which holds the request body) is not kept', () => {
    const thrown = Object.assign(new Error('boom'), { code: 'ECONNRESET', config: { data: '<HoVaTen>ĐÀO VĂN TÀI</HoVaTen>' } });
    const error = classifySoapFailure(thrown, null, 'op');
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('ĐÀO');
    expect(error.causeCode).toBe('ECONNRESET');
  });
});
