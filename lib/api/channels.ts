/**
 * Channel queries of the operator API and their wire shape.
 */
import type { Address, Hex } from "viem";
import { db } from "@/lib/db/client";
import type { Channel } from "@/lib/db/generated/client";
import { BadRequestError } from "@/lib/errors";
import type { ChannelStatus } from "./params";

/** One channel as `/api/1/channels*` returns it. Amounts are decimal strings. */
export type ChannelJson = {
  sender_address: Address;
  open_block: number;
  /** Confirmed deposit (what payments are counted against). */
  deposit: string;
  /** Last accepted cumulative balance. */
  balance: string;
  state: "open" | "closing" | "settled";
  // Extras beyond PROTOCOL.md §3:
  receiver_address: Address;
  /** Address whose balance proofs the contract accepts (the sender or its session key). */
  signer: Address;
  /** The creation event has the configured confirmations. */
  confirmed: boolean;
  /** Already withdrawn by the receiver. */
  withdrawn: string;
  /** The receiver handed out its closing signature: the channel accepts no more payments. */
  close_signed: boolean;
  /** While closing: block after which the sender may settle. */
  settle_block: number | null;
  /** While closing: the balance the sender announced. */
  closing_balance: string | null;
};

/** {@link ChannelJson} plus the last accepted balance proof, for the single-channel route. */
export type ChannelDetailJson = ChannelJson & { balance_signature: string | null };

/** A stored channel as domain values (amounts bigint), for the operator's pages and actions. */
export type ChannelRecord = {
  sender: Address;
  openBlock: number;
  receiver: Address;
  signer: Address;
  state: ChannelJson["state"];
  confirmed: boolean;
  /** Confirmed deposit. */
  deposit: bigint;
  /** Last accepted cumulative balance. */
  balance: bigint;
  /** Proof of `balance` by the signer; `null` while nothing was paid. */
  balanceSignature: Hex | null;
  withdrawn: bigint;
  /**
   * What the receiver may still collect: balance − withdrawn, never negative; 0 once settled
   * (settlement paid it: `settledPaid`).
   */
  unclaimed: bigint;
  /** What `ChannelSettled` paid the receiver: the settled balance − withdrawn (0 unless settled). */
  settledPaid: bigint;
  closeSigned: boolean;
  settleBlock: number | null;
  closingBalance: bigint | null;
  /** Watchtower: null | pending | submitted | no-eth | done. */
  dispute: string | null;
  disputeTx: Hex | null;
  disputeError: string | null;
  disputeBalance: bigint | null;
};

/** Maps a stored channel to domain values. */
export function toChannelRecord(c: Channel): ChannelRecord {
  const balance = BigInt(c.balance);
  const withdrawn = BigInt(c.withdrawn);
  const settled = c.state === "settled";
  const settledAt = c.closingBalance === null ? balance : BigInt(c.closingBalance);
  return {
    sender: c.sender as Address,
    openBlock: c.openBlock,
    receiver: c.receiver as Address,
    signer: c.signer as Address,
    state: c.state as ChannelRecord["state"],
    confirmed: c.confirmed,
    deposit: BigInt(c.deposit),
    balance,
    balanceSignature: c.signature as Hex | null,
    withdrawn,
    unclaimed: !settled && balance > withdrawn ? balance - withdrawn : 0n,
    settledPaid: settled && settledAt > withdrawn ? settledAt - withdrawn : 0n,
    closeSigned: c.closeSigned,
    settleBlock: c.settleBlock,
    closingBalance: c.closingBalance === null ? null : BigInt(c.closingBalance),
    dispute: c.dispute,
    disputeTx: c.disputeTx as Hex | null,
    disputeError: c.disputeError,
    disputeBalance: c.disputeBalance === null ? null : BigInt(c.disputeBalance),
  };
}

/**
 * The stored channel `(sender, openBlock)`, or `null` when there is none.
 *
 * @param sender - checksummed sender address
 */
export async function findChannel(sender: Address, openBlock: number): Promise<Channel | null> {
  return db().channel.findUnique({ where: { sender_openBlock: { sender, openBlock } } });
}

/** Maps a stored channel to its wire shape. */
export function toChannelJson(c: Channel): ChannelJson {
  return {
    sender_address: c.sender as Address,
    open_block: c.openBlock,
    deposit: c.deposit,
    balance: c.balance,
    state: c.state as ChannelJson["state"],
    receiver_address: c.receiver as Address,
    signer: c.signer as Address,
    confirmed: c.confirmed,
    withdrawn: c.withdrawn,
    close_signed: c.closeSigned,
    settle_block: c.settleBlock,
    closing_balance: c.closingBalance,
  };
}

/**
 * Channels filtered by `state` (`all` = every state), optionally of one sender, ordered by open
 * block. `open` includes channels whose creation is not confirmed yet (see `confirmed`).
 *
 * @param params.sender - checksummed sender address
 */
export async function listChannels(params: {
  status: ChannelStatus;
  sender?: Address;
}): Promise<ChannelJson[]> {
  const rows = await db().channel.findMany({
    where: {
      ...(params.status === "all" ? {} : { state: params.status }),
      ...(params.sender ? { sender: params.sender } : {}),
    },
    orderBy: [{ openBlock: "asc" }, { sender: "asc" }],
  });
  return rows.map(toChannelJson);
}

/**
 * One channel with its last accepted proof (a sender that lost its state can close with it).
 *
 * @throws {@link BadRequestError} 404 when the channel is unknown
 */
export async function getChannel(sender: Address, openBlock: number): Promise<ChannelDetailJson> {
  const row = await findChannel(sender, openBlock);
  if (!row)
    throw new BadRequestError(`no channel from ${sender} opened in block ${openBlock}`, 404);
  return { ...toChannelJson(row), balance_signature: row.signature };
}
