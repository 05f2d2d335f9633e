/**
 * What only the leader runs when another instance asks: each entry is a function of JSON-able
 * input (bigints allowed) whose result crosses back through the database (lib/cluster/wire.ts).
 */
import type { Address } from "viem";
import { closeOne, syncNow, withdrawOne } from "@/lib/admin/channel-actions";
import { runSyncPass } from "@/lib/indexer/run-sync-pass";
import { submitRelay, type RelaySubmission } from "@/lib/relay/submit";
import { withdrawChannels } from "@/lib/watchtower/withdraw-channels";
import { settleExact, type ExactSettlement } from "@/lib/x402/exact-settle";

type ChannelKey = { sender: Address; openBlock: number };

/** The leader's work, by kind. */
export const leaderWork = {
  /** One indexer + watchtower pass (`POST /api/1/sync`). */
  sync: () => runSyncPass(),
  /** The same pass, summarised for the console. */
  syncNow: () => syncNow(),
  /** Withdraw every channel owing at least `minimum` (`POST /api/1/withdraw`). */
  withdrawAll: (input: { minimum: bigint }) => withdrawChannels(input),
  /** Withdraw one channel, then sync (console). */
  withdrawOne: (input: ChannelKey) => withdrawOne(input),
  /** The receiver's cooperative close of one channel, then sync (console). */
  closeOne: (input: ChannelKey) => closeOne(input),
  /** Submit a checked relay (open, top-up, close, faucet grant) and wait for it. */
  relay: (input: RelaySubmission) => submitRelay(input),
  /** Verify and settle an x402 `exact` payment (EIP-3009 transfer to the receiver), record it. */
  x402Exact: (input: ExactSettlement) => settleExact(input),
};

export type LeaderWorkKind = keyof typeof leaderWork;
/** The input of `kind` (`{}` for work without one). */
export type LeaderWorkInput<K extends LeaderWorkKind> =
  Parameters<(typeof leaderWork)[K]> extends [infer I] ? I : Record<string, never>;
export type LeaderWorkResult<K extends LeaderWorkKind> = Awaited<
  ReturnType<(typeof leaderWork)[K]>
>;

/** Whether `kind` names leader work (a row written by another version is refused). */
export function isLeaderWorkKind(kind: string): kind is LeaderWorkKind {
  return Object.hasOwn(leaderWork, kind);
}
