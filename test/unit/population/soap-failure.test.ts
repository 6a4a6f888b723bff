import { classifySoapFailure, NO_ANSWER, type SoapFailure } from '../../../src/upstreams/population/soap-failure';

function withFault(faultCode: string, status: number): SoapFailure {
  return { ...NO_ANSWER, status, faultCode };
}

function withStatus(status: number): SoapFailure {
  return { ...NO_ANSWER, status };
}

describe('classifySoapFailure', () => {
  test.each([
    ['network error', { ...NO_ANSWER, causeCode: 'ECONNREFUSED' }, 'POPULATION_UNAVAILABLE', true],
    ['socket closed by the other side', { ...NO_ANSWER, causeCode: 'UND_ERR_SOCKET' }, 'POPULATION_UNAVAILABLE', true],
    ['HTTP 503 without a SOAP body', withStatus(503), 'POPULATION_UNAVAILABLE', true],
    ['HTTP 429', withStatus(429), 'POPULATION_UNAVAILABLE', true],
    ['Server fault', withFault('soap:Server', 500), 'POPULATION_UNAVAILABLE', true],
    ['auth fault', withFault('soap:Client.Authentication', 401), 'POPULATION_AUTH_REJECTED', false],
    ['auth fault sent with 500', withFault('soap:Client.Authentication', 500), 'POPULATION_AUTH_REJECTED', false],
    ['HTTP 403', withStatus(403), 'POPULATION_AUTH_REJECTED', false],
    ['Client fault sent with 500', withFault('soap:Client', 500), 'POPULATION_REQUEST_REJECTED', false],
    ['Server fault sent with 200', withFault('soap:Server', 200), 'POPULATION_UNAVAILABLE', true],
    ['HTTP 400', withStatus(400), 'POPULATION_REQUEST_REJECTED', false],
    ['unparseable 200', withStatus(200), 'POPULATION_BAD_RESPONSE', false],
    ['redirect (not followed)', withStatus(302), 'POPULATION_BAD_RESPONSE', false],
  ])('%s → %s', (_label, failure, code, transient) => {
    const error = classifySoapFailure(failure, null, 'TraCuuThongTinCongDan');
    expect(error.code).toBe(code);
    expect(error.transient).toBe(transient);
  });

  test('the status, fault code and cause code are kept as details', () => {
    expect(classifySoapFailure(withFault('soap:Client.Authentication', 401), null, 'op')).toMatchObject({
      httpStatus: 401,
      faultCode: 'soap:Client.Authentication',
      causeCode: null,
    });
    expect(classifySoapFailure({ ...NO_ANSWER, causeCode: 'ECONNRESET' }, null, 'op')).toMatchObject({ httpStatus: null, causeCode: 'ECONNRESET' });
  });

  test('our own timeout and the caller abort are transient and distinct', () => {
    const aborted = { ...NO_ANSWER, causeCode: 'UND_ERR_ABORTED' };
    expect(classifySoapFailure(aborted, 'timeout', 'op')).toMatchObject({ code: 'POPULATION_TIMEOUT', transient: true });
    expect(classifySoapFailure(aborted, 'caller', 'op')).toMatchObject({ code: 'POPULATION_ABORTED', transient: true });
  });
});

describe('network failures', () => {
  test('carry only the socket error code, no cause that may hold the request body', () => {
    const error = classifySoapFailure({ ...NO_ANSWER, causeCode: 'ECONNRESET' }, null, 'op');
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true });
    expect(error.cause).toBeUndefined();
    expect(error.message).toContain('ECONNRESET');
  });
});
