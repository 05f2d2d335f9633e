/** Builders for indexer test data. */
import type { Hex } from "viem";
import type { ChannelEvent, ChannelEventName } from "@/lib/indexer/events";

export const SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const SESSION_KEY = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

let seq = 0;

/** One event of channel (SENDER, 100) with overrides. */
export function buildEvent(
  name: ChannelEventName,
  blockNumber: number,
  args: Record<string, string> = {},
  logIndex = 0,
): ChannelEvent {
  seq += 1;
  return {
    name,
    blockNumber,
    blockHash: `0x${blockNumber.toString(16).padStart(64, "0")}` as Hex,
    logIndex,
    txHash: `0x${seq.toString(16).padStart(64, "0")}` as Hex,
    sender: SENDER,
    openBlock: 100,
    args,
  };
}

export const created = (block: number, deposit: string, signer = SENDER) =>
  buildEvent("ChannelCreated", block, { deposit, signer });
export const toppedUp = (block: number, addedDeposit: string, logIndex = 0) =>
  buildEvent("ChannelToppedUp", block, { addedDeposit }, logIndex);
export const closeRequested = (block: number, balance: string, settleBlockNumber: number) =>
  buildEvent("ChannelCloseRequested", block, {
    balance,
    settleBlockNumber: String(settleBlockNumber),
  });
export const settled = (block: number, balance: string, receiverTokens = balance) =>
  buildEvent("ChannelSettled", block, { balance, receiverTokens });
export const withdrew = (block: number, withdrawnBalance: string) =>
  buildEvent("ChannelWithdraw", block, { withdrawnBalance });
