// The population step of a dossier: a citizen applicant must be in the national population database with the name
// and birth date given; any other answer settles the dossier as rejected with its own code.
import { isPopulationError, type CitizenLookupResult, type PopulationClient } from '../../upstreams/population';
import type { DossierIntake } from '../../upstreams/dvcqg';
import { MessageRejectedError } from '../../messaging/delivery/adapter';

/** A citizen applicant must exist in the population database with the name and birth date given. */
export async function checkApplicant(dossier: DossierIntake, population: Pick<PopulationClient, 'lookupCitizen'>, signal: AbortSignal): Promise<void> {
  if (dossier.LoaiDoiTuong !== 'CongDan') return;
  // The intake's rule already requires the id of a citizen; a citizen without one is never waved through.
  if (!dossier.SoDinhDanh) throw new MessageRejectedError('CITIZEN_ID_REQUIRED', 'a citizen applicant needs a citizen id (SoDinhDanh)');
  let result: CitizenLookupResult;
  try {
    result = await population.lookupCitizen(
      { soDinhDanh: dossier.SoDinhDanh, hoVaTen: dossier.ChuHoSo, ngaySinh: dossier.NgaySinhChuHoSo ?? '' },
      { signal },
    );
  } catch (error) {
    // The id contradicts itself (its embedded birth year or gender digit against the birth date given): no registry
    // answer could make this dossier valid.
    if (isPopulationError(error) && error.code === 'POPULATION_INVALID_REQUEST') {
      throw new MessageRejectedError('CITIZEN_ID_INVALID', 'the applicant\'s citizen id does not agree with the birth date given');
    }
    throw error;
  }
  if (result.status === 'not-found') {
    throw new MessageRejectedError('CITIZEN_NOT_FOUND', 'the applicant\'s citizen id is not in the national population database');
  }
  if (result.status === 'mismatch') {
    throw new MessageRejectedError('CITIZEN_MISMATCH', `the applicant's ${result.fields.join(' and ')} do not match the national population database`);
  }
}

