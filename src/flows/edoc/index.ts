// The e-document exchange flow (edoc): edXML intake over REST and SOAP, per-recipient fan-out to mailbox, push or the
// national axis, documents fetched from the national axis for the province's organs, status packets routed back to
// senders, package bytes kept once in the blob store (claim check).
import path from 'node:path';
import { DocumentAxisClient } from '../../upstreams/document-axis';
import { adapterPipeline } from '../../messaging/generic-pipeline';
import type { Flow } from '../flow';
import { createAxisAdapter } from './adapters/axis-adapter';
import { AxisInboundPoller } from './axis-inbound';
import { createFanoutAdapter } from './adapters/fanout-adapter';
import { createMailboxAdapter } from './adapters/mailbox-adapter';
import { createPushAdapter } from './adapters/push-adapter';
import { BodySpool } from './body-spool';
import { LargeBodyGate } from './large-body-gate';
import { MailboxService } from './mailbox-service';
import { OrganDirectory } from './organ-directory';
import { EDOC_MESSAGE_TYPES, isEdocDeliverPayload, isEdocSendPayload, isEdocStatusPayload } from './payloads';
import { PackageIntake } from './package-intake';
import { ResendGuard } from './resend-guard';
import { mountEdocRestEndpoints } from './rest-endpoints';
import { SignatureGate } from './signature-gate';
import { EDOC_AXIS_SECRET_PATH, edocSettingsSchema } from './settings';
import { mountEdocSoapService } from './soap-service';
import { StatusReporter } from './status-reporter';
import { StatusRoute } from './status-route';
import { openEdocStores } from './stores/open-edoc-stores';

/** Under the data directory: where large upload bodies wait for their processing turn (body-spool.ts). */
const SPOOL_DIR = 'edoc-spool';

export const edocFlow: Flow<typeof edocSettingsSchema> = {
  name: 'edoc',
  messageTypes: Object.values(EDOC_MESSAGE_TYPES),
  settingsSchema: edocSettingsSchema,
  async setup(ctx) {
    const settings = ctx.settings;
    // The flow's own endpoints and steps build these payloads; the rule keeps a malformed one out of every route.
    for (const [type, isValid] of [
      [EDOC_MESSAGE_TYPES.send, isEdocSendPayload],
      [EDOC_MESSAGE_TYPES.deliver, isEdocDeliverPayload],
      [EDOC_MESSAGE_TYPES.status, isEdocStatusPayload],
    ] as const) {
      ctx.setMessageRule(type, {
        invalidMessage: `not a valid ${type} payload`,
        validate: (payload) => (isValid(payload) ? [] : [{ field: '/', message: `not a valid ${type} payload` }]),
      });
    }
    const stores = await openEdocStores(ctx.config.stores);
    // The axis poller (if any) stops before the stores it writes close.
    let inboundPoller: AxisInboundPoller | null = null;
    ctx.onStop(async () => {
      await inboundPoller?.stop();
      await stores.close();
    });
    const directory = new OrganDirectory(settings);
    const statusRoute = new StatusRoute(directory, stores.axisInbound);
    const reporter = new StatusReporter(stores.blobs, ctx.intake, directory, statusRoute);
    const signatures = SignatureGate.fromSettings(settings, ctx.config.configDir);
    ctx.onStop(() => signatures.close());
    const intake = new PackageIntake({
      directory,
      blobs: stores.blobs,
      recipients: stores.recipients,
      resends: new ResendGuard(stores.sentDocuments),
      messageIntake: ctx.intake,
      signatures,
      statusRoute,
    });
    const mailbox = new MailboxService({ stores, directory, reporter });

    const adapters = [
      createFanoutAdapter({ messageIntake: ctx.intake }),
      createMailboxAdapter({ stores, reporter, messages: ctx.stores.messages }),
      createPushAdapter({
        directory,
        blobs: stores.blobs,
        reporter,
        breakerSettings: settings.push.breaker,
        breaker: ctx.breaker,
        secrets: ctx.config.secrets,
      }),
    ];
    if (settings.axis) {
      const client = new DocumentAxisClient({
        endpoint: settings.axis.url,
        systemId: settings.axis.systemId,
        secret: ctx.config.secrets.get(EDOC_AXIS_SECRET_PATH),
        timeoutMs: settings.axis.breaker.timeoutMs,
      });
      const breaker = ctx.breaker('national-axis', settings.axis.breaker, settings.axis.url, 'Trục liên thông văn bản quốc gia');
      adapters.push(createAxisAdapter({ client, breaker, blobs: stores.blobs, systemId: settings.axis.systemId, axisInbound: stores.axisInbound }));
      if (settings.axis.inbound.enabled) {
        inboundPoller = new AxisInboundPoller({
          client,
          breaker,
          intake,
          register: stores.axisInbound,
          directory,
          audit: ctx.audit,
          logger: ctx.logger.child({ component: 'axis-inbound' }),
          pollIntervalMs: settings.axis.inbound.pollIntervalMs,
        });
        inboundPoller.start();
      }
    }
    // One pipeline per delivery, named as the adapter: routes.yaml names them (edoc-fanout, edoc-mailbox, …).
    for (const adapter of adapters) ctx.pipelines.add(adapterPipeline(adapter.name, adapter));

    const largeBodies = new LargeBodyGate(settings.largeBodies, (inFlight) => ctx.metrics.largeBodiesInFlight.set(inFlight));
    const spool = new BodySpool(path.join(path.resolve(ctx.config.stores.dataDir), SPOOL_DIR), settings.largeBodies.processing);
    mountEdocRestEndpoints(ctx.router, {
      authenticate: (right) => ctx.authenticate(right),
      intake,
      mailbox,
      blobs: stores.blobs,
      contracts: ctx.contracts,
      maxPackageBytes: settings.maxPackageBytes,
      largeBodies,
      spool,
      logger: ctx.logger,
    });
    await mountEdocSoapService(ctx.router, {
      path: settings.soap.path,
      publicBaseUrl: ctx.publicBaseUrl,
      // Role and the client's own throttle here; each operation checks its right (SendEdoc edoc.send, …).
      authenticate: ctx.authenticate(),
      intake,
      mailbox,
      blobs: stores.blobs,
      maxPackageBytes: settings.maxPackageBytes,
      largeBodies,
      spool,
      logger: ctx.logger,
    });
  },
};
