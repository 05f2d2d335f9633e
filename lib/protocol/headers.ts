/** Names of the paywall protocol's HTTP headers (PROTOCOL.md §2). Lookups are case-insensitive. */
export const RDN = {
  gatewayPath: "RDN-Gateway-Path",
  receiver: "RDN-Receiver-Address",
  contract: "RDN-Contract-Address",
  token: "RDN-Token-Address",
  chainId: "RDN-Chain-Id",
  price: "RDN-Price",
  sender: "RDN-Sender-Address",
  openBlock: "RDN-Open-Block",
  balance: "RDN-Sender-Balance",
  /** Request alias of {@link RDN.balance}. */
  balanceAlias: "RDN-Balance",
  signature: "RDN-Balance-Signature",
  payment: "RDN-Payment",
  insufficientConfirmations: "RDN-Insufficient-Confirmations",
  nonexistingChannel: "RDN-Nonexisting-Channel",
  invalidBalanceProof: "RDN-Invalid-Balance-Proof",
  invalidAmount: "RDN-Invalid-Amount",
  insufficientFunds: "RDN-Insufficient-Funds",
} as const;

export type RdnHeader = (typeof RDN)[keyof typeof RDN];

/** The API prefix announced in `RDN-Gateway-Path`. */
export const GATEWAY_PATH = "/api/1";

/** Why a 402 was answered; each maps to at most one failure header. */
export type PaymentFailure =
  | { reason: "payment-required" }
  | { reason: "insufficient-confirmations"; missing: number }
  | { reason: "nonexisting-channel" }
  | { reason: "invalid-balance-proof" }
  | { reason: "invalid-amount" }
  | { reason: "insufficient-funds" };

/** The failure header (name and value) a 402 carries for a failure, if any. */
export function failureHeader(failure: PaymentFailure): [RdnHeader, string] | undefined {
  switch (failure.reason) {
    case "payment-required":
      return undefined;
    case "insufficient-confirmations":
      return [RDN.insufficientConfirmations, String(Math.max(1, failure.missing))];
    case "nonexisting-channel":
      return [RDN.nonexistingChannel, "1"];
    case "invalid-balance-proof":
      return [RDN.invalidBalanceProof, "1"];
    case "invalid-amount":
      return [RDN.invalidAmount, "1"];
    case "insufficient-funds":
      return [RDN.insufficientFunds, "1"];
  }
}
