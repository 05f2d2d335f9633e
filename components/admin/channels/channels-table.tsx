import Link from "next/link";
import { formatToken, type TokenUnit } from "@/lib/format";
import { channelHref, formatTime, shortAddress, type ChannelView } from "./channel-view";
import "./channels.css";

/** A state badge; an unconfirmed open channel says so. */
export function StateBadge({ state, confirmed }: { state: string; confirmed: boolean }) {
  return (
    <span className={`admin-badge channel-state-${state}`}>
      {state}
      {state === "open" && !confirmed ? " (unconfirmed)" : ""}
    </span>
  );
}

/** The watchtower's dispute status of a channel, or a dash. */
export function DisputeStatus({ c }: { c: Pick<ChannelView, "dispute" | "disputeError"> }) {
  if (!c.dispute) return <span className="muted">—</span>;
  return (
    <span
      title={c.disputeError ?? undefined}
      className={c.disputeError ? "admin-error" : undefined}
    >
      {c.dispute}
    </span>
  );
}

/** The channel listing: one row per channel, linking to its detail page. */
export function ChannelsTable({ rows, unit }: { rows: ChannelView[]; unit: TokenUnit }) {
  if (rows.length === 0)
    return (
      <p className="muted" data-testid="channels-table">
        No channels match.
      </p>
    );
  return (
    <div className="channel-table-wrap">
      <table className="admin-table" data-testid="channels-table">
        <thead>
          <tr>
            <th>Sender</th>
            <th className="num">Open block</th>
            <th>State</th>
            <th className="num">Deposit</th>
            <th className="num">Balance</th>
            <th className="num" title="Withdrawn, plus what settlement paid">
              Received
            </th>
            <th className="num">Unclaimed</th>
            <th>Last payment</th>
            <th>Dispute</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr
              key={`${c.sender}-${c.openBlock}`}
              data-testid={`channel-row-${c.sender.toLowerCase()}-${c.openBlock}`}
            >
              <td>
                <Link href={channelHref(c)} data-testid="channel-link" title={c.sender}>
                  <code>{shortAddress(c.sender)}</code>
                </Link>
              </td>
              <td className="num">{c.openBlock}</td>
              <td data-testid="channel-state">
                <StateBadge state={c.state} confirmed={c.confirmed} />
              </td>
              <td className="num">{formatToken(c.deposit, unit)}</td>
              <td className="num">{formatToken(c.balance, unit)}</td>
              <td className="num" data-testid="channel-received">
                {formatToken(c.withdrawn + c.settledPaid, unit)}
              </td>
              <td className="num" data-testid="channel-unclaimed">
                {formatToken(c.unclaimed, unit)}
              </td>
              <td>{formatTime(c.lastPaymentAt)}</td>
              <td>
                <DisputeStatus c={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous / next links and the total of the listing. */
export function ChannelsPagination(props: {
  page: number;
  pageCount: number;
  total: number;
  href: (page: number) => string;
}) {
  const { page, pageCount, total, href } = props;
  return (
    <nav className="admin-toolbar channel-pages" aria-label="Pages">
      {page > 1 ? (
        <Link className="admin-button" href={href(page - 1)} data-testid="channels-prev" rel="prev">
          ← Previous
        </Link>
      ) : (
        <span
          className="admin-button channel-disabled"
          aria-disabled="true"
          data-testid="channels-prev"
        >
          ← Previous
        </span>
      )}
      <span className="muted">
        Page {page} of {pageCount} · <span data-testid="channels-total">{total}</span> channel
        {total === 1 ? "" : "s"}
      </span>
      {page < pageCount ? (
        <Link className="admin-button" href={href(page + 1)} data-testid="channels-next" rel="next">
          Next →
        </Link>
      ) : (
        <span
          className="admin-button channel-disabled"
          aria-disabled="true"
          data-testid="channels-next"
        >
          Next →
        </span>
      )}
    </nav>
  );
}
