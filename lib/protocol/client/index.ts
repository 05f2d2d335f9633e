/**
 * The payer core: the paying side of the protocol, shared by the CLI, the TypeScript library and
 * the browser paywall. Browser-safe (viem, zod and lib/protocol only); the CLI's file store lives in
 * `lib/client/file-store.ts`.
 */
export {
  createPayer,
  createPayingFetch,
  type CloseResult,
  type DepositRoute,
  type DepositVia,
  type OpenTarget,
  type Payer,
  type PayerOptions,
  type RecoverTarget,
} from "./payer";
export { RECOVERY_CHUNK_BLOCKS, recoveredChannels, type CreatedEvent } from "./recover";
export { PayerError, isPayerError, type PayerErrorCode } from "./errors";
export {
  DEFAULT_CONFIRMATION_TIMEOUT_MS,
  DEFAULT_DEPOSIT_MULTIPLE,
  channelName,
  chargeOf,
  highestSigned,
  sameChannel,
  type PayerChannel,
  type PayerChannelStore,
  type PayerEvent,
  type SpendingPolicy,
} from "./types";
export {
  channelToJson,
  memoryChannelStore,
  storedChannelSchema,
  storedChannelsSchema,
  upsertChannel,
} from "./store";
export {
  checkCharge,
  checkPolicy,
  checkServerProof,
  checkTerms,
  depositFor,
  failureAction,
  planPayment,
  type ChannelPlan,
  type ChargeState,
  type FailureAction,
  type PaymentTarget,
  type TrustedTerms,
} from "./decide";
export {
  RELAY_RAISE_LIMIT,
  chooseDepositRoute,
  relayAmount,
  relayCap,
  relayEndpoint,
  relayTopUpUrl,
  type RelayEndpoint,
  type RouteChoice,
  type RouteInput,
} from "./deposit-route";
export { checkFunds, checkTokens, gasNeeds } from "./chain";
export { rdnChannel, type RdnChannelOptions } from "./x402";
export type { Authorization, AuthorizeOptions } from "./authorize";
