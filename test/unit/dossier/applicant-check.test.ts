// A citizen applicant without an id is rejected by the population step itself, never waved through to DVCQG: the step
// does not rely on the intake's rule having run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DossierIntake } from '../../../src/upstreams/dvcqg';
import type { CitizenLookupResult } from '../../../src/upstreams/population';
import { checkApplicant } from '../../../src/flows/dossier/applicant-check';

const dossier = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as DossierIntake;

test.each([
  ['empty', ''],
  ['absent', undefined],
])('a citizen applicant whose id is %s is rejected CITIZEN_ID_REQUIRED without a lookup', async (_name, soDinhDanh) => {
  let lookups = 0;
  const population = {
    lookupCitizen: async (): Promise<CitizenLookupResult> => {
      lookups++;
      return { status: 'not-found' };
    },
  };
  const applicant: DossierIntake = { ...dossier, LoaiDoiTuong: 'CongDan', ChuHoSo: 'Người Không Có Thật' };
  if (soDinhDanh === undefined) delete applicant.SoDinhDanh;
  else applicant.SoDinhDanh = soDinhDanh;
  await expect(checkApplicant(applicant, population, new AbortController().signal)).rejects.toMatchObject({ code: 'CITIZEN_ID_REQUIRED' });
  expect(lookups).toBe(0);
});
