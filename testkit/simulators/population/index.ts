// The reference simulator of the national population database (CSDLQG về dân cư), for tests, the demo, the bench and the chaos suite (never in the image).
export { startPopulationSimulator, POPULATION_SERVICE_PATH } from './simulator';
export type { PopulationSimulatorOptions, RunningPopulationSimulator } from './simulator';
export { createSyntheticRegistry, CitizenRegistry, SAMPLE_CITIZENS } from './citizen-registry';
