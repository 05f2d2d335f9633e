/**
 * What the operator can do to channels from the console: withdraw one or all, close one or all
 * cooperatively as the receiver, and run a sync. Each chain action is followed by a sync pass so
 * the pages show what the chain now says.
 */
import { isAddressEqual, type Address, type Hex } from "viem";
import { z } from "zod";
import { channelParamsSchema } from "@/lib/api/params";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { runSyncPass } from "@/lib/indexer/run-sync-pass";
import { withdrawChannel, type Withdrawal } from "@/lib/watchtower";
import { withdrawable } from "@/lib/watchtower/withdraw-channels";
import { closeChannelAsReceiver, type ChannelClose } from "./channel-close";

/** Input of the one-channel actions: `{ sender, open_block }` as the API's path params. */
export const channelKeySchema = channelParamsSchema;
export type ChannelKeyInput = z.input<typeof channelKeySchema>;

/** A channel a bulk action will visit, with the amount at stake. */
export interface ChannelTarget {
  sender: Address;
  openBlock: number;
  /** Withdraw: balance − withdrawn; close: the last accepted balance. */
  amount: bigint;
}

/** Result of {@link syncNow}. */
export interface SyncSummary {
  syncedBlock: number;
  headBlock: number;
  /** New events the pass stored. */
  events: number;
  /** Dispute transactions the watchtower sent or checked. */
  disputes: { sender: Address; openBlock: number; outcome: string; txHash?: Hex }[];
}

/** Runs one sync pass; a failure leaves the index as it was (the action itself is done). */
async function refreshIndex(): Promise<void> {
  try {
    await runSyncPass();
  } catch (err) {
    console.error("[admin] sync after a channel action failed:", err);
  }
}

/**
 * Withdraws what one channel owes, then syncs.
 *
 * @throws {@link BadRequestError} 409 "nothing to withdraw: …" and the other refusals of
 *   {@link withdrawChannel}
 */
export async function withdrawOne(key: {
  sender: Address;
  openBlock: number;
}): Promise<Withdrawal> {
  const done = await withdrawChannel(key);
  await refreshIndex();
  return done;
}

/** The receiver's open, confirmed channels that owe something now, newest first. */
export async function withdrawTargets(): Promise<ChannelTarget[]> {
  const { receiver } = await chainConfig();
  const rows = await db().channel.findMany({
    where: { state: "open", confirmed: true, signature: { not: null } },
    orderBy: [{ openBlock: "desc" }, { sender: "asc" }],
  });
  const targets: ChannelTarget[] = [];
  for (const ch of rows) {
    if (!isAddressEqual(ch.receiver as Address, receiver.address)) continue;
    const amount = withdrawable(ch, 1n);
    if (amount !== null)
      targets.push({ sender: ch.sender as Address, openBlock: ch.openBlock, amount });
  }
  return targets;
}

/**
 * Closes one channel cooperatively as the receiver, then syncs.
 *
 * @throws the refusals of {@link closeChannelAsReceiver}
 */
export async function closeOne(key: { sender: Address; openBlock: number }): Promise<ChannelClose> {
  const closed = await closeChannelAsReceiver(key);
  await refreshIndex();
  return closed;
}

/**
 * Every open channel of the receiver, newest first: what "close all" visits. Channels nothing was
 * paid on are included; their close is refused with the reason.
 */
export async function closeTargets(): Promise<ChannelTarget[]> {
  const { receiver } = await chainConfig();
  const rows = await db().channel.findMany({
    where: { state: "open" },
    orderBy: [{ openBlock: "desc" }, { sender: "asc" }],
  });
  return rows
    .filter((ch) => isAddressEqual(ch.receiver as Address, receiver.address))
    .map((ch) => ({
      sender: ch.sender as Address,
      openBlock: ch.openBlock,
      amount: BigInt(ch.balance),
    }));
}

/**
 * Runs one indexer and watchtower pass now.
 *
 * @example
 * const { syncedBlock, events } = await syncNow();
 */
export async function syncNow(): Promise<SyncSummary> {
  const pass = await runSyncPass();
  return {
    syncedBlock: pass.syncedBlock,
    headBlock: pass.headBlock,
    events: pass.events,
    disputes: pass.disputes.map((d) => ({
      sender: d.sender as Address,
      openBlock: d.openBlock,
      outcome: d.outcome,
      ...(d.txHash ? { txHash: d.txHash as Hex } : {}),
    })),
  };
}
