/**
 * The watchtower pass: for every closing channel, dispute an announced balance below the last
 * accepted one, and follow sent disputes to their receipts.
 */
import { getAddress, type Hex } from "viem";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { decideDispute } from "./decide-dispute";
import { broadcastDispute, checkDispute, prepareDispute } from "./send-dispute";

/** What the watchtower did for one channel on this pass. */
export interface DisputeReport {
  sender: string;
  openBlock: number;
  outcome: "submitted" | "done" | "retry" | "no-eth" | "failed" | "skipped";
  txHash?: string;
  error?: string;
}

/**
 * Runs one watchtower pass over the database's closing channels (the indexer keeps them current).
 * Never sends a second transaction while one is pending: a dispute is claimed with a conditional
 * update carrying the signed transaction's hash before it is broadcast.
 *
 * @returns one entry per channel acted on
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
  const now = { block: Number(head), hasEth: eth >= minEth };
  const reports: DisputeReport[] = [];
  for (const ch of channels) {
    const decision = decideDispute(ch, now);
    const base = { sender: ch.sender, openBlock: ch.openBlock };
    const set = (data: {
      dispute: string;
      disputeTx?: string | null;
      disputeError?: string | null;
    }) =>
      db().channel.updateMany({
        where: { id: ch.id, dispute: ch.dispute, disputeTx: ch.disputeTx },
        data,
      });
    if (decision.type === "check-receipt") {
      const receipt = await checkDispute(cfg, decision.txHash);
      if (receipt.type === "pending") continue;
      if (receipt.type === "success") {
        await set({ dispute: "done", disputeError: null });
        reports.push({ ...base, outcome: "done", txHash: decision.txHash });
      } else {
        await set({
          dispute: "pending",
          disputeTx: null,
          disputeError: `dispute transaction ${decision.txHash} ${receipt.type}`,
        });
        reports.push({ ...base, outcome: "retry", txHash: decision.txHash, error: receipt.type });
      }
      continue;
    }
    if (decision.type !== "submit") continue;
    if (decision.late)
      console.warn(
        `[watchtower] channel ${ch.sender}:${ch.openBlock} is past its settle block: disputing anyway`,
      );
    const prepared = await prepareDispute(cfg, {
      sender: getAddress(ch.sender),
      openBlock: ch.openBlock,
      balance: decision.balance,
      signature: decision.signature,
    });
    if (prepared.type !== "signed") {
      await set({
        dispute: prepared.type === "no-eth" ? "no-eth" : "pending",
        disputeTx: null,
        disputeError: prepared.error,
      });
      console.error(`[watchtower] cannot dispute ${ch.sender}:${ch.openBlock}: ${prepared.error}`);
      reports.push({ ...base, outcome: prepared.type, error: prepared.error });
      continue;
    }
    const claimed = await set({
      dispute: "submitted",
      disputeTx: prepared.txHash,
      disputeError: null,
    });
    if (claimed.count === 0) {
      reports.push({ ...base, outcome: "skipped" });
      continue;
    }
    const failure = await broadcastDispute(cfg, prepared.serialized);
    if (failure) {
      await db().channel.updateMany({
        where: { id: ch.id, disputeTx: prepared.txHash },
        data: {
          dispute: failure.type === "no-eth" ? "no-eth" : "pending",
          disputeTx: null,
          disputeError: failure.error,
        },
      });
      reports.push({ ...base, outcome: failure.type, error: failure.error });
      continue;
    }
    console.warn(
      `[watchtower] disputed ${ch.sender}:${ch.openBlock} at ${decision.balance}: ${prepared.txHash}`,
    );
    reports.push({ ...base, outcome: "submitted", txHash: prepared.txHash as Hex });
  }
  return reports;
}
