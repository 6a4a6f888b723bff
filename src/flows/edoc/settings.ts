// The e-document flow's bus.yaml section (`flows.edoc`): the bus's own organ id, the organ directory, upstreams and limits.
import { z } from 'zod';
import { breakerSchema as busBreakerSchema } from '../../config/schema';
import type { FlowDescriptor } from '../settings';

// Documents of 20+ MiB take longer than the bus's 10 s default timeout.
const breakerSchema = busBreakerSchema.extend({ timeoutMs: z.number().int().min(1).default(60_000) });

const organIdSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.]{0,12}$/, 'organ ids are up to 13 letters, digits and dots');

const organSchema = z
  .strictObject({
    name: z.string().min(1),
    /** mailbox: the organ pulls from this bus; push: the bus POSTs to pushUrl; axis: the national axis carries it. */
    delivery: z.enum(['mailbox', 'push', 'axis']),
    pushUrl: z.url().optional(),
    /** Environment variable holding the bearer token the organ's endpoint expects. */
    pushTokenEnv: z.string().optional(),
    /** Bus clients that speak for this organ (may send From it, read its mailbox, report its statuses). */
    clientIds: z.array(z.string().min(1)).default([]),
  })
  .refine((o) => o.delivery !== 'push' || (o.pushUrl !== undefined && o.pushTokenEnv !== undefined), {
    message: 'a push organ needs pushUrl and pushTokenEnv',
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
        secretEnv: z.string().min(1),
        breaker: breakerSchema.prefault({}),
      })
      .optional(),
    soap: z.strictObject({ path: z.string().regex(/^\/[A-Za-z0-9/_-]+$/).default('/soap/edoc') }).prefault({}),
  })
  .refine((s) => s.axis !== undefined || (s.unknownOrgans === 'reject' && Object.values(s.organs).every((o) => o.delivery !== 'axis')), {
    message: 'axis settings are required while an organ or unknownOrgans uses the axis',
    path: ['axis'],
  });

export type EdocSettings = z.infer<typeof edocSettingsSchema>;
export type EdocOrganSettings = EdocSettings['organs'][string];
export type EdocBreakerSettings = z.infer<typeof breakerSchema>;

/** Adapter names the edoc routes in routes.yaml refer to. */
export const EDOC_ADAPTERS = { fanout: 'edoc-fanout', mailbox: 'edoc-mailbox', push: 'edoc-push', axis: 'edoc-axis' } as const;

export const EDOC_FLOW_DESCRIPTOR: FlowDescriptor = {
  schema: edocSettingsSchema,
  adapters: Object.values(EDOC_ADAPTERS),
  enrichers: [],
  transformers: [],
};
