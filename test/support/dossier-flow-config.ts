// The `flows.dossier` section that points a bus at the reference DVCQG and population simulators, with their demo
// credentials; shared by the test harnesses, the bench and the chaos suite.
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../../adapters/reference-simulators';

type BreakerSettings = Record<string, number>;

export function dossierFlowConfig(
  urls: { dvcqg: string; population: string },
  maDvc: string,
  breakers: { dvcqg?: BreakerSettings; population?: BreakerSettings } = {},
): Record<string, unknown> {
  return {
    dvcqg: {
      url: urls.dvcqg,
      username: DEMO_DVCQG_CREDENTIALS.username,
      password: { value: DEMO_DVCQG_CREDENTIALS.password },
      madonvi: '000.00.00.H10',
      ...(breakers.dvcqg ? { breaker: breakers.dvcqg } : {}),
    },
    population: {
      url: urls.population,
      userName: DEMO_POPULATION_CREDENTIALS.userName,
      secretKey: { value: DEMO_POPULATION_CREDENTIALS.secretKey },
      clientId: DEMO_POPULATION_CREDENTIALS.clientId,
      apiKey: { value: DEMO_POPULATION_CREDENTIALS.apiKey },
      maDvc,
      maCanBo: '079080000001',
      ...(breakers.population ? { breaker: breakers.population } : {}),
    },
  };
}
