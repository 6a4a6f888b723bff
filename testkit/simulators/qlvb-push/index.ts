// The reference simulator of a district QLVB push endpoint, for tests, the demo, the bench and the chaos suite (never in the image).
export { startQlvbPushSimulator, type QlvbPushSimulator, type QlvbPushSimulatorOptions, type AppliedPush } from './simulator';
