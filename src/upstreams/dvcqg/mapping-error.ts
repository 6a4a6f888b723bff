// The error raised when a bus dossier or progress update cannot be mapped to DVCQG; carries a code and the field, never the value.
export type DossierMappingErrorCode =
  | 'MISSING_FIELD'
  | 'INVALID_DATE'
  | 'INVALID_VALUE'
  | 'INVALID_TEXT'
  | 'UNMAPPED_STATUS'
  | 'UNMAPPED_SUBJECT_TYPE'
  | 'PROCEDURE_MISMATCH';

export class DossierMappingError extends Error {
  override readonly name = 'DossierMappingError';

  constructor(
    readonly code: DossierMappingErrorCode,
    /** Path of the offending input field, e.g. `NgayTiepNhan` or `TaiLieuNop[2].TenTepDinhKem`. */
    readonly field: string,
    /** Why, in words that never quote the field's value (it may be personal data). */
    reason: string,
  ) {
    super(`${code} at ${field}: ${reason}`);
  }
}
