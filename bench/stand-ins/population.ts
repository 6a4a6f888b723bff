// Bench stand-in of the population database's SOAP service (037 and 033): answers each call with the envelope the
// reference simulator gave for that citizen id, prepared once at start, after the minimum reading of the request.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
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

/** The text of the first `<…name>text<` element of a SOAP body (any prefix), or undefined. Ids hold no markup. */
function elementText(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`${name}>`);
  if (open < 0) return undefined;
  const start = open + name.length + 1;
  const end = xml.indexOf('<', start);
  return end < 0 ? undefined : xml.slice(start, end).trim();
}

/**
 * One call: the auth headers are checked as the simulator checks them, the operation is told by its body element,
 * and the citizen by SoDinhDanh (else SoCMND). The answer does not depend on the name or birth date sent: the bench
 * sends only applicants the registry holds under that name, so the simulator would answer the same record.
 */
export function answerPopulation(answers: PopulationAnswers, credentials: PopulationCredentials, headers: IncomingHttpHeaders, body: string): PreparedAnswer {
  if (!checkAuthHeaders(headers, credentials).ok) return answers.authFault;
  const operation = body.includes('XacThucThongTinCongDanRequest>') ? answers.verify : answers.lookup;
  const id = elementText(body, 'SoDinhDanh') ?? elementText(body, 'SoCMND') ?? '';
  return operation.byId.get(id) ?? operation.notFound;
}
