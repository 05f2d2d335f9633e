import { formatEther } from "viem";
import { formatToken, type TokenUnit } from "@/lib/format";

/** Wei as ETH with at most 4 decimals (rounded down: never shows more than there is). */
function formatEth(wei: bigint): string {
  const [whole, frac = ""] = formatEther(wei).split(".");
  const shown = frac.slice(0, 4).replace(/0+$/, "");
  return `${whole}${shown ? `.${shown}` : ""} ETH`;
}

/** The receiver's figures as the dashboard shows them. */
export interface StatFiguresProps {
  depositSum: bigint;
  openChannels: number;
  pendingChannels: number;
  balanceSum: bigint;
  uniqueSenders: number;
  liquidBalance: bigint;
  receiverEth: bigint;
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="admin-figure">
      <span className="label">{label}</span>
      <span className="value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

/** The receiver's totals over its channels and its balances on chain; "—" when unknown. */
export function StatFigures({ stats, unit }: { stats: StatFiguresProps | null; unit: TokenUnit }) {
  const na = "—";
  return (
    <section className="admin-card" aria-labelledby="stats-heading">
      <h2 id="stats-heading">Channels and balances</h2>
      <div className="admin-grid">
        <Figure
          label="Deposits (live channels)"
          testId="stat-deposits"
          value={stats ? formatToken(stats.depositSum, unit) : na}
        />
        <Figure
          label="Open channels"
          testId="stat-open-channels"
          value={stats ? String(stats.openChannels) : na}
        />
        <Figure
          label="Closing channels"
          testId="stat-closing-channels"
          value={stats ? String(stats.pendingChannels) : na}
        />
        <Figure
          label="Unspent (accumulated, not settled)"
          testId="stat-unspent"
          value={stats ? formatToken(stats.balanceSum, unit) : na}
        />
        <Figure
          label="Unique readers"
          testId="stat-readers"
          value={stats ? String(stats.uniqueSenders) : na}
        />
        <Figure
          label="Liquid token balance"
          testId="stat-liquid"
          value={stats ? formatToken(stats.liquidBalance, unit) : na}
        />
        <Figure
          label="Receiver ETH"
          testId="stat-receiver-eth"
          value={stats ? formatEth(stats.receiverEth) : na}
        />
      </div>
    </section>
  );
}
