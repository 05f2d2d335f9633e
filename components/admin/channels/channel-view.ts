/**
 * Plain shapes the channel pages hand to their components (browser-safe mirrors of the server's
 * domain values: amounts bigint, times Date).
 */
import type { TokenUnit } from "@/lib/format";

/** What a server action answers: its value, or the error to show. */
export type ActionResult<T> =
  { ok: true; value: T } | { ok: false; status: number; code: string; error: string };

/** Input of the one-channel actions. */
export type ChannelKeyInput = { sender: string; open_block: string };

/** A channel a bulk action visits. */
export type ChannelTargetView = { sender: string; openBlock: number; amount: bigint };

/** A completed withdrawal. */
export type WithdrawalView = { sender: string; openBlock: number; amount: bigint; txHash: string };

/** A completed cooperative close. */
export type CloseView = {
  sender: string;
  openBlock: number;
  balance: bigint;
  receiverTokens: bigint;
  refund: bigint;
  txHash: string;
};

/** A sync pass. */
export type SyncView = {
  syncedBlock: number;
  headBlock: number;
  events: number;
  disputes: { sender: string; openBlock: number; outcome: string; txHash?: string }[];
};

/** The server actions of the channel pages, passed down as props. */
export type ChannelActionProps = {
  /** The token's unit, for the amounts in results. */
  unit: TokenUnit;
  withdrawChannel: (key: ChannelKeyInput) => Promise<ActionResult<WithdrawalView>>;
  closeChannel: (key: ChannelKeyInput) => Promise<ActionResult<CloseView>>;
};

/** The bulk actions of the listing page. */
export type BulkActionProps = ChannelActionProps & {
  withdrawTargets: (input: Record<string, never>) => Promise<ActionResult<ChannelTargetView[]>>;
  closeTargets: (input: Record<string, never>) => Promise<ActionResult<ChannelTargetView[]>>;
  sync: (input: Record<string, never>) => Promise<ActionResult<SyncView>>;
};

/** One channel as the listing and the detail page show it. */
export type ChannelView = {
  sender: string;
  openBlock: number;
  state: string;
  confirmed: boolean;
  deposit: bigint;
  balance: bigint;
  withdrawn: bigint;
  unclaimed: bigint;
  /** What settlement paid the receiver (0 unless settled). */
  settledPaid: bigint;
  lastPaymentAt: Date | null;
  dispute: string | null;
  disputeTx: string | null;
  disputeError: string | null;
};

/** `/admin/channels/<sender>/<openBlock>` of a channel. */
export function channelHref(c: { sender: string; openBlock: number }): string {
  return `/admin/channels/${c.sender}/${c.openBlock}`;
}

/** `0x1234…abcd`. */
export function shortAddress(a: string): string {
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

/** A time for the tables: ISO date and time to the second, UTC. */
export function formatTime(d: Date | null): string {
  return d ? `${d.toISOString().slice(0, 19).replace("T", " ")} UTC` : "—";
}
