/**
 * The reader's channel: deposit, spent and remaining. A channel this browser only found on chain
 * (its session key elsewhere, no proof here) has an unknown spent amount: the deposit is shown,
 * spent and remaining are not guessed.
 */
import type { PayerChannel } from "@/lib/protocol/client";
import { tokens } from "./format";
import type { SiteTerms } from "./types";

/** Whether this browser knows what `channel` has spent (it holds a proof, or nothing was paid). */
export function spentKnown(channel: PayerChannel, lost: boolean): boolean {
  return !lost || channel.signature !== null;
}

export function ChannelState({
  channel,
  terms,
  lost = false,
}: {
  channel: PayerChannel;
  terms: SiteTerms;
  /** The channel's session key is not in this browser. */
  lost?: boolean;
}) {
  const known = spentKnown(channel, lost);
  const remaining = channel.deposit - channel.balance;
  const unknown = "not known in this browser";
  return (
    <dl className="channel-state" data-testid="channel-state" data-open-block={channel.openBlock}>
      <div>
        <dt>Deposit</dt>
        <dd data-value={channel.deposit.toString()}>{tokens(channel.deposit, terms)}</dd>
      </div>
      <div>
        <dt>Spent</dt>
        {known ? (
          <dd data-value={channel.balance.toString()}>{tokens(channel.balance, terms)}</dd>
        ) : (
          <dd className="muted">{unknown}</dd>
        )}
      </div>
      <div>
        <dt>Remaining</dt>
        {known ? (
          <dd data-value={remaining.toString()}>{tokens(remaining, terms)}</dd>
        ) : (
          <dd className="muted">{unknown}</dd>
        )}
      </div>
    </dl>
  );
}
