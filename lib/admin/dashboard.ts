/**
 * What the admin dashboard shows besides revenue: the receiver's figures (`loadStats`), the
 * indexer's progress and the alerts. The chain being unreachable is itself an alert: the
 * database-based parts are still returned.
 */
import { loadStats, type Stats } from "@/lib/api/stats";
import { isLocalChain } from "@/lib/chain/chain";
import { chainConfig } from "@/lib/chain/config";
import { tokenUnit } from "@/lib/chain/token-info";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { ChainUnavailableError, ConfigError } from "@/lib/errors";
import { BASE_UNITS, type TokenUnit } from "@/lib/format";
import {
  chainUnavailableAlert,
  closeAlerts,
  disputeAlerts,
  indexerAlert,
  receiverEthAlert,
  type Alert,
  type ChannelFacts,
  type IndexerStatus,
} from "./alerts";

export * from "./alerts";

/** The dashboard's data. */
export interface Dashboard {
  /** Null when the chain could not be read (see the `chain-unavailable` alert). */
  stats: Stats | null;
  /** Null before the indexer's first pass. */
  indexer: (IndexerStatus & { lag: number }) | null;
  alerts: Alert[];
  /** The token's unit for the figures ({@link BASE_UNITS} when the chain could not be read). */
  unit: TokenUnit;
}

/** The live and closing channels that may need attention, as plain facts. */
async function channelsNeedingAttention(): Promise<ChannelFacts[]> {
  const rows = await db().channel.findMany({
    where: {
      OR: [{ state: "closing" }, { dispute: { in: ["pending", "submitted", "no-eth"] } }],
    },
    select: {
      sender: true,
      openBlock: true,
      state: true,
      balance: true,
      closingBalance: true,
      settleBlock: true,
      dispute: true,
      disputeError: true,
    },
    orderBy: [{ settleBlock: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
    ...r,
    balance: BigInt(r.balance),
    closingBalance: r.closingBalance === null ? null : BigInt(r.closingBalance),
  }));
}

/**
 * Loads the figures, the indexer status and every alert. Only faults of the chain (unreachable,
 * not configured) are caught and become an alert; database faults are thrown.
 */
export async function loadDashboard(now = new Date()): Promise<Dashboard> {
  const alerts: Alert[] = [];
  const [sync, channels] = await Promise.all([
    db().syncState.findUnique({ where: { id: 1 } }),
    channelsNeedingAttention(),
  ]);

  let stats: Stats | null = null;
  // Without the chain the token's unit is unknown: amounts are then shown in base units.
  let unit: TokenUnit = BASE_UNITS;
  try {
    stats = await loadStats();
    unit = await tokenUnit();
    const minimum = await minReceiverEth(await chainConfig());
    const low = receiverEthAlert(stats.receiverEth, minimum);
    if (low) alerts.push(low);
  } catch (err) {
    const chainFault = err instanceof ChainUnavailableError || err instanceof ConfigError;
    if (!chainFault && stats === null) throw err;
    const message = err instanceof Error ? err.message : String(err);
    alerts.push(chainUnavailableAlert(`The chain cannot be read: ${message}`));
  }

  const indexer = sync
    ? {
        syncedBlock: sync.syncedBlock,
        headBlock: sync.headBlock,
        updatedAt: sync.updatedAt,
        lag: Math.max(0, sync.headBlock - sync.syncedBlock),
      }
    : null;
  const { INDEXER_MAX_LAG_BLOCKS, SYNC_INTERVAL_MS } = env();
  const behind = indexerAlert(indexer, {
    maxLagBlocks: INDEXER_MAX_LAG_BLOCKS,
    syncIntervalMs: SYNC_INTERVAL_MS,
    now,
  });
  if (behind) alerts.push(behind);

  const localChain = isLocalChain(sync?.chainId ?? stats?.chainId ?? 0);
  alerts.push(...closeAlerts(channels, sync?.headBlock ?? 0, { localChain, unit }));
  alerts.push(...disputeAlerts(channels));
  return { stats, indexer, alerts, unit };
}
