/**
 * The watchtower pass: for every closing channel, dispute an announced balance below the last
 * accepted one, and follow sent disputes until they are final: confirmed, replaced with a higher
 * fee while they wait unmined, sent again when they leave the chain.
 */
import { chainConfig } from "@/lib/chain/config";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { errorText, txQueue, type TxFees } from "@/lib/chain/tx-queue";
import { db } from "@/lib/db/client";
import type { Channel } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { decideDispute, judgeDisputeTx, type TxObservation } from "./decide-dispute";
import { decideReplacement } from "./replacement-fees";
import { observeDispute } from "./send-dispute";
import { prevTxs, submitDispute, type DisputeReport, type PassContext } from "./submit-dispute";

export type { DisputeReport } from "./submit-dispute";

/**
 * Runs one watchtower pass over the database's closing channels (the indexer keeps them current).
 * Every transaction goes through the receiver's queue; a dispute is recorded on its channel with
 * a conditional update before it is broadcast, so no second one goes out while one is pending.
 *
 * @returns one entry per channel acted on (two when a vanished dispute is sent again)
 */
export async function runWatchtower(): Promise<DisputeReport[]> {
  const cfg = await chainConfig();
  const channels = await db().channel.findMany({
    where: { OR: [{ state: "closing" }, { dispute: "submitted" }] },
    orderBy: { settleBlock: "asc" },
  });
  if (channels.length === 0) return [];
  const [head, eth, minEth] = await Promise.all([
    cfg.publicClient.getBlockNumber({ cacheTime: 0 }),
    cfg.publicClient.getBalance({ address: cfg.receiver.address }),
    minReceiverEth(cfg),
  ]);
  const e = env();
  const queue = txQueue(cfg);
  let market: Promise<TxFees> | undefined;
  const ctx: PassContext = {
    cfg,
    queue,
    now: { block: Number(head), hasEth: eth >= minEth },
    confirmations: e.TX_CONFIRMATIONS ?? e.CONFIRMATIONS,
    cap: e.MAX_FEE_PER_GAS_WEI,
    market: () => (market ??= queue.marketFees()),
  };
  const reports: DisputeReport[] = [];
  for (const ch of channels) {
    try {
      reports.push(...(await watchChannel(ctx, ch)));
    } catch (err) {
      // One channel's RPC failure must not keep the others from being disputed.
      console.error(`[watchtower] ${ch.sender}:${ch.openBlock}: ${errorText(err)}`);
      reports.push({
        sender: ch.sender,
        openBlock: ch.openBlock,
        outcome: "failed",
        error: errorText(err),
      });
    }
  }
  return reports;
}

/** Updates the dispute columns unless another pass changed them since `ch` was read. */
const update = (ch: Channel, data: Partial<Channel>) =>
  db().channel.updateMany({
    where: { id: ch.id, dispute: ch.dispute, disputeTx: ch.disputeTx },
    data,
  });

async function watchChannel(ctx: PassContext, ch: Channel): Promise<DisputeReport[]> {
  const base = { sender: ch.sender, openBlock: ch.openBlock };
  const decision = decideDispute(ch, ctx.now);
  if (decision.type === "submit") {
    if (decision.late)
      console.warn(
        `[watchtower] channel ${ch.sender}:${ch.openBlock} is past its settle block: disputing anyway`,
      );
    return [await submitDispute(ctx, ch, decision)];
  }
  if (decision.type !== "check-tx") return [];

  const hashes = [decision.txHash, ...prevTxs(ch).filter((h) => h !== decision.txHash)];
  const obs = await observeDispute(ctx.cfg, hashes);
  const verdict = judgeDisputeTx(obs, ctx.now.block, ctx.confirmations);
  switch (verdict.type) {
    case "done":
      if (ch.dispute === "done" && ch.disputeTx === verdict.txHash) return [];
      await update(ch, { dispute: "done", disputeTx: verdict.txHash, disputeError: null });
      return [{ ...base, outcome: "done", txHash: verdict.txHash }];
    case "confirming":
      if (ch.dispute !== "submitted" || ch.disputeTx !== verdict.txHash)
        await update(ch, { dispute: "submitted", disputeTx: verdict.txHash });
      return [{ ...base, outcome: "confirming", txHash: verdict.txHash }];
    case "pending": {
      // A finished dispute back in the pool (a reorg returned it there) is followed again.
      if (ch.dispute === "done") {
        await update(ch, { dispute: "submitted" });
        ch = { ...ch, dispute: "submitted" };
      }
      const report = await replaceIfStuck(
        ctx,
        ch,
        obs as Extract<TxObservation, { type: "pending" }>,
      );
      return report ? [report] : [];
    }
    case "reopen": {
      const reopened = {
        dispute: "pending",
        disputeTx: null,
        disputeError: verdict.reason,
        disputePrevTxs: JSON.stringify(hashes),
      };
      if ((await update(ch, reopened)).count === 0) return [{ ...base, outcome: "skipped" }];
      console.warn(`[watchtower] ${ch.sender}:${ch.openBlock}: ${verdict.reason}; disputing again`);
      const report: DisputeReport = {
        ...base,
        outcome: "reopened",
        txHash: decision.txHash,
        error: verdict.reason,
      };
      const row = { ...ch, ...reopened };
      const again = decideDispute(row, ctx.now);
      return again.type === "submit" ? [report, await submitDispute(ctx, row, again)] : [report];
    }
  }
}

/** Replaces an unmined dispute at its nonce with higher fees once it has waited long enough. */
async function replaceIfStuck(
  ctx: PassContext,
  ch: Channel,
  pending: Extract<TxObservation, { type: "pending" }>,
): Promise<DisputeReport | null> {
  const base = { sender: ch.sender, openBlock: ch.openBlock };
  const choice = decideReplacement({
    sent: pending.fees,
    sentBlock: ch.disputeBlock ?? 0,
    head: ctx.now.block,
    settleBlock: ch.settleBlock,
    market: await ctx.market(),
    cap: ctx.cap,
  });
  if (choice.type === "wait") return null;
  if (choice.type === "capped") {
    const error = `the dispute ${pending.txHash} waits unmined at max fee ${pending.fees.maxFeePerGas} wei; MAX_FEE_PER_GAS_WEI (${ctx.cap}) allows no higher fee`;
    console.error(`[watchtower] ${ch.sender}:${ch.openBlock}: ${error}`);
    return { ...base, outcome: "fee-capped", txHash: pending.txHash, error };
  }
  const again = decideDispute({ ...ch, dispute: "pending", disputeTx: null }, ctx.now);
  if (again.type !== "submit") return null;
  return submitDispute(ctx, ch, again, {
    txHash: pending.txHash,
    nonce: pending.nonce,
    fees: choice.fees,
  });
}
