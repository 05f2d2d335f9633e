/**
 * Pure projection of one channel's contract events onto the event-derived columns of `Channel`.
 * Never touches what the paywall owns (balance, signature, lastResource, closeSigned).
 */
import { getAddress, type Address } from "viem";
import type { ChannelEvent } from "./events";

/** `open` | `closing` (close requested, challenge running) | `settled` — PROTOCOL.md §3. */
export type ChannelState = "open" | "closing" | "settled";

/** The event-derived fields of a channel. */
export interface ChannelProjection {
  /** The creation event has the configured confirmations. */
  confirmed: boolean;
  /** Created + topped up in confirmed blocks: what payments may reach. */
  deposit: bigint;
  /** Deposit including unconfirmed blocks. */
  seenDeposit: bigint;
  signer: Address;
  state: ChannelState;
  settleBlock: number | null;
  /** Balance announced by the close request; once settled, the balance it settled at. */
  closingBalance: bigint | null;
  /** Total the receiver has withdrawn (sum of ChannelWithdraw amounts). */
  withdrawn: bigint;
}

/** Where confirmations are counted from. */
export interface ConfirmationContext {
  /** Chain head seen by the current pass. */
  head: number;
  /** Blocks needed on top of an event's own block (PROTOCOL: head − block ≥ confirmations). */
  confirmations: number;
}

/** Whether block `block` is confirmed at `ctx.head`. */
export function isConfirmed(block: number, ctx: ConfirmationContext): boolean {
  return ctx.head - block >= ctx.confirmations;
}

/** Orders events as the chain executed them. */
export function compareEvents(a: ChannelEvent, b: ChannelEvent): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}

/**
 * Folds a channel's events (any order) into its projection. Deposits count only when confirmed;
 * close requests and settlements act as soon as seen.
 *
 * @returns `null` when the creation event is not among `events` (never created, or reorged away)
 * @example
 * projectChannel(events, { head: 120, confirmations: 5 })?.deposit
 */
export function projectChannel(
  events: readonly ChannelEvent[],
  ctx: ConfirmationContext,
): ChannelProjection | null {
  const sorted = [...events].sort(compareEvents);
  const created = sorted.find((e) => e.name === "ChannelCreated");
  if (!created) return null;
  const createdConfirmed = isConfirmed(created.blockNumber, ctx);
  const initial = BigInt(created.args.deposit ?? "0");
  const p: ChannelProjection = {
    confirmed: createdConfirmed,
    deposit: createdConfirmed ? initial : 0n,
    seenDeposit: initial,
    signer: getAddress(created.args.signer ?? created.sender),
    state: "open",
    settleBlock: null,
    closingBalance: null,
    withdrawn: 0n,
  };
  for (const e of sorted) {
    if (compareEvents(e, created) <= 0) continue;
    switch (e.name) {
      case "ChannelToppedUp": {
        const added = BigInt(e.args.addedDeposit ?? "0");
        p.seenDeposit += added;
        if (isConfirmed(e.blockNumber, ctx)) p.deposit += added;
        break;
      }
      case "ChannelCloseRequested":
        if (p.state === "settled") break;
        p.state = "closing";
        p.settleBlock = Number(e.args.settleBlockNumber ?? "0");
        p.closingBalance = BigInt(e.args.balance ?? "0");
        break;
      case "ChannelSettled":
        p.state = "settled";
        p.closingBalance = BigInt(e.args.balance ?? "0");
        break;
      case "ChannelWithdraw":
        p.withdrawn += BigInt(e.args.withdrawnBalance ?? "0");
        break;
      case "ChannelCreated":
        // A second creation with the same (sender, receiver, block) cannot happen on chain.
        break;
    }
  }
  return p;
}
