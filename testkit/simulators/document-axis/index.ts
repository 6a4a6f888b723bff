// The reference simulator of the national document axis, for tests, the demo, the bench and the chaos suite (never in the image).
export { startDocumentAxisSimulator, type DocumentAxisSimulator, type DocumentAxisSimulatorOptions, type InboundDocument, type QueuedInbound } from './simulator';
export { QD28_CODE_FOR_RECEIVE_STATUS } from './status-packet';
