// Public API of the DVCQG (Cổng Dịch vụ công quốc gia) adapter: mapping, client and reference simulator.
export * from './contract-types';
export { DossierMappingError, type DossierMappingErrorCode } from './mapping-error';
export { toDvcqgDate, parseIsoWithOffset, formatDvcqgDate } from './dvcqg-date';
export { toNfcDeep } from './unicode-text';
export {
  DEFAULT_DVCQG_STATUS_TABLE,
  DEFAULT_DVCQG_SUBJECT_TYPE_TABLE,
  lookupDvcqgStatus,
  type DvcqgStatusTable,
  type DvcqgSubjectTypeTable,
} from './status-table';
export { toDongBoHoSoItem, toTienDoHoSoItem, type DvcqgMappingOptions } from './mapping';
