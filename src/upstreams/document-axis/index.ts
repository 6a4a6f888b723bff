// Public API of the national document axis client: client, signing and errors (its simulator is in testkit/).
export {
  DocumentAxisClient,
  type DocumentAxisClientConfig,
  type CallOptions,
  type EdocStream,
  type SendEdocInput,
  type ReceivedListFilter,
  type FetchedEdoc,
  type AxisResult,
  type ReceivedEdocItem,
  type SentEdocItem,
  type AxisServiceType,
  type AxisMessageType,
  type AxisReceiveStatus,
} from './client';
export { DocumentAxisError } from './errors';
export { UpstreamError, type UpstreamErrorKind } from '../http-kit/upstream-error';
export {
  signAxisRequest,
  verifyAxisRequest,
  canonicalSignature,
  hmacSha256Hex,
  formatAxisTimestamp,
  parseAxisTimestamp,
  fileHashHex,
  javaHashMapOrder,
  javaStringHashCode,
  type SignatureKeyOrder,
  type SigningOptions,
  type SignedPair,
  type SignatureVerdict,
  type SignatureFailureCode,
  type SignRequestInput,
  type VerifyOptions,
} from './signing';
