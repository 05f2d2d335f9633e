/**
 * The benchmark's money check: every paid request it sent, matched proof by proof against the
 * payments the site recorded during the run.
 *
 * The load generator stops gracefully (no new request after the deadline, every request in flight
 * is answered before the run ends) and the site commits a payment before it sends the response,
 * so once a run is over the two sides must agree exactly: no tolerance for requests in flight.
 */

/** A channel as `<sender lowercase>:<open block>`. */
export type ChannelKey = string;

export function channelKey(sender: string, openBlock: number): ChannelKey {
  return `${sender.toLowerCase()}:${openBlock}`;
}

/** One paid request as the load generator sent it, and what came back. */
export interface SentProof {
  channel: ChannelKey;
  /** The cumulative balance the request's proof signs (decimal). */
  balance: string;
  /** HTTP status of the response, or undefined when no response arrived. */
  status?: number;
}

/** One row of the site's payment table written during the run. */
export interface RecordedPayment {
  channel: ChannelKey;
  balance: string;
  amount: string;
  resource: string;
}

export interface PaymentCheck {
  /** Requests sent with a proof. */
  sent: number;
  /** 2xx responses to them. */
  paid: number;
  /** Payments the site recorded during the run. */
  recorded: number;
  /** Each discrepancy, explained; empty when the run is consistent. */
  problems: string[];
}

const MAX_LISTED = 5;

function listed(what: string, items: string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, MAX_LISTED).join("; ");
  const more = items.length > MAX_LISTED ? `; and ${items.length - MAX_LISTED} more` : "";
  return [`${items.length} ${what}: ${shown}${more}`];
}

/**
 * Matches the proofs a run sent against the payments recorded during it. A consistent run has,
 * for every proof answered 2xx, exactly one payment of `price` for `resource` at that channel and
 * balance, and no other payment. Anything else is reported: a payment without a paid response
 * (for a proof answered otherwise, never answered, or never sent), a paid response without a
 * payment, a balance charged twice, a wrong amount or resource, a non-2xx answer to a valid proof.
 */
export function checkPayments(
  sent: readonly SentProof[],
  recorded: readonly RecordedPayment[],
  expected: { price: bigint; resource: string },
): PaymentCheck {
  const id = (channel: string, balance: string) => `${channel} @ ${balance}`;
  const proofs = new Map<string, SentProof>();
  const resent: string[] = [];
  for (const p of sent) {
    const k = id(p.channel, p.balance);
    if (proofs.has(k)) resent.push(k);
    proofs.set(k, p);
  }
  const payments = new Map<string, RecordedPayment[]>();
  for (const r of recorded) {
    const k = id(r.channel, r.balance);
    payments.set(k, [...(payments.get(k) ?? []), r]);
  }

  const ok = (p: SentProof) => p.status !== undefined && p.status >= 200 && p.status < 300;
  const unanswered: string[] = [];
  const refused: string[] = [];
  const paidUnrecorded: string[] = [];
  for (const [k, p] of proofs) {
    if (p.status === undefined) unanswered.push(k);
    else if (!ok(p)) refused.push(`${k} answered ${p.status}`);
    else if (!payments.has(k)) paidUnrecorded.push(k);
  }

  const doubled: string[] = [];
  const unpaid: string[] = [];
  const wrong: string[] = [];
  for (const [k, rows] of payments) {
    if (rows.length > 1) doubled.push(`${k} recorded ${rows.length} times`);
    const p = proofs.get(k);
    if (!p) unpaid.push(`${k}: no request carried this proof`);
    else if (p.status === undefined) unpaid.push(`${k}: its request was never answered`);
    else if (!ok(p)) unpaid.push(`${k}: its request was answered ${p.status}`);
    for (const r of rows) {
      if (BigInt(r.amount) !== expected.price)
        wrong.push(`${k} charged ${r.amount} instead of ${expected.price}`);
      if (r.resource !== expected.resource)
        wrong.push(`${k} recorded for ${r.resource} instead of ${expected.resource}`);
    }
  }

  return {
    sent: sent.length,
    paid: sent.filter(ok).length,
    recorded: recorded.length,
    problems: [
      ...listed("payments recorded without a paid response", unpaid),
      ...listed("paid responses without a recorded payment", paidUnrecorded),
      ...listed("balances charged more than once", doubled),
      ...listed("payments with the wrong amount or resource", wrong),
      ...listed("valid proofs refused", refused),
      ...listed("requests never answered (the load generator gave up on them)", unanswered),
      ...listed("proofs sent twice (a benchmark fault)", resent),
    ],
  };
}
