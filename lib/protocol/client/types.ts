/**
 * The payer's data model: a channel as the paying side remembers it, where it is kept, how much the
 * payer may spend, and the progress events it reports.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import type { DepositRoute } from "./deposit-route";

/** A channel as the payer remembers it. */
export interface PayerChannel {
  /** Origin of the site the channel was opened for (`https://example.com`), when known. */
  siteOrigin?: string;
  chainId: number;
  contract: Address;
  token: Address;
  receiver: Address;
  sender: Address;
  /** The address whose balance proofs the contract accepts (the sender, or a session key). */
  signer: Address;
  openBlock: number;
  deposit: bigint;
  /** The last balance the site accepted: we signed it and got a 2xx for it (or adopted it). */
  balance: bigint;
  /** BalanceProof of {@link PayerChannel.balance}; null before the first payment. */
  signature: Hex | null;
  /**
   * The highest balance this payer ever signed on the channel, whether or not the site answered
   * with a 2xx (the site holds that proof and can cash it). Absent: nothing above `balance`.
   * Stores never lower it.
   */
  signed?: bigint;
  state: "open" | "closing" | "settled";
  /** Block after which a closing channel can be settled. */
  settleBlock?: number;
  /**
   * Set when the site answered that it no longer knows the channel although it is open on chain
   * (it handed out a closing signature): no further payments go to it; close it.
   */
  siteRefused?: boolean;
  /**
   * Set on a channel recovered from the chain whose signer (a session key) this payer does not
   * hold: it is never used for payments, only closed (uncooperatively: nothing can sign for it).
   */
  signerUnavailable?: true;
  /**
   * Set on a channel recovered from the chain: its `balance` (0) is not what was paid on it, which
   * only the site knows (its corrective 402 or its payment history say).
   */
  balanceUnknown?: true;
}

/**
 * Where a payer keeps its channels. `put` replaces the channel with the same
 * (chainId, contract, sender, receiver, openBlock) or adds it; a store never drops a channel on its
 * own (a channel holds a deposit).
 */
export interface PayerChannelStore {
  list(): Promise<PayerChannel[]>;
  put(channel: PayerChannel): Promise<void>;
  /** Removes a channel (only ever called by the user, e.g. for a settled channel). */
  remove?(channel: PayerChannel): Promise<void>;
  /**
   * Reserves a signature before it is made, atomically for every payer sharing the store (tabs,
   * processes): the charge is `balance` minus the channel's {@link highestSigned} (0 when not
   * above it); when `allow(charge)` returns an error it is thrown and nothing changes, else the
   * channel's `signed` is raised to `balance` and the charge returned. Without it the payer
   * reads, checks and writes under its own lock.
   */
  reserve?(
    channel: PayerChannel,
    balance: bigint,
    allow: (charge: bigint) => Error | undefined,
  ): Promise<bigint>;
}

/** The highest balance this payer signed on `c`: its `signed`, at least the accepted `balance`. */
export function highestSigned(c: Pick<PayerChannel, "balance" | "signed">): bigint {
  return c.signed !== undefined && c.signed > c.balance ? c.signed : c.balance;
}

/** What signing `balance` on `c` adds to what the site can cash: above the highest signed. */
export function chargeOf(c: Pick<PayerChannel, "balance" | "signed">, balance: bigint): bigint {
  const highest = highestSigned(c);
  return balance > highest ? balance - highest : 0n;
}

/** Limits on what a payer pays and deposits, in token base units. */
export interface SpendingPolicy {
  /**
   * The most one request may cost: a price above it is refused, and the signatures of one request
   * (a corrective 402 included) never add up to more.
   */
  maxPrice?: bigint;
  /** Largest deposit of one channel (new deposits and top-ups stay within it). */
  maxDeposit?: bigint;
  /**
   * Total this payer may sign away over its lifetime: every signature counts at signing time, for
   * what it adds above the highest balance signed on its channel, whether or not the site serves.
   */
  budget?: bigint;
  /** A new channel's deposit is `price × depositMultiple` (default 10), capped by `maxDeposit`, at least the price. */
  depositMultiple?: bigint;
  /** How long to wait for the site to see a new channel or top-up (default 60 000 ms). */
  confirmationTimeoutMs?: number;
  /**
   * Whether `fetch` may open or top up a channel by itself (default true). When false, a payment
   * that no open channel covers fails with "over-policy" (`details.needs` = "open" | "top-up");
   * `open` and `topUp` still deposit when called.
   */
  autoDeposit?: boolean;
}

/** Default {@link SpendingPolicy.depositMultiple}. */
export const DEFAULT_DEPOSIT_MULTIPLE = 10n;
/** Default {@link SpendingPolicy.confirmationTimeoutMs}. */
export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 60_000;

/** Progress reported by a payer through `onEvent`. */
export type PayerEvent =
  | { type: "payment-required"; url: string; price: bigint; reason: string }
  /**
   * `via`: "relay" through the site's relay (a signature, no gas), "self" with a transaction (the
   * payer core always sets it on this event and on "topping-up").
   */
  | { type: "opening-channel"; receiver: Address; deposit: bigint; via?: DepositRoute }
  /**
   * `permit`: opened in one transaction with EIP-2612 permit (else approve + createChannel).
   * `via`: "relay" when the site sent the transaction (`txHash` as the chain's event shows it for
   * an open, as the site reported it for a top-up), "self" when the payer did.
   */
  | {
      type: "channel-opened";
      channel: PayerChannel;
      txHash: Hex;
      permit: boolean;
      via: DepositRoute;
    }
  | { type: "topping-up"; channel: PayerChannel; amount: bigint; via?: DepositRoute }
  | {
      type: "topped-up";
      channel: PayerChannel;
      txHash: Hex;
      permit: boolean;
      via: DepositRoute;
    }
  /** The sender's wallet is asked for the EIP-3009 deposit authorization a relay needs. */
  | { type: "signing-authorization"; what: "open" | "top-up"; amount: bigint }
  /** The signed authorization was sent to the site's relay. */
  | { type: "relay-requested"; what: "open" | "top-up"; url: string }
  /** The site sent the transaction and it is not mined yet: the payer polls `statusUrl`. */
  | { type: "relay-pending"; what: "open" | "top-up"; txHash: Hex; statusUrl: string }
  /** A transaction was handed to the wallet: it may be waiting for the user's confirmation. */
  | { type: "sending-transaction"; what: string }
  | { type: "transaction-sent"; what: string; txHash: Hex }
  | { type: "waiting-confirmations"; channel: PayerChannel; missing: number }
  | { type: "waiting-for-site"; channel: PayerChannel; reason: string }
  /**
   * A balance proof was reserved and signed: `charged` (what it adds above the highest balance
   * signed on the channel) now counts toward the limits, whatever the site answers.
   */
  | { type: "signed"; url: string; channel: PayerChannel; balance: bigint; charged: bigint }
  /** The site served a paid request: `charged` is what this request's signatures added. */
  | {
      type: "paid";
      url: string;
      channel: PayerChannel;
      price: bigint;
      balance: bigint;
      charged: bigint;
    }
  | { type: "adopted-server-balance"; channel: PayerChannel; from: bigint; to: bigint }
  /** A channel found on chain (its `ChannelCreated` event) that the store did not know. */
  | { type: "channel-recovered"; channel: PayerChannel }
  | { type: "channel-state-changed"; channel: PayerChannel; reason: string }
  | { type: "close-requested"; channel: PayerChannel; siteOrigin: string }
  | { type: "close-refused"; channel: PayerChannel; reason: string }
  | { type: "closed"; channel: PayerChannel; txHash: Hex; cooperative: boolean }
  | { type: "settled"; channel: PayerChannel; txHash: Hex };

/** Whether two records name the same channel: (chainId, contract, sender, receiver, openBlock). */
export function sameChannel(a: PayerChannel, b: PayerChannel): boolean {
  return (
    a.chainId === b.chainId &&
    a.openBlock === b.openBlock &&
    isAddressEqual(a.contract, b.contract) &&
    isAddressEqual(a.sender, b.sender) &&
    isAddressEqual(a.receiver, b.receiver)
  );
}

/** A short human name of a channel: `0xSender…→0xReceiver… @ block`. */
export function channelName(c: PayerChannel): string {
  return `${c.sender.slice(0, 8)}…→${c.receiver.slice(0, 8)}… opened in block ${c.openBlock}`;
}
