import Link from "next/link";
import { formatToken, type TokenUnit } from "@/lib/format";
import { DisputeStatus, StateBadge } from "./channels-table";
import { formatTime, type ChannelView } from "./channel-view";
import "./channels.css";

/** A channel with the fields only its detail page shows. */
export type ChannelDetailView = ChannelView & {
  receiver: string;
  signer: string;
  closeSigned: boolean;
  settleBlock: number | null;
  closingBalance: bigint | null;
  disputeBalance: bigint | null;
};

/** One accepted payment. */
export type PaymentView = { resource: string; amount: bigint; balance: bigint; createdAt: Date };

/** One indexed contract event. */
export type ChainEventView = {
  name: string;
  blockNumber: number;
  logIndex: number;
  txHash: string;
  args: Record<string, string>;
};

const TOKEN_ARGS = new Set([
  "deposit",
  "addedDeposit",
  "balance",
  "receiverTokens",
  "withdrawnBalance",
]);

/** An event's arguments for people: amounts in token units, blocks and addresses as they are. */
export function summariseEventArgs(args: Record<string, string>, unit: TokenUnit): string {
  return Object.entries(args)
    .map(([k, v]) => `${k} ${TOKEN_ARGS.has(k) && /^[0-9]+$/.test(v) ? formatToken(v, unit) : v}`)
    .join(", ");
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="admin-figure">
      <div className="label">{label}</div>
      <div className="value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** Amounts, parties, state and dispute of one channel. */
export function ChannelSummary({ c, unit }: { c: ChannelDetailView; unit: TokenUnit }) {
  return (
    <>
      <div className="admin-grid">
        <Figure label="Deposit" value={formatToken(c.deposit, unit)} testId="channel-deposit" />
        <Figure
          label="Balance (accepted)"
          value={formatToken(c.balance, unit)}
          testId="channel-balance"
        />
        <Figure
          label="Withdrawn"
          value={formatToken(c.withdrawn, unit)}
          testId="channel-withdrawn"
        />
        {c.state === "settled" ? (
          <Figure
            label="Paid at settlement"
            value={formatToken(c.settledPaid, unit)}
            testId="channel-settled-paid"
          />
        ) : (
          <Figure
            label="Unclaimed"
            value={formatToken(c.unclaimed, unit)}
            testId="channel-unclaimed"
          />
        )}
      </div>
      <section className="admin-card">
        <dl className="channel-facts">
          <dt>State</dt>
          <dd data-testid="channel-state">
            <StateBadge state={c.state} confirmed={c.confirmed} />
            {c.closeSigned && c.state !== "settled"
              ? " · closing signature handed out, no more payments"
              : ""}
          </dd>
          <dt>Sender</dt>
          <dd>
            <code>{c.sender}</code>
          </dd>
          <dt>Signer</dt>
          <dd>
            <code>{c.signer}</code>
            {c.signer === c.sender ? " (the sender)" : " (session key)"}
          </dd>
          <dt>Receiver</dt>
          <dd>
            <code>{c.receiver}</code>
          </dd>
          <dt>Last payment</dt>
          <dd>{formatTime(c.lastPaymentAt)}</dd>
          {c.settleBlock !== null && (
            <>
              <dt>Settle block</dt>
              <dd>{c.settleBlock}</dd>
            </>
          )}
          {c.closingBalance !== null && (
            <>
              <dt>{c.state === "settled" ? "Settled at" : "Closing balance"}</dt>
              <dd>{formatToken(c.closingBalance, unit)}</dd>
            </>
          )}
          <dt>Dispute</dt>
          <dd>
            <DisputeStatus c={c} />
            {c.disputeBalance !== null && <> · claims {formatToken(c.disputeBalance, unit)}</>}
            {c.disputeTx && (
              <>
                {" "}
                · tx <code>{c.disputeTx}</code>
              </>
            )}
            {c.disputeError && <div className="admin-error">{c.disputeError}</div>}
          </dd>
        </dl>
      </section>
    </>
  );
}

/** The payment history, newest first, with a link to older payments. */
export function ChannelPayments(props: {
  payments: PaymentView[];
  unit: TokenUnit;
  olderHref: string | null;
  newestHref: string | null;
}) {
  return (
    <section className="admin-card">
      <h2>Payments</h2>
      <table className="admin-table" data-testid="channel-payments">
        <thead>
          <tr>
            <th>Resource</th>
            <th className="num">Amount</th>
            <th className="num">Cumulative balance</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {props.payments.map((p) => (
            <tr key={p.balance.toString()} data-testid="channel-payment">
              <td>
                <code>{p.resource}</code>
              </td>
              <td className="num">{formatToken(p.amount, props.unit)}</td>
              <td className="num">{formatToken(p.balance, props.unit)}</td>
              <td>{formatTime(p.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.payments.length === 0 && (
        <p className="muted">No payments{props.newestHref ? " below this balance" : " yet"}.</p>
      )}
      <div className="admin-toolbar channel-more">
        {props.newestHref && (
          <Link className="admin-button" href={props.newestHref}>
            Newest payments
          </Link>
        )}
        {props.olderHref && (
          <Link className="admin-button" href={props.olderHref} data-testid="channel-payments-more">
            Load older payments
          </Link>
        )}
      </div>
    </section>
  );
}

/** The channel's contract events as indexed, oldest first. */
export function ChannelEvents({ events, unit }: { events: ChainEventView[]; unit: TokenUnit }) {
  return (
    <section className="admin-card">
      <h2>Chain events</h2>
      <table className="admin-table channel-events-table" data-testid="channel-events">
        <thead>
          <tr>
            <th>Event</th>
            <th className="num">Block</th>
            <th>Transaction</th>
            <th>Arguments</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={`${e.txHash}-${e.logIndex}`} data-testid="channel-event">
              <td>{e.name}</td>
              <td className="num">{e.blockNumber}</td>
              <td>
                <code>{e.txHash}</code>
              </td>
              <td>{summariseEventArgs(e.args, unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.length === 0 && <p className="muted">No indexed events (run a sync).</p>}
    </section>
  );
}
