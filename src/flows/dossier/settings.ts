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
    /** Where the bus sends each catalogue service: DVCQG's share endpoint (default) or its integration endpoint. */
    catalogueEndpoints: z
      .strictObject({ LayThuTuc: z.enum(['share', 'integration']).default('share'), LayDanhSachTTHC: z.enum(['share', 'integration']).default('share') })
      .prefault({}),
    /**
     * What DVCQG's MaDoiTuong carries: `citizen-id` (default) the applicant's citizen id (a company's tax code);
     * `applicant-id` DVCQG's own id of the applicant, as the one-stop system gives it (the dossier's MaDoiTuong).
     */
    maDoiTuong: z.enum(['citizen-id', 'applicant-id']).default('citizen-id'),
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
  /**
   * The province's procedure catalogue from DVCQG (LayDanhSachTTHC, then LayThuTuc for what is new or changed), kept in
   * the bus's stores and served from there while DVCQG is away.
   */
  catalogue: z
    .strictObject({
      /** How often DVCQG is asked again; the last good copy is kept while it does not answer. */
      refreshIntervalMs: z.number().int().min(1000).default(60 * 60_000),
      /**
       * Refuse at intake (400 PROCEDURE_UNKNOWN) a dossier whose MaTTHC the catalogue does not list (unknown or
       * withdrawn), on the bus's API and the DVCQG-compatible face. Off: such a dossier is accepted and rejected when
       * DVCQG's LayThuTuc does not know it. With no copy at all (DVCQG never answered), nothing is refused either way.
       */
      refuseUnknownAtIntake: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * The DVCQG-compatible face (/compat/dvcqg/…): the one-stop systems that may log in to it as they log in to DVCQG,
   * each standing for a client of the bus (its routes, rights and audit name). Absent: no face.
   */
  dvcqgCompat: z
    .strictObject({
      accounts: z
        .array(z.strictObject({ username: z.string().min(1), password: secret, client: z.string().min(1) }))
        .min(1)
        .refine((accounts) => new Set(accounts.map((a) => a.username)).size === accounts.length, 'usernames must be unique'),
      /** Lifetime of a session the face gives out; the login answer says it (expires_in). */
      sessionTtlSeconds: z.number().int().min(60).max(86_400).default(1800),
      /**
       * Where in a DongBoHoSoMC item a citizen applicant's citizen id and birth date are (DVCQG itself checks neither,
       * the bus checks both against the population database). Default: the citizen id in MaDoiTuong, the birth date in
       * NgaySinhChuHoSo.
       */
      citizenIdField: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/).default('MaDoiTuong'),
      birthDateField: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/).default('NgaySinhChuHoSo'),
    })
    .optional(),
});

export type DossierSettings = z.infer<typeof dossierSettingsSchema>;
export type DvcqgCompatSettings = NonNullable<DossierSettings['dvcqgCompat']>;

/** The config paths (under flows.dossier) of the secrets the flow reads from the resolved secrets. */
export const DOSSIER_SECRETS = {
  dvcqgPassword: 'flows.dossier.dvcqg.password',
  populationSecretKey: 'flows.dossier.population.secretKey',
  populationApiKey: 'flows.dossier.population.apiKey',
} as const;

/** The config path of the password of the i-th account of the DVCQG-compatible face. */
export function compatPasswordPath(index: number): string {
  return `flows.dossier.dvcqgCompat.accounts.${index}.password`;
}

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
        { right: 'dossier.submit', protocol: 'rest', method: 'GET', path: '/api/v1/dossiers/{maHoSo}' },
      ],
    },
    {
      code: 'procedure',
      title: "The province's procedure catalogue (thủ tục hành chính) from DVCQG",
      contract: 'bus-api',
      wsdl: null,
      endpoints: [
        { right: 'procedure.read', protocol: 'rest', method: 'GET', path: '/api/v1/procedures' },
        { right: 'procedure.read', protocol: 'rest', method: 'GET', path: '/api/v1/procedures/{code}' },
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
    ...(settings.dvcqgCompat?.accounts ?? []).map((account, i) => ({ path: compatPasswordPath(i), ref: account.password })),
  ],
});
