/**
 * The five contract events the indexer reads, in one normalized shape: what `eth_getLogs`
 * returns after decoding, what a `ChainEvent` row stores, and what the projection consumes.
 */
import { decodeEventLog, getAddress, type Address, type Hex } from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";

/** Names of the events that shape a channel. */
export const CHANNEL_EVENT_NAMES = [
  "ChannelCreated",
  "ChannelToppedUp",
  "ChannelCloseRequested",
  "ChannelSettled",
  "ChannelWithdraw",
] as const;

export type ChannelEventName = (typeof CHANNEL_EVENT_NAMES)[number];

/** ABI entries of {@link CHANNEL_EVENT_NAMES}. */
export const channelEventsAbi = microTransferChannelsAbi.filter(
  (item) => item.type === "event" && (CHANNEL_EVENT_NAMES as readonly string[]).includes(item.name),
);

/**
 * One indexed event. `args` holds the non-indexed arguments, amounts as decimal strings:
 * created `{ deposit, signer }`, topped up `{ addedDeposit }`, close requested
 * `{ balance, settleBlockNumber }`, settled `{ balance, receiverTokens }`, withdraw `{ withdrawnBalance }`.
 */
export interface ChannelEvent {
  name: ChannelEventName;
  blockNumber: number;
  blockHash: Hex;
  logIndex: number;
  txHash: Hex;
  sender: Address;
  openBlock: number;
  args: Record<string, string>;
}

/** A raw log as returned by `eth_getLogs` (hex quantities). */
export interface RpcLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex | null;
  blockHash: Hex | null;
  transactionHash: Hex | null;
  logIndex: Hex | null;
  removed?: boolean;
}

/** Decodes a raw log of one of the five events; `null` for anything else (or a pending/removed log). */
export function decodeChannelLog(log: RpcLog): ChannelEvent | null {
  if (
    log.removed ||
    log.blockNumber === null ||
    log.blockHash === null ||
    log.transactionHash === null ||
    log.logIndex === null
  ) {
    return null;
  }
  let decoded;
  try {
    decoded = decodeEventLog({
      abi: channelEventsAbi,
      data: log.data,
      topics: log.topics as [Hex, ...Hex[]],
    });
  } catch {
    return null;
  }
  const { sender, openBlockNumber } = decoded.args as { sender: Address; openBlockNumber: number };
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(decoded.args)) {
    if (key === "sender" || key === "receiver" || key === "openBlockNumber") continue;
    args[key] = typeof value === "string" ? getAddress(value) : String(value);
  }
  return {
    name: decoded.eventName as ChannelEventName,
    blockNumber: Number(BigInt(log.blockNumber)),
    blockHash: log.blockHash,
    logIndex: Number(BigInt(log.logIndex)),
    txHash: log.transactionHash,
    sender: getAddress(sender),
    openBlock: Number(openBlockNumber),
    args,
  };
}

/** A `ChainEvent` row as read from the database. */
export interface ChainEventRow {
  name: string;
  blockNumber: number;
  blockHash: string;
  logIndex: number;
  txHash: string;
  sender: string;
  openBlock: number;
  args: string;
}

/** Turns a stored row back into a {@link ChannelEvent}. */
export function eventFromRow(row: ChainEventRow): ChannelEvent {
  return {
    name: row.name as ChannelEventName,
    blockNumber: row.blockNumber,
    blockHash: row.blockHash as Hex,
    logIndex: row.logIndex,
    txHash: row.txHash as Hex,
    sender: getAddress(row.sender),
    openBlock: row.openBlock,
    args: JSON.parse(row.args) as Record<string, string>,
  };
}
