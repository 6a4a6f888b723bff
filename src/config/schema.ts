// The shape of every configuration file of the bus, validated strictly so an unknown or misspelt key stops the start.
import { z } from 'zod';
import { memberIdSchema } from './member-id';

/** An absolute http(s) URL with no credentials, query or fragment; a trailing slash is dropped. */
const publicBaseUrlSchema = z
  .url({ protocol: /^https?$/, message: 'publicBaseUrl must be an absolute http:// or https:// URL' })
  .refine((value) => {
    // zod runs this check even after the URL check failed; that one has reported it already.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  }, 'publicBaseUrl must have no credentials, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * How a message that failed is tried again. `maxAttempts` counts the failures that are the message's own: a failure
 * while its upstream is failing (an outage, judged by the upstream's breaker) or while the bus's own store is away
 * does not use one up. `maxAgeMs` bounds how long a message may keep failing, whatever the cause, before it goes to
 * the dead letters (MAX_AGE_EXCEEDED); the console shows when each waiting message reaches it.
 */
export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100),
  initialDelayMs: z.number().int().min(1),
  maxDelayMs: z.number().int().min(1),
  multiplier: z.number().min(1).max(10),
  jitter: z.number().min(0).max(1),
  maxAgeMs: z.number().int().min(1000).default(7 * 24 * 3600_000),
});

/**
 * One upstream's circuit breaker; flows reuse it for their upstreams. It opens on an error percentage over a volume
 * of calls, on `consecutiveFailures` transient failures in a row, or when its probe (an HTTP request to the upstream,
 * `probeUrl` or the upstream's own URL) finds the upstream failing after a failed call; while open, the probe runs
 * every `probeIntervalMs` (default resetTimeoutMs) and closes it once the upstream answers.
 */
export const breakerSchema = z.strictObject({
  timeoutMs: z.number().int().min(1).default(10_000),
  errorThresholdPercentage: z.number().min(1).max(100).default(50),
  volumeThreshold: z.number().int().min(1).default(5),
  resetTimeoutMs: z.number().int().min(100).default(10_000),
  rollingCountTimeoutMs: z.number().int().min(100).default(10_000),
  consecutiveFailures: z.number().int().min(1).default(3),
  probeIntervalMs: z.number().int().min(100).optional(),
  probeUrl: z.url().optional(),
  /**
   * How long the upstream may still carry out a call the bus stopped waiting for (timed out, connection cut): an
   * upstream that takes no idempotency key is asked whether it holds the effect only after this, so a lookup never
   * races the abandoned call it is about. The upstream's own request timeout (its proxy's, its workers') bounds it.
   */
  abandonedCallSettleMs: z.number().int().min(0).default(30_000),
});

const httpPushAdapterSchema = z.strictObject({
  kind: z.literal('http-push'),
  url: z.url(),
  /** Name of an environment variable holding the bearer token, so secrets stay out of files. */
  tokenEnv: z.string().optional(),
  /** The name operators know the upstream by, shown in the admin console (the adapter's key when absent). */
  displayName: z.string().min(1).max(200).optional(),
  breaker: breakerSchema.prefault({}),
});

export const adapterSchema = z.discriminatedUnion('kind', [httpPushAdapterSchema]);

const conditionSchema = z
  .strictObject({
    /** `destination`, `subject`, `source`, `type`, or `payload.<dotted path>`. */
    field: z.string().regex(/^(destination|subject|source|type|payload(\.[A-Za-z0-9_]+)+)$/, 'field must be destination, subject, source, type or payload.<path>'),
    equals: z.string().optional(),
    in: z.array(z.string()).optional(),
    prefix: z.string().optional(),
    matches: z.string().optional(),
  })
  .refine((c) => [c.equals, c.in, c.prefix, c.matches].filter((x) => x !== undefined).length === 1, {
    message: 'a condition needs exactly one of equals, in, prefix, matches',
  });

/** A generic route's steps: JSON Schema checks of the payload (at intake and before delivery), then one delivery. */
const stepSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('validate'), schema: z.record(z.string(), z.unknown()) }),
  z.strictObject({ kind: z.literal('deliver'), adapter: z.string() }),
]);

export const routeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'route names are lower-case letters, digits and dashes'),
  types: z.array(z.string().min(1)).min(1),
  /** Client ids allowed on this route; `*` for any authenticated client. */
  clients: z.array(z.string().min(1)).min(1).default(['*']),
  when: z.array(conditionSchema).default([]),
  /** A pipeline a flow defines in code (dossier-sync, edoc-mailbox, …): its steps and delivery, typed end to end. */
  pipeline: z.string().min(1).optional(),
  /** Or, for a generic route, its steps: validate steps, then one deliver to an adapter of bus.yaml `adapters`. */
  steps: z.array(stepSchema).min(1).optional(),
  retry: retryPolicySchema.partial().optional(),
  prefetch: z.number().int().min(1).max(5000).optional(),
  /**
   * Deliver messages of one subject (MaHoSo) in the order the bus accepted them, across every consumer and process
   * (resequencer on a per-subject sequence number). Routes sharing subjects share one sequence.
   */
  ordered: z.boolean().default(false),
  /**
   * How long a message of this route may wait unsettled (accepted, not yet delivered, rejected or dead-lettered)
   * before the operations centre is warned: /metrics gives it as lgsp_route_deadline_seconds beside the age of the
   * route's oldest waiting message, and the shipped alert compares the two.
   */
  deadlineSeconds: z.number().int().min(1).default(3600),
}).refine((route) => (route.pipeline === undefined) !== (route.steps === undefined), { message: 'a route names a pipeline or lists generic steps, not both' });

export const routesFileSchema = z.strictObject({ routes: z.array(routeSchema).min(1) });

/** A right: `<service>.<operation>` (see src/gateway/rights.ts for the known ones), `<service>.*`, or `*`. */
const rightSchema = z.string().regex(/^(\*|[a-z][a-z0-9-]*\.(\*|[a-z][a-z0-9-]*))$/, 'a right is service.operation, service.* or *');

/** Token bucket (rate per second, burst) and a cap on requests in flight; each part optional. */
const limitSchema = z.strictObject({
  rate: z.number().positive().optional(),
  burst: z.number().int().min(1).optional(),
  concurrent: z.number().int().min(1).optional(),
});

/** A key a client signs its tokens with, chosen by the `kid` of the token header. */
const clientKeySchema = z
  .strictObject({
    /** `lgsp-admin-session` names the admin session key and is not a client's. */
    kid: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .refine((kid) => kid !== 'lgsp-admin-session', { message: 'kid lgsp-admin-session is reserved for admin console sessions' }),
    alg: z.enum(['RS256', 'ES256', 'HS256']),
    /** RS256 / ES256: the client's public key (SPKI PEM). */
    publicKeyPem: z.string().includes('-----BEGIN PUBLIC KEY-----').optional(),
    /** HS256: name of the environment variable holding the shared secret (at least 32 bytes). */
    secretEnv: z.string().min(1).optional(),
    /** Expected `iss`; defaults to auth.issuer. */
    issuer: z.string().min(1).optional(),
  })
  .refine((k) => (k.alg === 'HS256' ? k.secretEnv !== undefined && k.publicKeyPem === undefined : k.publicKeyPem !== undefined && k.secretEnv === undefined), {
    message: 'HS256 keys need secretEnv (and no publicKeyPem); RS256/ES256 keys need publicKeyPem (and no secretEnv)',
  });

const clientSchema = z.strictObject({
  /** `admin:` starts the subject of an admin console session, never a client id. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,128}$/)
    .refine((id) => !id.startsWith('admin:'), { message: 'client ids may not start with admin: (the subject of admin console sessions)' }),
  name: z.string().min(1),
  /** X-Road-style identifier `INSTANCE/CLASS/MEMBERCODE[/SUBSYSTEM]` (e.g. `VN/GOV/000.00.00.H10/MOTCUA`); unique. */
  member: memberIdSchema.optional(),
  roles: z.array(z.enum(['intake', 'admin'])).default(['intake']),
  /**
   * Services and operations the client may call (`dossier.submit`, `edoc.*`, …). Absent and no groups: none at all, so
   * every right-guarded endpoint answers 403 RIGHT_REQUIRED (fail closed).
   */
  rights: z.array(rightSchema).default([]),
  /** Names of top-level `groups` whose rights the client also has. */
  groups: z.array(z.string().min(1)).default([]),
  /** Per-client verification keys; a client with keys must send tokens with a `kid` (the shared HS256 key is refused). */
  keys: z.array(clientKeySchema).default([]),
  /** Limits for this client as a whole and, under services, per right (`dossier.submit`: {...}); absent: unlimited. */
  throttle: limitSchema.extend({ services: z.record(z.string().min(1), limitSchema).default({}) }).optional(),
});

export const busFileSchema = z.strictObject({
  http: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
      /**
       * Where clients reach this bus (`https://lgsp.example.gov.vn`, a path prefix kept), written into the addresses the
       * bus serves (the WSDLs' soap:address). Absent: http://host:port the bus listens on (127.0.0.1 for 0.0.0.0).
       * Never taken from a request's Host header, which the caller chooses.
       */
      publicBaseUrl: publicBaseUrlSchema.optional(),
    })
    .prefault({}),
  transport: z
    .strictObject({
      /** amqp://… to use RabbitMQ; absent or null for the embedded SQLite transport. */
      amqpUrl: z.string().regex(/^amqps?:\/\//, 'amqpUrl must start with amqp:// or amqps://').nullable().default(null),
      /**
       * The nodes of one RabbitMQ cluster, instead of amqpUrl: the bus connects to one and, when it is lost, to the
       * next (docs/production-topology.md). Not with amqpUrl.
       */
      amqpUrls: z.array(z.string().regex(/^amqps?:\/\//, 'every amqpUrls entry must start with amqp:// or amqps://')).min(1).optional(),
      /**
       * Replicas of each quorum queue when the bus declares it (x-quorum-initial-group-size). Absent: the broker's
       * default, a replica on every node of the cluster. RabbitMQ compares this argument when a queue is declared
       * again, so it cannot be added to, changed on or removed from queues that exist (the bus is refused at start).
       */
      quorumInitialGroupSize: z.number().int().min(1).max(9).optional(),
      prefetch: z.number().int().min(1).max(5000).default(20),
      /** Prefix of every exchange and queue name the bus declares. */
      namePrefix: z.string().regex(/^[a-z][a-z0-9.-]*$/).default('lgsp'),
      /** Safety net on every quorum queue against crash loops; our own retry policy acts well before it. */
      deliveryLimit: z.number().int().min(1).default(50),
      embeddedSynchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
    })
    .prefault({}),
  stores: z
    .strictObject({
      /** postgres://… for stores shared by several bus processes; absent for SQLite files in dataDir. */
      databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'databaseUrl must start with postgres://').nullable().default(null),
      dataDir: z.string().default('./data'),
    })
    .prefault({}),
  retry: retryPolicySchema.prefault({ maxAttempts: 8, initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.2 }),
  /**
   * How long the stores keep what makes a repeat harmless (docs/retention.md). A client's resend under the same
   * Idempotency-Key is recognised for idempotencyKeysDays after the key was claimed; a redelivery finds its upstream
   * effect for effectRecordsDays after it was done, which must cover the longest retry.maxAgeMs plus a day (checked at
   * start). Older rows are deleted every intervalMs, batchSize rows per statement.
   */
  retention: z
    .strictObject({
      idempotencyKeysDays: z.number().min(1).default(30),
      effectRecordsDays: z.number().min(1).default(30),
      intervalMs: z.number().int().min(1000).default(3600_000),
      batchSize: z.number().int().min(1).max(100_000).default(1000),
    })
    .prefault({}),
  auth: z
    .strictObject({
      issuer: z.string().default('lgsp-bus'),
      audience: z.string().default('lgsp-bus'),
      /** Name of the environment variable that holds the HS256 development signing key. */
      signingKeyEnv: z.string().default('LGSP_JWT_SECRET'),
      /** Used when signingKeyEnv is not set; development profile only (the bus refuses to start with it otherwise). */
      developmentSigningKey: z.string().min(32).optional(),
      /**
       * Maximum lifetime of a client token: `exp - iat` may not exceed it, and a token older than it is refused. Tokens
       * must carry `exp` and `iat`.
       */
      maxTokenAgeSeconds: z.number().int().min(1).default(3600),
      clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
      /**
       * Name of the environment variable holding the key that signs admin console sessions (at least 32 bytes). No
       * client ever holds it; it must differ from every client key. Required when admins are configured, except in
       * the development profile, where a random key per process is used when it is unset.
       */
      adminSessionKeyEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default('LGSP_ADMIN_SESSION_KEY'),
      adminSessionTtlSeconds: z.number().int().min(60).max(24 * 3600).default(8 * 3600),
      /** Failed admin sign-ins allowed per username and per address within the window, before 429 SIGN_IN_THROTTLED. */
      signIn: z
        .strictObject({
          maxFailuresPerUsername: z.number().int().min(1).default(10),
          maxFailuresPerAddress: z.number().int().min(1).default(20),
          windowSeconds: z.number().int().min(1).default(900),
        })
        .prefault({}),
    })
    .prefault({}),
  clients: z.array(clientSchema).default([]),
  /** Named sets of rights that clients join with clients[].groups. */
  groups: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), z.strictObject({ rights: z.array(rightSchema).default([]) })).default({}),
  adapters: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), adapterSchema).default({}),
  audit: z
    .strictObject({
      /** `full` keeps each message body (personal data protected as below); `metadata` keeps digest and sizes only. */
      payload: z.enum(['full', 'metadata']).default('full'),
      personalData: z
        .strictObject({
          mode: z.enum(['mask', 'encrypt', 'clear']).default('mask'),
          /** Environment variable holding the 32-byte AES-256-GCM key (base64), for mode encrypt. */
          encryptionKeyEnv: z.string().optional(),
        })
        .prefault({}),
      /** Ed25519 private key (PEM) that signs checkpoints; relative paths are under the data dir. */
      signingKeyFile: z.string().default('audit-signing.pem'),
      /**
       * Development convenience: create the key pair on first start when the file is missing. Absent: on in the
       * development profile, off in production (where turning it on stops the start).
       */
      generateSigningKey: z.boolean().optional(),
      /** A signed checkpoint of the chain's head every checkpointIntervalMs, or once checkpointEveryRecords records follow the last one. */
      checkpointIntervalMs: z.number().int().min(1000).default(5000),
      checkpointEveryRecords: z.number().int().min(1).default(500),
      /**
       * How long a bus's chain lease lasts unrenewed (renewed every third of it); past it, another bus seals the chain's
       * tail. A bus on the same host whose process is gone is sealed at once.
       */
      chainLeaseMs: z.number().int().min(3000).default(30_000),
      /**
       * Records older than keepDays are exported to verified bundles in exportDir (relative to the data dir) and
       * pruned, every intervalMs. Run it on one process of a cluster. Absent: the bus keeps everything.
       */
      retention: z
        .strictObject({
          keepDays: z.number().min(0),
          exportDir: z.string().default('audit-archive'),
          intervalMs: z.number().int().min(1000).default(6 * 3600_000),
        })
        .optional(),
    })
    .prefault({}),
  /** People who sign in to the admin console; passwords as scrypt hashes (`npm run -s admin-hash`). */
  admins: z
    .array(
      z.strictObject({
        username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
        passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'passwordHash must be scrypt$N$r$p$salt$hash'),
        canViewPersonalData: z.boolean().default(false),
      }),
    )
    .default([]),
  /** One section per flow (dossier, edoc, …), each validated by that flow's own schema. */
  flows: z.record(z.string(), z.unknown()).default({}),
  logging: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  /** Tracing: W3C Trace Context across every hop, spans exported over OTLP/HTTP (JSON). Off unless `otlp` is set. */
  observability: z
    .strictObject({
      otlp: z
        .strictObject({
          /** The collector's OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces. */
          url: z.url({ protocol: /^https?$/ }),
          /** The `service.name` of the bus's spans. */
          serviceName: z.string().min(1).default('lgsp-bus'),
          /** Finished spans are sent in batches at most this long after they end. */
          exportDelayMs: z.number().int().min(10).max(60_000).default(1000),
        })
        .optional(),
      /** Where the console links a trace id: a URL with `{traceId}` in it, e.g. http://jaeger:16686/trace/{traceId}. */
      traceViewerUrl: z
        .string()
        .refine((value) => value.includes('{traceId}') && /^https?:\/\//.test(value), 'traceViewerUrl must be an http(s) URL with {traceId} in it')
        .optional(),
    })
    .prefault({}),
  shutdown: z.strictObject({ graceMs: z.number().int().min(0).default(25_000) }).prefault({}),
});

export type RetryPolicyConfig = z.infer<typeof retryPolicySchema>;
export type AdapterConfig = z.infer<typeof adapterSchema>;
export type BreakerConfig = z.infer<typeof breakerSchema>;
export type RouteCondition = z.infer<typeof conditionSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type LimitConfig = z.infer<typeof limitSchema>;
export type BusFileConfig = z.infer<typeof busFileSchema>;
/** What bus.yaml may hold before defaults are applied (what a test or a tool writes). */
export type BusFileInput = z.input<typeof busFileSchema>;
/** What routes.yaml may hold before defaults are applied. */
export type RoutesFileInput = z.input<typeof routesFileSchema>;
