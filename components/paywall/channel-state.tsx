/** The reader's channel: deposit, spent and remaining. */
import type { PayerChannel } from "@/lib/protocol/client";
import { tokens } from "./format";
import type { SiteTerms } from "./types";

export function ChannelState({ channel, terms }: { channel: PayerChannel; terms: SiteTerms }) {
  const remaining = channel.deposit - channel.balance;
  return (
    <dl className="channel-state" data-testid="channel-state" data-open-block={channel.openBlock}>
      <div>
        <dt>Deposit</dt>
        <dd data-value={channel.deposit.toString()}>{tokens(channel.deposit, terms)}</dd>
      </div>
      <div>
        <dt>Spent</dt>
        <dd data-value={channel.balance.toString()}>{tokens(channel.balance, terms)}</dd>
      </div>
      <div>
        <dt>Remaining</dt>
        <dd data-value={remaining.toString()}>{tokens(remaining, terms)}</dd>
      </div>
    </dl>
  );
}
