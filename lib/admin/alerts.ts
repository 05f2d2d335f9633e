/**
 * The dashboard's alerts as pure decisions over plain values: each returns alert values
 * `{ kind, severity, message, … }` or nothing. lib/admin/dashboard.ts feeds them from the database
 * and the chain.
 */
import { formatEther } from "viem";
import { formatToken, type TokenUnit } from "@/lib/format";

/** The kinds of dashboard alerts (also their `data-testid` suffix). */
export type AlertKind =
  | "receiver-eth-low"
  | "indexer-behind"
  | "close-awaiting-dispute"
  | "dispute-pending"
  | "chain-unavailable";

/** One dashboard alert. */
export interface Alert {
  kind: AlertKind;
  severity: "warn" | "danger";
  message: string;
  /** Unique among the alerts shown (React key). */
  key: string;
  /** For channel alerts: the channel. */
  channel?: { sender: string; openBlock: number };
  /** For a close awaiting dispute: the settle block and how far it is. */
  deadline?: { settleBlock: number; blocksLeft: number; estimatedSeconds: number | null };
}

/** Average block time used to estimate deadlines off the local chain. */
export const BLOCK_SECONDS = 12;

/** The receiver holds too little ETH to send a dispute. */
export function receiverEthAlert(receiverEth: bigint, minimum: bigint): Alert | undefined {
  if (receiverEth >= minimum) return undefined;
  return {
    kind: "receiver-eth-low",
    severity: "danger",
    key: "receiver-eth-low",
    message:
      `The receiver holds ${formatEther(receiverEth)} ETH, less than the ${formatEther(minimum)} ETH ` +
      "a dispute needs: the site stops selling until it is topped up.",
  };
}

/** The indexer's progress as stored by its last pass. */
export interface IndexerStatus {
  syncedBlock: number;
  headBlock: number;
  /** When the last pass ended. */
  updatedAt: Date;
}

/**
 * The indexer lags more than `maxLagBlocks` behind the head it saw, or its last pass is older
 * than 10 sync intervals, or it never ran.
 */
export function indexerAlert(
  status: IndexerStatus | null,
  opts: { maxLagBlocks: number; syncIntervalMs: number; now: Date },
): Alert | undefined {
  const alert = (message: string): Alert => ({
    kind: "indexer-behind",
    severity: "warn",
    key: "indexer-behind",
    message,
  });
  if (!status) return alert("The indexer has not run yet: channels and payments are not synced.");
  const lag = status.headBlock - status.syncedBlock;
  if (lag > opts.maxLagBlocks)
    return alert(
      `The indexer is ${lag} blocks behind the chain head (more than ${opts.maxLagBlocks}).`,
    );
  const ageMs = opts.now.getTime() - status.updatedAt.getTime();
  if (ageMs > 10 * opts.syncIntervalMs)
    return alert(`The indexer's last pass was ${Math.round(ageMs / 1000)} s ago.`);
  return undefined;
}

/** A channel as the channel alerts need it. */
export interface ChannelFacts {
  sender: string;
  openBlock: number;
  state: string;
  balance: bigint;
  closingBalance: bigint | null;
  settleBlock: number | null;
  dispute: string | null;
  disputeError: string | null;
}

/**
 * Closing channels whose sender closed at less than the last accepted balance: they must be
 * disputed before the settle block. Off the local chain the time left is estimated at
 * {@link BLOCK_SECONDS} per block (the local chain mines on demand: no estimate).
 */
export function closeAlerts(
  channels: readonly ChannelFacts[],
  headBlock: number,
  opts: { localChain: boolean; unit: TokenUnit },
): Alert[] {
  return channels
    .filter(
      (c) =>
        c.state === "closing" &&
        c.closingBalance !== null &&
        c.closingBalance < c.balance &&
        c.dispute !== "done",
    )
    .map((c) => {
      const settleBlock = c.settleBlock ?? headBlock;
      const blocksLeft = Math.max(0, settleBlock - headBlock);
      const estimatedSeconds = opts.localChain ? null : blocksLeft * BLOCK_SECONDS;
      const left =
        estimatedSeconds === null
          ? `${blocksLeft} blocks left`
          : `${blocksLeft} blocks left, about ${formatDuration(estimatedSeconds)} (estimate at ${BLOCK_SECONDS} s per block)`;
      return {
        kind: "close-awaiting-dispute" as const,
        severity: "danger" as const,
        key: `close-${c.sender}-${c.openBlock}`,
        channel: { sender: c.sender, openBlock: c.openBlock },
        deadline: {
          settleBlock,
          blocksLeft,
          estimatedSeconds,
        },
        message:
          `${c.sender} closed channel ${c.openBlock} at ${formatToken(c.closingBalance!, opts.unit)}, ` +
          `less than the ${formatToken(c.balance, opts.unit)} accepted: dispute before block ${settleBlock} (${left}).`,
      };
    });
}

/** Disputes the watchtower has not finished (pending, submitted, or stuck for lack of ETH). */
export function disputeAlerts(channels: readonly ChannelFacts[]): Alert[] {
  return channels
    .filter((c) => c.dispute === "pending" || c.dispute === "submitted" || c.dispute === "no-eth")
    .map((c) => ({
      kind: "dispute-pending" as const,
      severity: c.dispute === "no-eth" || c.disputeError ? ("danger" as const) : ("warn" as const),
      key: `dispute-${c.sender}-${c.openBlock}`,
      channel: { sender: c.sender, openBlock: c.openBlock },
      message:
        `Dispute of channel ${c.openBlock} from ${c.sender}: ${c.dispute}` +
        (c.disputeError ? ` (${c.disputeError})` : ""),
    }));
}

/** The chain could not be read: chain figures are missing. */
export function chainUnavailableAlert(message: string): Alert {
  return { kind: "chain-unavailable", severity: "danger", key: "chain-unavailable", message };
}

/** A duration in seconds as people read it: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
