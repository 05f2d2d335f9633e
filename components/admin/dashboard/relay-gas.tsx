import { formatEther } from "viem";

/** One kind of relay's figures. */
export interface RelayKindFigures {
  kind: string;
  /** Relays of this kind in the last 24 hours. */
  lastDay: number;
  /** Relays of this kind ever. */
  allTime: number;
  /** Wei they spent ever. */
  gasAllTime: bigint;
}

/** The dashboard's relay figures (lib/admin/relay-gas.ts reads them). */
export interface RelayGasFigures {
  /** Whether opens, top-ups and closes are relayed now (RELAY_ENABLED). */
  enabled: boolean;
  /** Wei spent on relays in the last 24 hours (pending ones at their maximum). */
  lastDay: bigint;
  allTime: bigint;
  /** RELAY_DAILY_GAS_BUDGET_WEI. */
  budget: bigint;
  /** What is left of it now (never below 0). */
  budgetLeft: bigint;
  kinds: RelayKindFigures[];
}

const KIND_NAMES: Record<string, string> = {
  open: "Opens",
  topup: "Top-ups",
  close: "Closes",
  faucet: "Faucet grants",
  exact: "x402 exact payments",
};

/** Wei as ETH with at most 6 decimals, rounded down (relay gas is small: 4 would show 0). */
function eth(wei: bigint): string {
  const [whole, frac = ""] = formatEther(wei).split(".");
  const shown = frac.slice(0, 6).replace(/0+$/, "");
  return `${whole}${shown ? `.${shown}` : ""} ETH`;
}

function Wei({ wei, testId }: { wei: bigint; testId: string }) {
  return (
    <span className="value" data-testid={testId} data-wei={wei.toString()} title={`${wei} wei`}>
      {eth(wei)}
    </span>
  );
}

/** The dashboard's relay card: gas spent (24 h, all time), relays by kind, budget left. */
export function RelayGas({ figures }: { figures: RelayGasFigures | null }) {
  if (!figures)
    return (
      <section className="admin-card" aria-labelledby="relay-gas-heading" data-testid="relay-gas">
        <h2 id="relay-gas-heading">Gas paid by the receiver: relays and x402 payments</h2>
        <p className="muted">The relay figures could not be read.</p>
      </section>
    );
  return (
    <section className="admin-card" aria-labelledby="relay-gas-heading" data-testid="relay-gas">
      <h2 id="relay-gas-heading">Gas paid by the receiver: relays and x402 payments</h2>
      {!figures.enabled && (
        <p className="muted">
          Relayed opens, top-ups and closes are off (RELAY_ENABLED); the figures are of past relays.
        </p>
      )}
      <div className="admin-grid">
        <div className="admin-figure">
          <span className="label">Gas spent, last 24 h</span>
          <Wei wei={figures.lastDay} testId="relay-gas-day" />
        </div>
        <div className="admin-figure">
          <span className="label">Gas spent, all time</span>
          <Wei wei={figures.allTime} testId="relay-gas-all" />
        </div>
        <div className="admin-figure">
          <span className="label">Daily budget left (of {eth(figures.budget)})</span>
          <Wei wei={figures.budgetLeft} testId="relay-budget-left" />
        </div>
      </div>
      <table className="admin-table">
        <caption>Transactions by kind</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Last 24 h</th>
            <th scope="col">All time</th>
            <th scope="col">Gas, all time</th>
          </tr>
        </thead>
        <tbody>
          {figures.kinds.map((k) => (
            <tr key={k.kind} data-testid={`relay-kind-${k.kind}`}>
              <th scope="row">{KIND_NAMES[k.kind] ?? k.kind}</th>
              <td data-testid={`relay-count-day-${k.kind}`}>{k.lastDay}</td>
              <td data-testid={`relay-count-${k.kind}`}>{k.allTime}</td>
              <td data-wei={k.gasAllTime.toString()}>{eth(k.gasAllTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
