// Config of the dossier flow (bus.yaml `flows.dossier`): where DVCQG and the population database are and how to
// authenticate to them. Secrets come from environment variables named here; inline values are for development.
import { z } from 'zod';
import { breakerSchema } from '../../config/schema';
import type { FlowDescriptor } from '../settings';

const breaker = breakerSchema.prefault({});

/**
 * A secret by the name of the environment variable that holds it; `value` is an inline fallback for when the variable
 * is unset, allowed in the development profile only.
 */
const secret = z
  .strictObject({ value: z.string().min(1).optional(), env: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional() })
  .refine((s) => s.value !== undefined || s.env !== undefined, { message: 'give env (and in development, a value to fall back on)' });

export const dossierSettingsSchema = z.strictObject({
  dvcqg: z.strictObject({
    url: z.url(),
    username: z.string().min(1),
    password: secret,
    /** Mã đơn vị of this province at DVCQG. */
    madonvi: z.string().min(1),
    dstcode: z.string().optional(),
    sessionMaxAgeMs: z.number().int().min(1000).optional(),
    breaker,
  }),
  population: z.strictObject({
    url: z.url(),
    userName: z.string().min(1),
    secretKey: secret,
    /** X-Road-Client header value of this bus. */
    clientId: z.string().min(1),
    apiKey: secret,
    /** MaDVC / MaCanBo / MaDonVi sent with every lookup. */
    maDvc: z.string().min(1),
    maCanBo: z.string().min(1),
    maDonVi: z.string().optional(),
    breaker,
  }),
});

export type DossierSettings = z.infer<typeof dossierSettingsSchema>;
export type SecretSetting = z.infer<typeof secret>;

/** The dossier flow's pipelines (pipelines.ts): a dossier synced to DVCQG, a progress step sent to DVCQG. */
export const DOSSIER_PIPELINES = { sync: 'dossier-sync', progress: 'dossier-progress' } as const;

export const dossierFlowDescriptor: FlowDescriptor = { schema: dossierSettingsSchema, pipelines: Object.values(DOSSIER_PIPELINES) };
