// What the e-document delivery adapters need besides their upstream: the blob store (SQLite in a temporary directory),
// the organ directory, a status reporter whose status messages are kept for inspection, and breakers that never open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BreakerConfig } from '../../../src/config/schema';
import { createEnvelope, type Envelope } from '../../../src/core/envelope';
import { OrganDirectory } from '../../../src/flows/edoc/organ-directory';
import { blobRefOf, EDOC_MESSAGE_TYPES, type EdocDeliverPayload } from '../../../src/flows/edoc/payloads';
import { edocSettingsSchema, type EdocSettings } from '../../../src/flows/edoc/settings';
import { StatusRoute } from '../../../src/flows/edoc/status-route';
import { StatusReporter } from '../../../src/flows/edoc/status-reporter';
import type { EdocStores } from '../../../src/flows/edoc/stores/edoc-store';
import { openEdocStores } from '../../../src/flows/edoc/stores/open-edoc-stores';
import { createBreaker, type UpstreamBreaker } from '../../../src/messaging/breaker';
import type { DispatchRequest, FlowIntake } from '../../../src/messaging/message-intake';

export interface EdocAdapterDeps {
  settings: EdocSettings;
  stores: EdocStores;
  directory: OrganDirectory;
  reporter: StatusReporter;
  /** The status messages the reporter dispatched (02 for a refusal), oldest first. */
  dispatched: DispatchRequest[];
  /** A breaker that judges no outage: the contract sees each call's own outcome. */
  breaker(name: string, settings: BreakerConfig): UpstreamBreaker;
  /** An edoc.deliver message for a package of its own (distinct bytes), from one organ to another. */
  deliverMessage(from: string, to: string, delivery: EdocDeliverPayload['delivery'], content?: Buffer): Promise<Envelope>;
  dispose(): Promise<void>;
}

export async function edocAdapterDeps(settingsInput: unknown): Promise<EdocAdapterDeps> {
  const settings = edocSettingsSchema.parse(settingsInput);
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-edoc-adapter-'));
  const stores = await openEdocStores({ databaseUrl: null, dataDir: dir });
  const directory = new OrganDirectory(settings);
  const dispatched: DispatchRequest[] = [];
  const intake: FlowIntake = {
    dispatch: async (request) => {
      dispatched.push(request);
      return { ok: true, envelope: createEnvelope({ type: request.type, source: request.source, payload: request.payload }), route: 'edoc-status' };
    },
  };
  const breakers: UpstreamBreaker[] = [];
  let n = 0;
  return {
    settings,
    stores,
    directory,
    reporter: new StatusReporter(stores.blobs, intake, directory, new StatusRoute(directory, stores.axisInbound)),
    dispatched,
    breaker: (name, config) => {
      const breaker = createBreaker(name, { ...config, consecutiveFailures: 1_000_000, volumeThreshold: 1_000_000 });
      breakers.push(breaker);
      return breaker;
    },
    deliverMessage: async (from, to, delivery, content) => {
      const documentId = `${from},2025/03/14,${++n}/UBND-VP`;
      const blob = await stores.blobs.put(documentId, [content ?? Buffer.from(`<edXML:MessageHeader n="${n}" at="${Date.now()}">Công văn số ${n}</edXML:MessageHeader>`)]);
      const payload: EdocDeliverPayload = { blob: blobRefOf(blob), fromOrgan: from, toOrgan: to, delivery, businessDocType: 0, signature: null };
      return createEnvelope({ type: EDOC_MESSAGE_TYPES.deliver, source: 'contract-test', destination: to, subject: documentId, payload });
    },
    dispose: async () => {
      for (const breaker of breakers) breaker.shutdown();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
