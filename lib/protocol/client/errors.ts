/** The payer's one error class: a literal code per cause, a sentence for a human, the cause kept. */

/** Why a payer gave up. */
export type PayerErrorCode =
  /** The price, a deposit or the budget exceeds the spending policy; nothing was paid. */
  | "over-policy"
  /** The site names a channel contract (or token) the payer does not trust. */
  | "foreign-contract"
  /** The site, the RPC node or the wallet is on another chain than expected. */
  | "wrong-chain"
  /** The sender's token balance does not cover the deposit. */
  | "no-tokens"
  /** The sender has too little ETH for the transactions' gas. */
  | "no-eth"
  /** The site did not answer (network error). */
  | "site-unreachable"
  /** The site did not see the channel (or top-up) confirmed in time. */
  | "confirmations-timeout"
  /** The site's corrective proof is not ours or exceeds the deposit. */
  | "tampered-proof"
  /** The site kept refusing the payment. */
  | "payment-refused"
  /**
   * The site kept a proof this payer signed for the request (it can cash it) and still answered
   * 402; nothing more was signed.
   */
  | "paid-not-served"
  /** The site's RDN-* headers are missing, malformed or inconsistent. */
  | "bad-terms"
  /** A transaction reverted or could not be sent. */
  | "transaction-failed"
  /** A settle before the challenge period is over. */
  | "challenge-period"
  /** The channel is not in a state that allows the operation. */
  | "bad-channel-state"
  /** The payer cannot sign for the channel (its signer is another key). */
  | "no-signer"
  /** The channel store cannot be read. */
  | "bad-store"
  /** The sender's channels could not be read from the chain (recovery of a lost store). */
  | "recovery-failed"
  /** Relaying was asked for, but the site offers no relay (or its token has no EIP-3009). */
  | "relay-unavailable"
  /** The site's relay refused the open or top-up (its message is kept); nothing was moved. */
  | "relay-refused"
  /**
   * The site claims to have opened or topped up the channel, but the chain does not show it
   * (another open block, signer, receiver or deposit); the payer does not use it.
   */
  | "relay-mismatch";

/**
 * Thrown by the payer for every expected failure; `code` says which, `message` explains it in one
 * sentence, `cause` keeps the underlying error.
 *
 * @example
 * try {
 *   await payer.fetch(url);
 * } catch (err) {
 *   if (err instanceof PayerError && err.code === "over-policy") console.log(err.message);
 * }
 */
export class PayerError extends Error {
  override readonly name = "PayerError" as const;
  readonly code: PayerErrorCode;
  /** Extra structured facts (price, limits, addresses) for programs. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: PayerErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Whether `err` is a {@link PayerError}, optionally of one code. */
export function isPayerError(err: unknown, code?: PayerErrorCode): err is PayerError {
  return err instanceof PayerError && (code === undefined || err.code === code);
}
