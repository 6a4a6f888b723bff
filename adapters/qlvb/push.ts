// Public API of QLVB push: the bus-side push client, its error class, the wire contract and the district endpoint simulator.
export { QlvbPushClient, QlvbPushError, type QlvbPushClientConfig, type QlvbPushInput, type QlvbPushOptions } from './push-client';
export {
  QLVB_HEADERS,
  QLVB_PUSH_PATHS,
  type QlvbPushKind,
  type QlvbPushReceipt,
  type QlvbPushRouting,
  type QlvbPushErrorBody,
} from './push-protocol';
export { startQlvbPushSimulator, type QlvbPushSimulator, type QlvbPushSimulatorOptions, type AppliedPush } from './push-simulator';
export { HttpCallError } from '../http-kit/http-call-error';
