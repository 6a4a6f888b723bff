// Loads the DVCQG sample dossiers and progress updates from test/fixtures/dvcqg as contract-typed values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierIntake, DossierProgressUpdate } from '../../../adapters/dvcqg';

const dir = join(__dirname, '..', '..', 'fixtures', 'dvcqg');

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
}

export const birthRegistration = (): DossierIntake => load('dossier-birth-registration.json');
export const businessUtc = (): DossierIntake => load('dossier-business-utc.json');
export const marriageStatusNfd = (): DossierIntake => load('dossier-marriage-status-nfd.json');
export const birthRegistrationProgress = (): DossierProgressUpdate[] => load('progress-birth-registration.json');
