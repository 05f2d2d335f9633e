/**
 * Pure dispute decision: should the receiver answer a channel's close request with
 * `cooperativeClose` at its last accepted balance?
 */
import type { Hex } from "viem";

/** Watchtower progress stored on `Channel.dispute`. */
export type DisputeStatus = "pending" | "submitted" | "no-eth" | "done";

/** The channel fields the decision reads (a `Channel` row fits). */
export interface DisputeChannel {
  state: string;
  /** Last accepted cumulative balance (decimal string) and its BalanceProof. */
  balance: string;
  signature: string | null;
  closingBalance: string | null;
  settleBlock: number | null;
  withdrawn: string;
  dispute: string | null;
  disputeTx: string | null;
}

/** What the watchtower knows about the present. */
export interface DisputeNow {
  /** Current chain head. */
  block: number;
  /** Whether the receiver's ETH is back above the limit (retries `no-eth` channels). */
  hasEth: boolean;
}

/** What to do with one channel on this pass. */
export type DisputeDecision =
  | {
      type: "none";
      reason: "not-closing" | "honest-close" | "no-proof" | "done" | "waiting-for-eth";
    }
  | { type: "check-receipt"; txHash: Hex }
  | { type: "submit"; balance: bigint; signature: Hex; late: boolean };

/**
 * Decides one channel. A close request whose announced balance is below the receiver's last
 * accepted balance is disputed, once: while a transaction is out only its receipt is checked.
 *
 * `late` marks a dispute after the settle block: `cooperativeClose` still works until the sender
 * actually calls `settle`, so the watchtower keeps trying while the channel is closing.
 *
 * @example
 * decideDispute(channel, { block: 1200, hasEth: true }) // { type: "submit", balance: 5n, ... }
 */
export function decideDispute(channel: DisputeChannel, now: DisputeNow): DisputeDecision {
  if (channel.dispute === "submitted" && channel.disputeTx) {
    return { type: "check-receipt", txHash: channel.disputeTx as Hex };
  }
  if (channel.dispute === "done") return { type: "none", reason: "done" };
  if (channel.state !== "closing") return { type: "none", reason: "not-closing" };
  if (!channel.signature) return { type: "none", reason: "no-proof" };
  const accepted = BigInt(channel.balance);
  const announced = BigInt(channel.closingBalance ?? "0");
  // The contract settles at max(announced, withdrawn): nothing to win when that already covers it.
  const settlesAt = announced > BigInt(channel.withdrawn) ? announced : BigInt(channel.withdrawn);
  if (accepted <= settlesAt) return { type: "none", reason: "honest-close" };
  if (channel.dispute === "no-eth" && !now.hasEth)
    return { type: "none", reason: "waiting-for-eth" };
  const late = channel.settleBlock !== null && now.block > channel.settleBlock;
  return { type: "submit", balance: accepted, signature: channel.signature as Hex, late };
}
