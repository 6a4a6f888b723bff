// A node-soap client of the edoc service (built from contracts/wsdl/edoc-service.wsdl) for one bus client, and the
// HTTP status and EdocFault code of a call that failed.
import * as soap from 'soap';
import { wsdlPath } from '../../../src/core/repo-files';
import type { EdocBus } from './edoc-bus';

interface SoapError {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; detail?: { EdocFault?: { code?: string } } } } } };
  response?: { status?: number };
}

export async function edocSoapClient(edoc: EdocBus, clientId: string): Promise<soap.Client> {
  const client = await soap.createClientAsync(wsdlPath('edoc-service'), { endpoint: `${edoc.bus.url()}/soap/edoc` });
  client.setSecurity(new soap.BearerSecurity(edoc.token(clientId)));
  return client;
}

/** What a call that should fail answered: HTTP status, faultcode and EdocFault code (all undefined when it succeeded). */
export async function soapFaultOf(call: Promise<unknown>): Promise<{ status?: number; faultcode?: string; code?: string }> {
  const error = (await call.then(() => null, (e: unknown) => e)) as SoapError | null;
  const fault = error?.root?.Envelope?.Body?.Fault;
  return { status: error?.response?.status, faultcode: fault?.faultcode, code: fault?.detail?.EdocFault?.code };
}
