/**
 * Pure dispute decisions: should the receiver answer a channel's close request with
 * `cooperativeClose`, with which proof, and what became of a dispute already sent.
 */
import type { Hex } from "viem";
import type { Fees } from "./replacement-fees";

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
  | { type: "check-tx"; txHash: Hex }
  | { type: "submit"; balance: bigint; signature: Hex; late: boolean };

/** The balance a close request settles at without a dispute: max(announced, withdrawn). */
export function settlesAt(channel: Pick<DisputeChannel, "closingBalance" | "withdrawn">): bigint {
  const announced = BigInt(channel.closingBalance ?? "0");
  const withdrawn = BigInt(channel.withdrawn);
  return announced > withdrawn ? announced : withdrawn;
}

/**
 * Decides one channel. A close request whose announced balance is below the receiver's last
 * accepted balance is disputed, once: while a transaction is out only its fate is checked, and a
 * finished dispute of a channel that is closing again (a reorg removed the settlement) is checked
 * too, so it is re-opened when its transaction left the canonical chain.
 *
 * `late` marks a dispute after the settle block: `cooperativeClose` still works until the sender
 * actually calls `settle`, so the watchtower keeps trying while the channel is closing.
 *
 * @example
 * decideDispute(channel, { block: 1200, hasEth: true }) // { type: "submit", balance: 5n, ... }
 */
export function decideDispute(channel: DisputeChannel, now: DisputeNow): DisputeDecision {
  if (channel.dispute === "submitted" && channel.disputeTx) {
    return { type: "check-tx", txHash: channel.disputeTx as Hex };
  }
  if (channel.dispute === "done") {
    return channel.state === "closing" && channel.disputeTx
      ? { type: "check-tx", txHash: channel.disputeTx as Hex }
      : { type: "none", reason: "done" };
  }
  if (channel.state !== "closing") return { type: "none", reason: "not-closing" };
  if (!channel.signature) return { type: "none", reason: "no-proof" };
  const accepted = BigInt(channel.balance);
  // The contract settles at max(announced, withdrawn): nothing to win when that already covers it.
  if (accepted <= settlesAt(channel)) return { type: "none", reason: "honest-close" };
  if (channel.dispute === "no-eth" && !now.hasEth)
    return { type: "none", reason: "waiting-for-eth" };
  const late = channel.settleBlock !== null && now.block > channel.settleBlock;
  return { type: "submit", balance: accepted, signature: channel.signature as Hex, late };
}

/** A stored balance proof: the channel's last one or any accepted payment's. */
export interface StoredProof {
  balance: bigint;
  signature: Hex;
}

/**
 * The proof to dispute with when the channel's on-chain deposit is known: the highest stored
 * balance that the contract accepts (≤ deposit). A proof above the deposit would revert, which
 * happens when the stored deposit was wrong or a reorg shrank the deposit.
 *
 * @param floor - what the close settles at anyway; a proof at or below it gains nothing
 * @returns `null` when no stored proof fits the deposit and beats `floor`
 * @example
 * pickProof([{ balance: 12n, signature: a }, { balance: 6n, signature: b }], 10n, 1n) // 6n, b
 */
export function pickProof(
  proofs: readonly StoredProof[],
  deposit: bigint,
  floor: bigint,
): StoredProof | null {
  let best: StoredProof | null = null;
  for (const p of proofs) {
    if (p.balance > deposit || p.balance <= floor) continue;
    if (!best || p.balance > best.balance) best = p;
  }
  return best;
}

/** What the chain says about a sent dispute (all hashes sent at its nonce). */
export type TxObservation =
  /** One of the hashes is in a block. `canonical` is false when that block left the chain. */
  | {
      type: "mined";
      txHash: Hex;
      blockNumber: number;
      canonical: boolean;
      success: boolean;
    }
  /** The node still holds it unmined (`txHash`: the one it holds, with its nonce and fees). */
  | { type: "pending"; txHash: Hex; nonce: number; fees: Fees }
  /** The node knows none of the hashes (dropped from the pool, or removed by a reorg). */
  | { type: "unknown" };

/** What the observation of a sent dispute means. */
export type TxVerdict =
  | { type: "done"; txHash: Hex }
  | { type: "confirming"; txHash: Hex; missing: number }
  | { type: "pending" }
  /** Send again (at the same nonce with a higher fee while that nonce is still unused). */
  | { type: "reopen"; reason: string };

/**
 * Judges a sent dispute. It is done once its block has `confirmations` blocks on top (head −
 * block ≥ confirmations) and is still canonical; it is re-opened when it reverted, left the
 * canonical chain or vanished.
 *
 * @example
 * judgeDisputeTx({ type: "mined", txHash, blockNumber: 10, canonical: true, success: true }, 12, 2)
 * // { type: "done", txHash }
 */
export function judgeDisputeTx(obs: TxObservation, head: number, confirmations: number): TxVerdict {
  switch (obs.type) {
    case "pending":
      return { type: "pending" };
    case "unknown":
      return {
        type: "reopen",
        reason: "the dispute transaction is unknown to the node (dropped, or removed by a reorg)",
      };
    case "mined": {
      if (!obs.canonical)
        return {
          type: "reopen",
          reason: `the dispute transaction ${obs.txHash} is no longer in the canonical chain`,
        };
      if (!obs.success)
        return { type: "reopen", reason: `the dispute transaction ${obs.txHash} reverted` };
      const depth = head - obs.blockNumber;
      if (depth >= confirmations) return { type: "done", txHash: obs.txHash };
      return { type: "confirming", txHash: obs.txHash, missing: confirmations - depth };
    }
  }
}
