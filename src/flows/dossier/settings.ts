// Config of the dossier flow (bus.yaml `flows.dossier`): where DVCQG and the population database are and how to
// authenticate to them. Secrets are secret references (src/config/secrets.ts): { env: NAME } or { file: path }, with an
// inline { value } for the development profile only.
import { z } from 'zod';
import { flowDescriptor } from '../../config/flow-descriptor';
import { breakerSchema } from '../../config/schema';
import { secretRefSchema as secret } from '../../config/secrets';

const breaker = breakerSchema.prefault({});

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

/** The config paths (under flows.dossier) of the secrets the flow reads from the resolved secrets. */
export const DOSSIER_SECRETS = {
  dvcqgPassword: 'flows.dossier.dvcqg.password',
  populationSecretKey: 'flows.dossier.population.secretKey',
  populationApiKey: 'flows.dossier.population.apiKey',
} as const;

/** The dossier flow's pipelines (pipelines.ts): a dossier synced to DVCQG, a progress step sent to DVCQG. */
export const DOSSIER_PIPELINES = { sync: 'dossier-sync', progress: 'dossier-progress' } as const;

export const dossierFlowDescriptor = flowDescriptor({
  schema: dossierSettingsSchema,
  pipelines: Object.values(DOSSIER_PIPELINES),
  services: [
    {
      code: 'dossier',
      title: 'One-stop dossiers synced to DVCQG',
      contract: 'bus-api',
      wsdl: null,
      endpoints: [
        { right: 'dossier.submit', protocol: 'rest', method: 'POST', path: '/api/v1/dossiers' },
        { right: 'dossier.progress', protocol: 'rest', method: 'POST', path: '/api/v1/dossiers/{maHoSo}/progress' },
      ],
    },
    {
      code: 'citizen',
      title: 'Citizen check against the national population database',
      contract: 'bus-api',
      wsdl: null,
      endpoints: [{ right: 'citizen.verify', protocol: 'rest', method: 'POST', path: '/api/v1/citizens/verify' }],
    },
  ],
  secrets: (settings) => [
    { path: DOSSIER_SECRETS.dvcqgPassword, ref: settings.dvcqg.password },
    { path: DOSSIER_SECRETS.populationSecretKey, ref: settings.population.secretKey },
    { path: DOSSIER_SECRETS.populationApiKey, ref: settings.population.apiKey },
  ],
});
