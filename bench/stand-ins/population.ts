// Bench stand-in of the population database's SOAP service (037 and 033): answers each call with the envelope the
// reference simulator gave for that citizen id, prepared once at start, after the minimum reading of the request.
import { randomUUID } from 'node:crypto';
import { buildAuthHeaders, checkAuthHeaders, type PopulationCredentials } from '../../src/upstreams/population/auth-headers';
import { toLookupRequest, toVerificationRequest } from '../../src/upstreams/population/mapping';
import { lookupEnvelope, verificationEnvelope } from '../../src/upstreams/population/soap-envelope';
import { createSyntheticRegistry, startPopulationSimulator } from '../../testkit/simulators/population';
import type { PreparedAnswer } from './prepared-answer';

/** The prepared answers of one operation: by citizen id (12-digit or 9-digit), and the registry's "not found". */
interface OperationAnswers {
  byId: Map<string, PreparedAnswer>;
  notFound: PreparedAnswer;
}

export interface PopulationAnswers {
  lookup: OperationAnswers;
  verify: OperationAnswers;
  /** The fault the simulator answers a call whose auth headers do not check out. */
  authFault: PreparedAnswer;
}

/** A well-formed id (valid province and century digit) the synthetic registry does not hold. */
const UNKNOWN_ID = '001099999999';
const CONTEXT = { maDvc: 'BENCH', maCanBo: '001090000001' };

async function capture(url: string, headers: Record<string, string>, envelope: string): Promise<PreparedAnswer> {
  const answer = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/xml; charset=utf-8', SOAPAction: '""' }, body: envelope });
  return { status: answer.status, contentType: answer.headers.get('content-type') ?? 'text/xml; charset=utf-8', body: Buffer.from(await answer.arrayBuffer()) };
}

/**
 * Asks the reference simulator (node-soap, started here and closed again) for the 037 and 033 answer of every citizen
 * of its registry, of an unknown id, and of a call with wrong auth headers: the stand-in answers with those bytes.
 */
export async function preparePopulationAnswers(credentials: Omit<PopulationCredentials, 'authUrl'>): Promise<PopulationAnswers> {
  const registry = createSyntheticRegistry();
  const simulator = await startPopulationSimulator({ credentials: { ...credentials }, registry });
  try {
    const auth = () => buildAuthHeaders(simulator.credentials);
    const ask = async (id: string, hoVaTen: string, ngaySinh: string | null) => {
      const request = { soDinhDanh: id, hoVaTen, ngaySinh: ngaySinh ?? '' };
      const context = { ...CONTEXT, maYeuCau: randomUUID() };
      return {
        lookup: await capture(simulator.url, auth(), lookupEnvelope(toLookupRequest(request, context))),
        verify: await capture(simulator.url, auth(), verificationEnvelope(toVerificationRequest(request, context))),
      };
    };
    const answers: PopulationAnswers = {
      lookup: { byId: new Map(), notFound: { status: 0, contentType: '', body: Buffer.alloc(0) } },
      verify: { byId: new Map(), notFound: { status: 0, contentType: '', body: Buffer.alloc(0) } },
      authFault: await capture(simulator.url, { ...auth(), ApiKey: 'wrong' }, lookupEnvelope(toLookupRequest({ soDinhDanh: UNKNOWN_ID, hoVaTen: 'A', ngaySinh: '1999-01-01' }, { ...CONTEXT, maYeuCau: randomUUID() }))),
    };
    for (const citizen of registry.all()) {
      const got = await ask(citizen.soDinhDanh, citizen.hoVaTen, citizen.ngaySinh);
      for (const id of [citizen.soDinhDanh, citizen.soCmnd]) {
        if (id === null) continue;
        answers.lookup.byId.set(id, got.lookup);
        answers.verify.byId.set(id, got.verify);
      }
    }
    const unknown = await ask(UNKNOWN_ID, 'NGUYỄN VĂN A', '1999-01-01');
    answers.lookup.notFound = unknown.lookup;
    answers.verify.notFound = unknown.verify;
    for (const [name, answer] of [['lookup', unknown.lookup], ['verify', unknown.verify], ['found', answers.lookup.byId.values().next().value]] as const) {
      if (!answer || answer.status !== 200) throw new Error(`population stand-in: the simulator answered ${answer?.status ?? 'nothing'} to the ${name} preparation call`);
    }
    return answers;
  } finally {
    await simulator.close();
  }
}

/** The text of the first `<…name>text<` element of a SOAP body's bytes (any prefix), or undefined. Ids hold no markup. */
function elementText(xml: Buffer, openTagEnd: Buffer): string | undefined {
  const open = xml.indexOf(openTagEnd);
  if (open < 0) return undefined;
  const start = open + openTagEnd.length;
  const end = xml.indexOf(0x3c, start);
  return end < 0 ? undefined : xml.toString('utf8', start, end).trim();
}

const VERIFICATION_REQUEST = Buffer.from('XacThucThongTinCongDanRequest>');
const SO_DINH_DANH = Buffer.from('SoDinhDanh>');
const SO_CMND = Buffer.from('SoCMND>');

/**
 * One call: the auth headers are checked by the simulator's own check, the operation (`kind`: 037 or 033) is told by
 * its body element, and the citizen by SoDinhDanh (else SoCMND); the body is searched as bytes, not decoded whole. The
 * answer does not depend on the name or birth date sent: the bench sends only applicants the registry holds under
 * that name, so the simulator would answer the same record.
 */
export function answerPopulation(answers: PopulationAnswers, credentials: PopulationCredentials, headers: Readonly<Record<string, string>>, body: Buffer): { kind: '037' | '033'; answer: PreparedAnswer } {
  const verification = body.indexOf(VERIFICATION_REQUEST) >= 0;
  const kind = verification ? '033' : '037';
  if (!checkAuthHeaders(headers, credentials).ok) return { kind, answer: answers.authFault };
  const operation = verification ? answers.verify : answers.lookup;
  const id = elementText(body, SO_DINH_DANH) ?? elementText(body, SO_CMND) ?? '';
  return { kind, answer: operation.byId.get(id) ?? operation.notFound };
}
