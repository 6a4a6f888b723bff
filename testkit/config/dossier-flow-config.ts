// The `flows.dossier` section that points a bus at the reference DVCQG and population simulators, with their demo
// credentials; shared by the test harnesses, the bench and the chaos suite. Tests (development profile) give the
// credentials inline; the bench and the chaos suite run the production profile and give them by environment variable.
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../simulators/reference';
import type { FlowSections } from './bus-documents';

type DossierSection = NonNullable<FlowSections['dossier']>;
type BreakerSettings = NonNullable<DossierSection['dvcqg']['breaker']>;

/** The simulators' credentials by the environment variable names the `secrets: 'env'` section gives. */
export const DOSSIER_SECRET_ENV = {
  DVCQG_PASSWORD: DEMO_DVCQG_CREDENTIALS.password,
  POPULATION_SECRET_KEY: DEMO_POPULATION_CREDENTIALS.secretKey,
  POPULATION_API_KEY: DEMO_POPULATION_CREDENTIALS.apiKey,
} as const;

export function dossierFlowConfig(
  urls: { dvcqg: string; population: string },
  maDvc: string,
  breakers: { dvcqg?: BreakerSettings; population?: BreakerSettings } = {},
  secrets: 'inline' | 'env' = 'inline',
): DossierSection {
  const secret = (env: keyof typeof DOSSIER_SECRET_ENV) => (secrets === 'env' ? { env } : { value: DOSSIER_SECRET_ENV[env] });
  return {
    dvcqg: {
      url: urls.dvcqg,
      username: DEMO_DVCQG_CREDENTIALS.username,
      password: secret('DVCQG_PASSWORD'),
      madonvi: '000.00.00.H10',
      ...(breakers.dvcqg ? { breaker: breakers.dvcqg } : {}),
    },
    population: {
      url: urls.population,
      userName: DEMO_POPULATION_CREDENTIALS.userName,
      secretKey: secret('POPULATION_SECRET_KEY'),
      clientId: DEMO_POPULATION_CREDENTIALS.clientId,
      apiKey: secret('POPULATION_API_KEY'),
      maDvc,
      maCanBo: '079080000001',
      ...(breakers.population ? { breaker: breakers.population } : {}),
    },
  };
}
