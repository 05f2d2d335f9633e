/**
 * The payer's decisions as pure functions: whether to trust a site's terms, whether the policy
 * allows a price, which channel pays (or whether to top one up or open one), what to do about each
 * failure of a 402, and whether a corrective proof from the site can be adopted. No I/O: the
 * payer (`createPayer`) performs what these decide.
 */
import { isAddressEqual, type Address } from "viem";
import type { PaymentFailure } from "../headers";
import { FAILURE_TEXT, type LastProof, type PaymentTerms } from "../terms";
import { PayerError } from "./errors";
import {
  DEFAULT_DEPOSIT_MULTIPLE,
  channelName,
  type PayerChannel,
  type SpendingPolicy,
} from "./types";

/**
 * What the payer trusts: a contract, token, receiver and chain id (any of them may be unknown yet).
 */
export interface TrustedTerms {
  contract?: Address;
  token?: Address;
  chainId?: number;
  /** The receiver first paid at a site's origin: the site cannot switch it later. */
  receiver?: Address;
}

/**
 * Checks a site's terms against what the payer trusts.
 *
 * @returns a {@link PayerError} ("wrong-chain" or "foreign-contract") to throw, or undefined
 */
export function checkTerms(
  terms: Pick<PaymentTerms, "contract" | "token" | "chainId"> & { receiver?: Address },
  trusted: TrustedTerms,
  site: string,
): PayerError | undefined {
  if (trusted.chainId !== undefined && terms.chainId !== trusted.chainId) {
    return new PayerError(
      "wrong-chain",
      `${site} asks for payment on chain ${terms.chainId}, but this payer pays on chain ${trusted.chainId}.`,
      { details: { chainId: terms.chainId, expected: trusted.chainId } },
    );
  }
  if (trusted.contract !== undefined && !isAddressEqual(terms.contract, trusted.contract)) {
    return new PayerError(
      "foreign-contract",
      `${site} names the channel contract ${terms.contract}, but this payer trusts ${trusted.contract}; ` +
        `pass that contract explicitly if the site really moved.`,
      { details: { contract: terms.contract, expected: trusted.contract } },
    );
  }
  if (trusted.token !== undefined && !isAddressEqual(terms.token, trusted.token)) {
    return new PayerError(
      "foreign-contract",
      `${site} names the token ${terms.token}, but this payer trusts ${trusted.token}.`,
      { details: { token: terms.token, expected: trusted.token } },
    );
  }
  if (
    trusted.receiver !== undefined &&
    terms.receiver !== undefined &&
    !isAddressEqual(terms.receiver, trusted.receiver)
  ) {
    return new PayerError(
      "foreign-contract",
      `${site} now names the receiver ${terms.receiver}, but this payer pays ${trusted.receiver} there; ` +
        `nothing was paid (close the channels to that site to pay another receiver there).`,
      { details: { receiver: terms.receiver, expected: trusted.receiver } },
    );
  }
  return undefined;
}

/** What one request and this payer have signed away so far, and their limits. */
export interface ChargeState {
  /** Charged by the current request's earlier signatures. */
  request: bigint;
  /** Charged by every signature of this payer. */
  spent: bigint;
}

/**
 * Checks a signature's charge (what it adds above the highest balance signed on its channel)
 * against the per-request maximum and the budget, counting what was already signed.
 *
 * @returns an "over-policy" {@link PayerError} to throw, or undefined
 */
export function checkCharge(
  charge: bigint,
  state: ChargeState,
  policy: SpendingPolicy,
): PayerError | undefined {
  if (policy.maxPrice !== undefined && state.request + charge > policy.maxPrice) {
    return new PayerError(
      "over-policy",
      `Signing would bring this request to ${state.request + charge}, above this payer's maximum price of ${policy.maxPrice}; nothing more was signed.`,
      { details: { charge, request: state.request, maxPrice: policy.maxPrice } },
    );
  }
  if (policy.budget !== undefined && state.spent + charge > policy.budget) {
    return new PayerError(
      "over-policy",
      `Signing ${charge} more would exceed this payer's budget of ${policy.budget} (${state.spent} signed so far); nothing more was signed.`,
      { details: { charge, budget: policy.budget, spent: state.spent } },
    );
  }
  return undefined;
}

/**
 * Checks a price against the policy and what was spent so far.
 *
 * @returns an "over-policy" {@link PayerError} to throw, or undefined
 */
export function checkPolicy(
  price: bigint,
  policy: SpendingPolicy,
  spent: bigint,
): PayerError | undefined {
  if (policy.maxPrice !== undefined && price > policy.maxPrice) {
    return new PayerError(
      "over-policy",
      `The price ${price} is above this payer's maximum price of ${policy.maxPrice}; nothing was paid.`,
      { details: { price, maxPrice: policy.maxPrice } },
    );
  }
  if (policy.maxDeposit !== undefined && price > policy.maxDeposit) {
    return new PayerError(
      "over-policy",
      `The price ${price} is above this payer's maximum deposit of ${policy.maxDeposit}; nothing was paid.`,
      { details: { price, maxDeposit: policy.maxDeposit } },
    );
  }
  if (policy.budget !== undefined && spent + price > policy.budget) {
    return new PayerError(
      "over-policy",
      `Paying ${price} would exceed this payer's budget of ${policy.budget} (${spent} spent so far); nothing was paid.`,
      { details: { price, budget: policy.budget, spent } },
    );
  }
  return undefined;
}

/** A new channel's deposit: `price × depositMultiple`, capped by `maxDeposit`, at least `price`. */
export function depositFor(price: bigint, policy: SpendingPolicy): bigint {
  let deposit = price * (policy.depositMultiple ?? DEFAULT_DEPOSIT_MULTIPLE);
  if (policy.maxDeposit !== undefined && deposit > policy.maxDeposit) deposit = policy.maxDeposit;
  return deposit < price ? price : deposit;
}

/** What pays the next request. */
export type ChannelPlan =
  | { type: "use"; channel: PayerChannel }
  | { type: "top-up"; channel: PayerChannel; amount: bigint }
  | { type: "open"; deposit: bigint };

/** The channel a payment goes to: chain, contract, receiver and sender, plus who can sign. */
export interface PaymentTarget {
  chainId: number;
  contract: Address;
  receiver: Address;
  sender: Address;
  /** Addresses this payer can sign balance proofs with. */
  signers: readonly Address[];
  price: bigint;
}

/** Whether `channel` is an open channel of `target` that this payer can sign for. */
export function isUsable(channel: PayerChannel, target: PaymentTarget): boolean {
  return (
    channel.state === "open" &&
    !channel.siteRefused &&
    !channel.signerUnavailable &&
    channel.chainId === target.chainId &&
    isAddressEqual(channel.contract, target.contract) &&
    isAddressEqual(channel.receiver, target.receiver) &&
    isAddressEqual(channel.sender, target.sender) &&
    target.signers.some((s) => isAddressEqual(s, channel.signer))
  );
}

/**
 * Chooses how to pay `target.price`: an open channel whose deposit covers balance + price (the one
 * with the least room left, so deposits are used up before new ones), else a top-up of the channel
 * with the most room (by the policy's deposit for the price, within `maxDeposit`), else a new
 * channel with the policy's deposit.
 */
export function planPayment(
  channels: readonly PayerChannel[],
  target: PaymentTarget,
  policy: SpendingPolicy,
): ChannelPlan {
  const usable = channels.filter((c) => isUsable(c, target));
  const room = (c: PayerChannel) => c.deposit - c.balance;
  const covering = usable
    .filter((c) => room(c) >= target.price)
    .sort((a, b) => cmp(room(a), room(b)) || b.openBlock - a.openBlock);
  if (covering[0]) return { type: "use", channel: covering[0] };

  const deposit = depositFor(target.price, policy);
  const roomiest = [...usable].sort((a, b) => cmp(room(b), room(a)) || b.openBlock - a.openBlock);
  for (const channel of roomiest) {
    let amount = deposit;
    if (policy.maxDeposit !== undefined && channel.deposit + amount > policy.maxDeposit) {
      amount = policy.maxDeposit - channel.deposit;
    }
    if (amount > 0n && channel.deposit + amount >= channel.balance + target.price) {
      return { type: "top-up", channel, amount };
    }
  }
  return { type: "open", deposit };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What to do about a 402 that answered a request carrying our proof. */
export type FailureAction =
  /** Wait for `blocks` more blocks, then send the same proof again. */
  | { type: "wait-confirmations"; blocks: number }
  /** Look the channel up on chain: closed (open another one) or not yet seen by the site (wait). */
  | { type: "check-channel" }
  /** Verify the site's last proof and, if it is ours, continue from its balance. */
  | { type: "adopt"; lastProof: LastProof }
  /** The site has not seen the deposit we know of yet: wait and send the same proof again. */
  | { type: "wait-deposit" }
  /** The deposit does not cover the payment: re-read it on chain and top up. */
  | { type: "top-up" }
  /** Nothing the payer can do. */
  | { type: "refuse"; reason: PaymentFailure["reason"]; text: string };

/**
 * Maps the failure of a 402 (for a request that carried a proof for `channel` at `sentBalance`)
 * to the payer's next step.
 */
export function failureAction(
  terms: Pick<PaymentTerms, "failure" | "lastProof">,
  channel: PayerChannel,
  sentBalance: bigint,
): FailureAction {
  const failure = terms.failure ?? { reason: "payment-required" as const };
  const ours =
    terms.lastProof !== undefined && isAddressEqual(terms.lastProof.sender, channel.sender)
      ? terms.lastProof
      : undefined;
  const refuse = (): FailureAction => ({
    type: "refuse",
    reason: failure.reason,
    text: FAILURE_TEXT[failure.reason],
  });
  switch (failure.reason) {
    case "insufficient-confirmations":
      return { type: "wait-confirmations", blocks: failure.missing };
    case "nonexisting-channel":
      return { type: "check-channel" };
    case "invalid-amount":
      return ours ? { type: "adopt", lastProof: ours } : refuse();
    case "insufficient-funds":
      return sentBalance <= channel.deposit ? { type: "wait-deposit" } : { type: "top-up" };
    case "invalid-balance-proof":
      return refuse();
    case "payment-required":
      // A plain 402 to a paid request: the site's last balance is not the one we built on.
      return ours && ours.balance !== channel.balance
        ? { type: "adopt", lastProof: ours }
        : refuse();
  }
}

/** Result of {@link checkServerProof}. */
export type ServerProofCheck =
  | { ok: true; balance: bigint; signature: LastProof["signature"] }
  | { ok: false; error: PayerError };

/**
 * Whether the site's last proof for `channel` can be adopted: it must be signed by the channel's
 * signer for exactly that balance (`recovered` is the address recovered from the signature over
 * this channel's BalanceProof at `lastProof.balance`, null when it does not recover) and must not
 * exceed `deposit` (the channel's deposit as known, on chain if our copy was lower).
 */
export function checkServerProof(
  channel: PayerChannel,
  lastProof: LastProof,
  recovered: Address | null,
  deposit: bigint,
): ServerProofCheck {
  const tampered = (why: string) => ({
    ok: false as const,
    error: new PayerError(
      "tampered-proof",
      `The site claims a last balance of ${lastProof.balance} on channel ${channelName(channel)}, ` +
        `but ${why}; refusing to continue from it.`,
      { details: { balance: lastProof.balance, signature: lastProof.signature } },
    ),
  });
  if (!isAddressEqual(lastProof.sender, channel.sender)) return tampered("it names another sender");
  if (lastProof.balance === 0n && lastProof.signature === null) {
    return { ok: true, balance: 0n, signature: null };
  }
  if (lastProof.signature === null) return tampered("it shows no signature for it");
  if (recovered === null || !isAddressEqual(recovered, channel.signer)) {
    return tampered(`its signature is not by the channel's signer ${channel.signer}`);
  }
  if (lastProof.balance > deposit) return tampered(`it exceeds the deposit of ${deposit}`);
  return { ok: true, balance: lastProof.balance, signature: lastProof.signature };
}
