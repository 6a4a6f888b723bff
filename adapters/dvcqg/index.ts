// Public API of the DVCQG (Cổng Dịch vụ công quốc gia) adapter: mapping, client and reference simulator.
export * from './contract-types';
export { DossierMappingError, type DossierMappingErrorCode } from './mapping-error';
export { toDvcqgDate, parseIsoWithOffset, formatDvcqgDate } from './dvcqg-date';
export {
  DEFAULT_DVCQG_STATUS_TABLE,
  DEFAULT_DVCQG_SUBJECT_TYPE_TABLE,
  lookupDvcqgStatus,
  type DvcqgStatusTable,
  type DvcqgSubjectTypeTable,
} from './status-table';
export { toDongBoHoSoItem, toTienDoHoSoItem, type DvcqgMappingOptions } from './mapping';
export { DvcqgError, isTransientStatus } from './dvcqg-error';
export { isSuccessCode } from './dvcqg-answer';
export { DvcqgClient, type DvcqgClientConfig, type DvcqgCallOptions, type DvcqgSyncResult } from './client';
export {
  startDvcqgSimulator,
  DEFAULT_SIMULATOR_CREDENTIALS,
  type DvcqgSimulator,
  type DvcqgSimulatorOptions,
} from './simulator';
export { DvcqgSimulatorStore, type StoredDossier, type ProgressRecord, type DossierSync } from './simulator-store';
export { SIMULATOR_PROCEDURES } from './simulator-catalogue';
