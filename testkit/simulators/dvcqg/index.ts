// The reference simulator of DVCQG (Cổng Dịch vụ công quốc gia), for tests, the demo, the bench and the chaos suite (never in the image).
export {
  startDvcqgSimulator,
  DEFAULT_SIMULATOR_CREDENTIALS,
  type DvcqgSimulator,
  type DvcqgSimulatorOptions,
} from './simulator';
export { DvcqgSimulatorStore, type StoredDossier, type ProgressRecord, type DossierSync } from './store';
export { SIMULATOR_PROCEDURES } from './catalogue';
