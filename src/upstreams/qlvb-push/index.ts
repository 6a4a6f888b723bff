// Public API of QLVB push: the bus-side push client, its error class and the wire contract (the endpoint simulator is in testkit/).
export { QlvbPushClient, QlvbPushError, type QlvbPushClientConfig, type QlvbPushInput, type QlvbPushOptions } from './client';
export {
  QLVB_HEADERS,
  QLVB_PUSH_PATHS,
  type QlvbPushKind,
  type QlvbPushReceipt,
  type QlvbPushRouting,
  type QlvbPushErrorBody,
} from './protocol';
export { UpstreamError, type UpstreamErrorKind } from '../http-kit/upstream-error';
