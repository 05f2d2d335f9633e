/**
 * What the relays cost the receiver, for the dashboard: gas spent in the last 24 hours (the
 * window of RELAY_DAILY_GAS_BUDGET_WEI, a pending relay counting its maximum) and all time, the
 * relays of each kind, and what is left of the daily budget. The x402 `exact` settlements the
 * receiver sends share that budget (lib/x402/exact-settle.ts): they are counted as kind `exact`.
 */
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import type { RelayGasFigures, RelayKindFigures } from "@/components/admin/dashboard/relay-gas";
import { relayLimits } from "@/lib/relay/policy";

/** The kinds of relay, in the order the dashboard lists them. */
export const RELAY_KINDS = ["open", "topup", "close", "faucet", "exact"] as const;

const DAY_MS = 86_400_000;

/** Reads the relay figures (every Relay row: relays are few, their rates see to that). */
export async function loadRelayGas(now = new Date()): Promise<RelayGasFigures> {
  const cfg = await chainConfig();
  const limits = relayLimits(cfg);
  const [relays, oneOffs] = await Promise.all([
    db().relay.findMany({ select: { kind: true, gasCost: true, createdAt: true } }),
    db().oneOffPayment.findMany({ select: { gasCost: true, createdAt: true } }),
  ]);
  const rows = [...relays, ...oneOffs.map((r) => ({ ...r, kind: "exact" }))];
  const since = now.getTime() - DAY_MS;
  const byKind = new Map<string, RelayKindFigures>(
    RELAY_KINDS.map((kind) => [kind, { kind, lastDay: 0, allTime: 0, gasAllTime: 0n }]),
  );
  let lastDay = 0n;
  let allTime = 0n;
  for (const row of rows) {
    const cost = BigInt(row.gasCost);
    const recent = row.createdAt.getTime() > since;
    const k = byKind.get(row.kind) ?? { kind: row.kind, lastDay: 0, allTime: 0, gasAllTime: 0n };
    byKind.set(row.kind, k);
    k.allTime += 1;
    k.gasAllTime += cost;
    allTime += cost;
    if (recent) {
      k.lastDay += 1;
      lastDay += cost;
    }
  }
  const left = limits.dailyGasBudget - lastDay;
  return {
    enabled: limits.enabled,
    lastDay,
    allTime,
    budget: limits.dailyGasBudget,
    budgetLeft: left > 0n ? left : 0n,
    kinds: [...byKind.values()],
  };
}
