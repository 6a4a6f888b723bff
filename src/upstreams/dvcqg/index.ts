// Public API of the DVCQG (Cổng Dịch vụ công quốc gia) client: mapping and client (its simulator is in testkit/).
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
export { toDongBoHoSoItem, toTienDoHoSoItem, type DvcqgMappingOptions, type MaDoiTuongPolicy } from './mapping';
export { DvcqgError } from './dvcqg-error';
export { isSuccessCode } from './dvcqg-answer';
export { DvcqgClient, type DvcqgClientConfig, type DvcqgCallOptions, type DvcqgSyncResult, type DvcqgCatalogueService, type DvcqgEndpoint } from './client';
