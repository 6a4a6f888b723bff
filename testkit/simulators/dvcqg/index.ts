// The reference simulator of DVCQG (Cổng Dịch vụ công quốc gia), for tests, the demo, the bench and the chaos suite (never in the image).
export {
  startDvcqgSimulator,
  DEFAULT_SIMULATOR_CREDENTIALS,
  type DvcqgSimulator,
  type DvcqgSimulatorOptions,
} from './simulator';
export { DvcqgSimulatorStore, type StoredDossier, type ProgressRecord, type DossierSync } from './store';
export { PROVINCE_LINKED_COUNT, PROVINCE_PROCEDURE_COUNT, PROVINCE_PROCEDURES, SEED_PROCEDURES, SimulatorCatalogue } from './catalogue';
