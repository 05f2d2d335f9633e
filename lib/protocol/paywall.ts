import type { Address, Hex } from "viem";
import type { ProofMessage } from "./eip712";
import type { PaymentFailure } from "./headers";
import type { PaymentRequest } from "./payment-request";
import { paymentTermsHeaders, type LastProof, type PaywallIdentity } from "./terms";

export type { LastProof, PaywallIdentity } from "./terms";

/** What the receiver knows about one channel, as the paywall needs it. */
export interface ChannelView {
  id: number;
  sender: Address;
  openBlock: number;
  signer: Address;
  /** Confirmed deposit: the most the cumulative balance may reach. */
  deposit: bigint;
  /** Last accepted cumulative balance and its proof. */
  balance: bigint;
  signature: Hex | null;
  /** Resource the last accepted proof paid for. */
  lastResource: string | null;
  /** When the last accepted proof was paid (unix ms); null when no payment record holds it. */
  lastPaidAt: number | null;
  state: "open" | "closing" | "settled";
  /** The receiver handed out its closing signature: no more payments. */
  closeSigned: boolean;
  /** Confirmations the channel still lacks (0 = usable). */
  confirmationsMissing: number;
}

/** A payment to commit: applies only if the channel's balance is still `previousBalance`. */
export interface PaymentCommit {
  channelId: number;
  previousBalance: bigint;
  balance: bigint;
  signature: Hex;
  resource: string;
  amount: bigint;
}

/** Persistence the paywall core needs; the server implements it on the database. */
export interface ChannelStore {
  /**
   * The channel as stored. A store may answer from what it kept of the channel in this process
   * (`fresh` unset): such a view may be stale, so only a commit (whose conditional write checks
   * the balance and state it was decided on) may rely on it; {@link processPayment} decides every
   * other outcome again on a `fresh` read.
   */
  getChannel(
    sender: Address,
    openBlock: number,
    opts?: { fresh?: boolean },
  ): Promise<ChannelView | undefined>;
  /** Whether {@link getChannel} may answer from a copy kept in this process. */
  readonly keepsChannels?: boolean;
  /**
   * Applies a payment atomically (conditional update of the balance plus a payment record).
   * Resolves false, changing nothing, when the balance is no longer `previousBalance`.
   */
  commitPayment(commit: PaymentCommit): Promise<boolean>;
}

export interface PaywallDeps {
  identity: PaywallIdentity;
  store: ChannelStore;
  /** Recovers a BalanceProof's signer (null when the signature is malformed). */
  recoverSigner(message: ProofMessage, signature: Hex): Address | null;
}

/** Outcome of {@link processPayment}: expected results are values, never exceptions. */
export type PaymentOutcome =
  | { type: "free" }
  | { type: "paid"; amount: bigint; retry: boolean; proof: LastProof }
  | { type: "payment-required"; failure: PaymentFailure; lastProof?: LastProof };

/** How often a payment that lost a race on its channel is re-evaluated against the new state. */
const MAX_COMMIT_ATTEMPTS = 3;

/** What {@link processPayment} decides on. */
export interface PaymentInput {
  /** What this request costs now (0 = free). */
  price: bigint;
  /** Exact name of what is served, e.g. `article:intro`: a retried proof is free only for it. */
  resource: string;
  request: PaymentRequest | undefined;
  /**
   * How long after a payment the same proof is served again for the same resource (a client that
   * lost the response, or an upstream that failed after the payment). 0 disables retries.
   */
  retryWindowMs: number;
  /** The current time (unix ms); defaults to `Date.now()`. */
  now?: number;
}

/**
 * Decides a paid request (PROTOCOL.md §2) and commits the payment when it is valid, before any
 * content is produced. Order: channel exists for this receiver → confirmed → open → signature by
 * the channel's signer → (proof verified) retry or sync → exact price → deposit covers → commit.
 * A retry (the last accepted proof again, for the same resource, within `retryWindowMs` of its
 * payment) is served without a charge; after the window it is not a payment (402 with the proof).
 */
export async function processPayment(
  input: PaymentInput,
  deps: PaywallDeps,
): Promise<PaymentOutcome> {
  const outcome = await decidePayment(input, deps, false);
  // A view kept in the process is trusted only by a commit: anything else is decided again on
  // the stored channel (a refusal, a retry or a sync may rest on a stale balance or deposit).
  if (!deps.store.keepsChannels || (outcome.type === "paid" && !outcome.retry)) return outcome;
  return decidePayment(input, deps, true);
}

async function decidePayment(
  input: PaymentInput,
  deps: PaywallDeps,
  fresh: boolean,
): Promise<PaymentOutcome> {
  const { price, resource, request, retryWindowMs } = input;
  if (price === 0n) return { type: "free" };
  if (!request) return required({ reason: "payment-required" });
  const { identity } = deps;
  if (
    (request.receiver && request.receiver !== identity.receiver) ||
    (request.contract && request.contract !== identity.contract) ||
    (request.chainId !== undefined && request.chainId !== identity.chainId)
  ) {
    return required({ reason: "nonexisting-channel" });
  }

  for (let attempt = 1; ; attempt++) {
    const channel = await deps.store.getChannel(request.sender, request.openBlock, {
      fresh: fresh || attempt > 1,
    });
    if (!channel || channel.state === "settled") return required({ reason: "nonexisting-channel" });
    if (channel.confirmationsMissing > 0) {
      return required({
        reason: "insufficient-confirmations",
        missing: channel.confirmationsMissing,
      });
    }
    if (channel.state !== "open" || channel.closeSigned)
      return required({ reason: "nonexisting-channel" });

    const signer = deps.recoverSigner(
      {
        sender: channel.sender,
        receiver: identity.receiver,
        openBlockNumber: channel.openBlock,
        balance: request.balance,
      },
      request.signature,
    );
    if (signer !== channel.signer) return required({ reason: "invalid-balance-proof" });

    const lastProof: LastProof = {
      sender: channel.sender,
      balance: channel.balance,
      signature: channel.signature,
    };
    if (request.balance === channel.balance) {
      // Not a payment: a retry of the last paid request is served again for a short while (one
      // payment must not buy endless polls), anything else syncs state.
      const now = input.now ?? Date.now();
      if (
        request.signature === channel.signature &&
        resource === channel.lastResource &&
        channel.lastPaidAt !== null &&
        now - channel.lastPaidAt < retryWindowMs
      ) {
        return { type: "paid", amount: 0n, retry: true, proof: lastProof };
      }
      return required({ reason: "payment-required" }, lastProof);
    }
    const increase = request.balance - channel.balance;
    if (increase !== price || (request.payment !== undefined && request.payment !== increase)) {
      return required({ reason: "invalid-amount" }, lastProof);
    }
    if (request.balance > channel.deposit)
      return required({ reason: "insufficient-funds" }, lastProof);

    const committed = await deps.store.commitPayment({
      channelId: channel.id,
      previousBalance: channel.balance,
      balance: request.balance,
      signature: request.signature,
      resource,
      amount: increase,
    });
    if (committed) {
      return {
        type: "paid",
        amount: increase,
        retry: false,
        proof: { sender: channel.sender, balance: request.balance, signature: request.signature },
      };
    }
    // Another request moved this channel's balance first: decide again against the new state.
    if (attempt >= MAX_COMMIT_ATTEMPTS) {
      const latest = await deps.store.getChannel(request.sender, request.openBlock, {
        fresh: true,
      });
      return required(
        { reason: "invalid-amount" },
        latest
          ? { sender: latest.sender, balance: latest.balance, signature: latest.signature }
          : lastProof,
      );
    }
  }
}

function required(failure: PaymentFailure, lastProof?: LastProof): PaymentOutcome {
  return { type: "payment-required", failure, lastProof };
}

/**
 * The RDN-* response headers for an outcome (PROTOCOL.md §2): {@link paymentTermsHeaders} with the
 * proof the outcome carries and, on a 402, its failure. `decodePaymentTerms` reads them back.
 */
export function paywallHeaders(
  identity: PaywallIdentity,
  price: bigint,
  outcome: PaymentOutcome,
): Record<string, string> {
  switch (outcome.type) {
    case "free":
      return paymentTermsHeaders(identity, price);
    case "paid":
      return paymentTermsHeaders(identity, price, { lastProof: outcome.proof });
    case "payment-required":
      return paymentTermsHeaders(identity, price, {
        lastProof: outcome.lastProof,
        failure: outcome.failure,
      });
  }
}
