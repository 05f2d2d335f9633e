"use client";
/** The payment history: this browser's and, after sign-in, the site's; CSV export. */
import type { useWalletPage } from "./use-wallet-page";

type Page = ReturnType<typeof useWalletPage>;

const SOURCE_LABEL = {
  local: "this browser",
  site: "the site",
  both: "this browser and the site",
} as const;

/** The merged payment history of the connected account. */
export function HistorySection({ page }: { page: Page }) {
  const { history, fmt, busy, actions, siteLoaded } = page;
  return (
    <section className="wallet-history" aria-labelledby="wallet-history-title">
      <h2 id="wallet-history-title">Payment history</h2>
      <p className="muted">
        {siteLoaded
          ? "Payments this browser remembers, and every payment the site accepted on your channels."
          : "Payments this browser remembers. Sign in to load every payment the site accepted on your channels."}
      </p>
      <div className="wallet-history-actions">
        <button
          type="button"
          data-testid="load-site-history"
          disabled={busy !== null}
          onClick={() => void actions.loadSiteHistory()}
        >
          {busy === "site-history"
            ? "Loading…"
            : siteLoaded
              ? "Reload the site's history"
              : "Sign in and load the site's history"}
        </button>
        <button type="button" data-testid="export-csv" onClick={actions.exportCsv}>
          Export CSV
        </button>
      </div>
      {history.length === 0 ? (
        <p className="muted" data-testid="history-empty">
          No payments yet.
        </p>
      ) : (
        <table className="wallet-history-table">
          <thead>
            <tr>
              <th scope="col">Article</th>
              <th scope="col">Amount</th>
              <th scope="col">Time</th>
              <th scope="col">Channel</th>
            </tr>
          </thead>
          <tbody>
            {history.map((r) => (
              <tr
                key={r.id}
                data-testid="history-row"
                data-source={r.source}
                data-resource={r.resource}
                data-balance={r.balance.toString()}
                data-open-block={r.openBlock ?? ""}
                title={`Reported by ${SOURCE_LABEL[r.source]}`}
              >
                <td>{r.href ? <a href={r.href}>{r.title ?? r.resource}</a> : r.resource}</td>
                <td data-base-units={r.amount.toString()}>{fmt(r.amount)}</td>
                <td>
                  <time dateTime={new Date(r.time).toISOString()}>
                    {new Date(r.time).toLocaleString()}
                  </time>
                </td>
                <td>{r.openBlock ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
