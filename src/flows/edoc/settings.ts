// The e-document flow's bus.yaml section (`flows.edoc`): the bus's own organ id, the organ directory, upstreams and limits.
// Secrets are secret references (src/config/secrets.ts): { env: NAME } or { file: path }, inline { value } in development only.
import { z } from 'zod';
import { flowDescriptor } from '../../config/flow-descriptor';
import { breakerSchema as busBreakerSchema } from '../../config/schema';
import { secretRefSchema as secret } from '../../config/secrets';

// Documents of 20+ MiB take longer than the bus's 10 s default timeout.
const breakerSchema = busBreakerSchema.extend({ timeoutMs: z.number().int().min(1).default(60_000) });

/** A setting that named a variable before secrets were references: refused with what to write instead. */
const replacedBy = (key: string) => z.never({ error: `write ${key}: { env: NAME } (or { file: path }) instead` }).optional();

/** What the bus does with a package's XML-DSig signature (docs/edoc-signatures.md). */
const signaturePolicySchema = z.enum(['off', 'record', 'require']);
export type SignaturePolicy = z.infer<typeof signaturePolicySchema>;

const organIdSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.]{0,12}$/, 'organ ids are up to 13 letters, digits and dots');

const organSchema = z
  .strictObject({
    name: z.string().min(1),
    /** mailbox: the organ pulls from this bus; push: the bus POSTs to pushUrl; axis: the national axis carries it. */
    delivery: z.enum(['mailbox', 'push', 'axis']),
    pushUrl: z.url().optional(),
    /** The bearer token the organ's endpoint expects. */
    pushToken: secret.optional(),
    pushTokenEnv: replacedBy('pushToken'),
    /** Bus clients that speak for this organ (may send From it, read its mailbox, report its statuses). */
    clientIds: z.array(z.string().min(1)).default([]),
    /** Signature policy for packages From this organ; default signatures.policy. */
    signaturePolicy: signaturePolicySchema.optional(),
  })
  .refine((o) => o.delivery !== 'push' || (o.pushUrl !== undefined && o.pushToken !== undefined), {
    message: 'a push organ needs pushUrl and pushToken',
  });

export const edocSettingsSchema = z
  .strictObject({
    /** Organ id the bus writes in its own TraceHeader. */
    busOrganId: organIdSchema,
    /** Largest edXML package accepted on the edXML endpoints (REST and SOAP); the JSON cap elsewhere is unchanged. */
    maxPackageBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(40 * 1024 * 1024),
    /** Recipients missing from the directory: `axis` (outside the province, the default) or `reject` (400). */
    unknownOrgans: z.enum(['axis', 'reject']).default('axis'),
    organs: z.record(organIdSchema, organSchema).default({}),
    push: z.strictObject({ breaker: breakerSchema.prefault({}) }).prefault({}),
    axis: z
      .strictObject({
        url: z.url(),
        systemId: z.string().min(1),
        /** The HMAC secret the axis issued to this system. */
        secret,
        secretEnv: replacedBy('secret'),
        breaker: breakerSchema.prefault({}),
        /**
         * Documents other provinces and ministries send to this province's organs: the bus asks the axis every
         * pollIntervalMs for what it holds for the mailbox and push organs of the directory, delivers each as any
         * document and acknowledges it to the axis once it is stored (docs/edoc-axis-inbound.md).
         */
        inbound: z
          .strictObject({
            enabled: z.boolean().default(true),
            pollIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
          })
          .prefault({}),
      })
      .optional(),
    signatures: z
      .strictObject({
        /**
         * off: not checked; record: checked, accepted whatever the outcome, the outcome recorded and shown to
         * recipients; require: a package that is not validly signed by a trusted signer is refused (400).
         */
        policy: signaturePolicySchema.default('off'),
        trustStore: z
          .strictObject({
            /** PEM files of the CA certificates signers must chain to; relative paths are from the config directory. */
            caFiles: z.array(z.string().min(1)).default([]),
            /** CRL files (PEM or DER) of those CAs. */
            crlFiles: z.array(z.string().min(1)).default([]),
          })
          .prefault({}),
      })
      .prefault({}),
    soap: z.strictObject({ path: z.string().regex(/^\/[A-Za-z0-9/_-]+$/).default('/soap/edoc') }).prefault({}),
    /**
     * Large edXML bodies in flight at once (POST /api/v1/edocs and SOAP alike), counted per bus instance. A body is
     * large when its Content-Length is over thresholdBytes (default 4 MiB) or not given (chunked); each holds up to
     * maxPackageBytes (4/3 of it on SOAP) while it is read, decoded and stored. One more than perClient (default 2)
     * from one client is answered 429 LARGE_BODY_CLIENT_LIMIT, one more than total (default 4) from all clients 503
     * LARGE_BODY_BUS_LIMIT, both before the body is read, with Retry-After retryAfterSeconds (default 5); the rest of
     * the body is read and dropped. Smaller bodies are not counted. A slot is held while its body uploads, so slow
     * senders hold theirs longer; perClient keeps one client from holding them all. The defaults keep four 50 MB SOAP
     * uploads at once to ~250 MB over the idle RSS on the 2-core reference machine (docs/operations.md, Large uploads).
     * A large body is written to a spool file in the data directory (edoc-spool, unlinked at once: nothing is left
     * there) as it arrives and read back whole when one of `processing` turns (default 1) is free; the turn is held
     * until its answer is sent, so no more than `processing` large bodies are in memory at once.
     */
    largeBodies: z
      .strictObject({
        thresholdBytes: z.number().int().min(1024).default(4 * 1024 * 1024),
        perClient: z.number().int().min(1).default(2),
        total: z.number().int().min(1).default(4),
        retryAfterSeconds: z.number().int().min(1).max(3600).default(5),
        processing: z.number().int().min(1).default(1),
      })
      .refine((l) => l.perClient <= l.total, { message: 'perClient must not be above total', path: ['perClient'] })
      .prefault({}),
  })
  .refine((s) => s.signatures.trustStore.caFiles.length > 0 || [s.signatures.policy, ...Object.values(s.organs).map((o) => o.signaturePolicy)].every((p) => p === undefined || p === 'off'), {
    message: 'a signature policy other than off needs at least one CA file',
    path: ['signatures', 'trustStore', 'caFiles'],
  })
  .refine((s) => s.axis !== undefined || (s.unknownOrgans === 'reject' && Object.values(s.organs).every((o) => o.delivery !== 'axis')), {
    message: 'axis settings are required while an organ or unknownOrgans uses the axis',
    path: ['axis'],
  });

export type EdocSettings = z.infer<typeof edocSettingsSchema>;
export type EdocOrganSettings = EdocSettings['organs'][string];
export type EdocBreakerSettings = z.infer<typeof breakerSchema>;

/** The e-document flow's pipelines, one per delivery: the fan-out of a package, then mailbox, push or the axis. */
export const EDOC_ADAPTERS = { fanout: 'edoc-fanout', mailbox: 'edoc-mailbox', push: 'edoc-push', axis: 'edoc-axis' } as const;

/** Config path of the axis secret, and of an organ's push token. */
export const EDOC_AXIS_SECRET_PATH = 'flows.edoc.axis.secret';
export const edocPushTokenPath = (organId: string): string => `flows.edoc.organs.${organId}.pushToken`;

export const EDOC_FLOW_DESCRIPTOR = flowDescriptor({
  schema: edocSettingsSchema,
  pipelines: Object.values(EDOC_ADAPTERS),
  services: [
    {
      code: 'edoc',
      title: 'E-documents (edXML, QCVN 102:2016) between document systems',
      contract: 'bus-edocs',
      wsdl: 'edoc-service',
      endpoints: [
        { right: 'edoc.send', protocol: 'rest', method: 'POST', path: '/api/v1/edocs' },
        { right: 'edoc.inbox', protocol: 'rest', method: 'GET', path: '/api/v1/edocs/inbox' },
        { right: 'edoc.inbox', protocol: 'rest', method: 'GET', path: '/api/v1/edocs/{id}' },
        { right: 'edoc.status', protocol: 'rest', method: 'POST', path: '/api/v1/edocs/{id}/status' },
        { right: 'edoc.send', protocol: 'soap', operation: 'SendEdoc' },
        { right: 'edoc.inbox', protocol: 'soap', operation: 'GetReceivedEdocList' },
        { right: 'edoc.inbox', protocol: 'soap', operation: 'GetEdoc' },
        { right: 'edoc.status', protocol: 'soap', operation: 'UpdateStatus' },
      ],
    },
  ],
  soapPath: (settings) => settings.soap.path,
  secrets: (settings) => [
    ...(settings.axis ? [{ path: EDOC_AXIS_SECRET_PATH, ref: settings.axis.secret }] : []),
    ...Object.entries(settings.organs).flatMap(([organId, organ]) =>
      organ.delivery === 'push' && organ.pushToken !== undefined ? [{ path: edocPushTokenPath(organId), ref: organ.pushToken }] : [],
    ),
  ],
});
