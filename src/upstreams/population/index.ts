// Public face of the national population database (CSDLQG về dân cư) client: client, mapping, id validator (its simulator is in testkit/).
export { PopulationClient } from './client';
export type { PopulationClientOptions, PopulationCallOptions } from './client';
export { PopulationError, isPopulationError } from './population-error';
export type { PopulationErrorCode } from './population-error';
export type {
  Citizen,
  CitizenAddress,
  CitizenNameParts,
  CitizenRelative,
  HouseholdHead,
  CitizenVerifyRequest,
  CitizenLookupResult,
  CitizenVerificationResult,
  MismatchField,
} from './citizen';
export {
  validateVerifyRequest,
  toLookupRequest,
  toVerificationRequest,
  lookupResultFromWire,
  verificationResultFromWire,
  citizenFromWire,
} from './mapping';
export type { RequestContext, VerifyRequestProblem, VerifyRequestValidation } from './mapping';
export { validateCitizenId, parseCitizenId, isValidCitizenId, isOldIdentityCardNumber } from './citizen-id';
export type { CitizenIdParts, CitizenIdProblem, CitizenIdValidation, CitizenIdExpectations } from './citizen-id';
export { PROVINCE_NAMES_BY_CODE, isKnownProvinceCode } from './province-codes';
export { buildAuthHeaders, checkAuthHeaders, authToken } from './auth-headers';
export type { PopulationCredentials, PopulationAuthHeaders, AuthCheck, AuthCheckFailure } from './auth-headers';
export { toRegistryName, nameMatchKey, namesMatch } from './vietnamese-text';
