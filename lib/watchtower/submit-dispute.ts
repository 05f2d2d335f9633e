/**
 * Sending one dispute, or a replacement of one, through the receiver's transaction queue: pick a
 * proof the contract accepts, choose nonce and fees, record the signed transaction on the channel
 * before it leaves (so a restart follows it), broadcast.
 */
import { getAddress, type Hex } from "viem";
import type { ChainConfig } from "@/lib/chain/config";
import type { TxFees, TxQueue } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import type { Channel } from "@/lib/db/generated/client";
import { pickProof, settlesAt, type DisputeDecision, type DisputeNow } from "./decide-dispute";
import { bumpFees, initialFees } from "./replacement-fees";
import { disputeCalldata, onChainDeposit } from "./send-dispute";

/** What the watchtower did for one channel on this pass. */
export interface DisputeReport {
  sender: string;
  openBlock: number;
  outcome:
    | "submitted"
    | "replaced"
    | "confirming"
    | "done"
    | "reopened"
    | "fee-capped"
    | "no-eth"
    | "failed"
    | "skipped";
  txHash?: string;
  /** The balance disputed (submitted, replaced). */
  balance?: string;
  error?: string;
}

/** What one watchtower pass shares between channels. */
export interface PassContext {
  cfg: ChainConfig;
  queue: TxQueue;
  now: DisputeNow;
  /** Blocks on top of a dispute's block before it counts as done. */
  confirmations: number;
  /** MAX_FEE_PER_GAS_WEI. */
  cap: bigint;
  /** The market's fees, read at most once per pass. */
  market: () => Promise<TxFees>;
}

/** A pending dispute transaction being replaced: its nonce, and the higher fees to send at. */
export interface Replacing {
  txHash: Hex;
  nonce: number;
  fees: TxFees;
}

/** Earlier transactions at the dispute's nonce, from `Channel.disputePrevTxs`. */
export function prevTxs(ch: Pick<Channel, "disputePrevTxs">): Hex[] {
  try {
    const parsed: unknown = JSON.parse(ch.disputePrevTxs ?? "[]");
    return Array.isArray(parsed)
      ? parsed.filter((h): h is Hex => typeof h === "string" && /^0x[0-9a-fA-F]{64}$/.test(h))
      : [];
  } catch {
    return [];
  }
}

const storedFees = (ch: Channel): TxFees | null =>
  ch.disputeFee !== null && ch.disputeTip !== null
    ? { maxFeePerGas: BigInt(ch.disputeFee), maxPriorityFeePerGas: BigInt(ch.disputeTip) }
    : null;

/** The dispute columns as they are on `ch` (to put them back after a failed send). */
const disputeColumns = (ch: Channel) => ({
  dispute: ch.dispute,
  disputeTx: ch.disputeTx,
  disputeNonce: ch.disputeNonce,
  disputeFee: ch.disputeFee,
  disputeTip: ch.disputeTip,
  disputeBlock: ch.disputeBlock,
  disputeBalance: ch.disputeBalance,
  disputePrevTxs: ch.disputePrevTxs,
});

/**
 * Sends the dispute `decision` asks for, or, with `replacing`, a replacement of the pending one
 * at its nonce. A dispute that was sent before and vanished (dropped, reorged away) is sent again
 * at the same nonce, above its earlier fees, while that nonce is unused.
 */
export async function submitDispute(
  ctx: PassContext,
  ch: Channel,
  decision: Extract<DisputeDecision, { type: "submit" }>,
  replacing?: Replacing,
): Promise<DisputeReport> {
  const { cfg, queue } = ctx;
  const base = { sender: ch.sender, openBlock: ch.openBlock };
  const sender = getAddress(ch.sender);
  const claimWhere = { id: ch.id, dispute: ch.dispute, disputeTx: ch.disputeTx };

  const deposit = await onChainDeposit(cfg, { sender, openBlock: ch.openBlock });
  if (deposit === null)
    return { ...base, outcome: "skipped", error: "the contract no longer holds the channel" };
  let proof = { balance: decision.balance, signature: decision.signature };
  if (proof.balance > deposit) {
    // The last proof exceeds what the contract holds: it would revert. Fall back to the highest
    // accepted payment that fits.
    const payments = await db().payment.findMany({
      where: { channelId: ch.id },
      select: { balance: true, signature: true },
    });
    const picked = pickProof(
      [
        proof,
        ...payments.map((p) => ({ balance: BigInt(p.balance), signature: p.signature as Hex })),
      ],
      deposit,
      settlesAt(ch),
    );
    if (!picked) {
      const error = `no stored proof fits the on-chain deposit ${deposit} (last accepted ${proof.balance})`;
      if (!replacing)
        await db().channel.updateMany({
          where: claimWhere,
          data: { dispute: "pending", disputeTx: null, disputeError: error },
        });
      return { ...base, outcome: "failed", error };
    }
    console.warn(
      `[watchtower] ${ch.sender}:${ch.openBlock}: last proof ${proof.balance} exceeds the on-chain deposit ${deposit}; disputing at ${picked.balance}`,
    );
    proof = picked;
  }
  const data = await disputeCalldata(cfg, { sender, openBlock: ch.openBlock, ...proof });

  let nonce: number | undefined;
  let fees: TxFees | undefined;
  let prev: Hex[] = [];
  if (replacing) {
    nonce = replacing.nonce;
    fees = replacing.fees;
    const earlier = [replacing.txHash, ch.disputeTx as Hex | null, ...prevTxs(ch)];
    prev = [...new Set(earlier.filter((h): h is Hex => h !== null))];
  } else if (ch.disputeNonce !== null && (await queue.minedNonce()) <= ch.disputeNonce) {
    nonce = ch.disputeNonce;
    prev = prevTxs(ch);
    const market = await ctx.market();
    const sent = storedFees(ch);
    fees = (sent && bumpFees(sent, market, ctx.cap)) ?? initialFees(market, ctx.cap);
  }

  const result = await queue.send(
    { to: cfg.deployment.contract, data, nonce, fees },
    {
      beforeBroadcast: async (tx) =>
        (
          await db().channel.updateMany({
            where: claimWhere,
            data: {
              dispute: "submitted",
              disputeTx: tx.hash,
              disputeError: null,
              disputeNonce: tx.nonce,
              disputeFee: tx.fees.maxFeePerGas.toString(),
              disputeTip: tx.fees.maxPriorityFeePerGas.toString(),
              disputeBlock: ctx.now.block,
              disputeBalance: proof.balance.toString(),
              disputePrevTxs: prev.length > 0 ? JSON.stringify(prev) : null,
            },
          })
        ).count > 0,
    },
  );
  if (result.type === "sent") {
    console.warn(
      `[watchtower] ${replacing ? "replaced the dispute of" : "disputed"} ${ch.sender}:${ch.openBlock} at ${proof.balance}: ${result.tx.hash} (nonce ${result.tx.nonce}, max fee ${result.tx.fees.maxFeePerGas})`,
    );
    return {
      ...base,
      outcome: replacing ? "replaced" : "submitted",
      txHash: result.tx.hash,
      balance: proof.balance.toString(),
    };
  }
  if (result.type === "aborted") return { ...base, outcome: "skipped" };

  // Not sent: put back what was recorded before the claim (a replacement keeps following the
  // transaction it tried to replace; a first send waits for the next pass).
  const where = result.tx ? { id: ch.id, disputeTx: result.tx.hash } : claimWhere;
  const conflict = result.type === "failed" && result.nonceConflict === true;
  await db().channel.updateMany({
    where,
    data: replacing
      ? { ...disputeColumns(ch), disputeError: result.error }
      : {
          ...disputeColumns(ch),
          dispute: result.type === "no-eth" ? "no-eth" : "pending",
          disputeTx: null,
          disputeError: result.error,
          ...(conflict
            ? { disputeNonce: null, disputeFee: null, disputeTip: null, disputePrevTxs: null }
            : {}),
        },
  });
  console.error(
    `[watchtower] cannot ${replacing ? "replace the dispute of" : "dispute"} ${ch.sender}:${ch.openBlock}: ${result.error}`,
  );
  return { ...base, outcome: result.type, error: result.error };
}
