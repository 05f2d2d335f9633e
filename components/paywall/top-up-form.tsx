/** The top-up offer when the channel's remaining deposit is below the price. */
import { useState } from "react";
import type { PayerChannel } from "@/lib/protocol/client";
import { amountUnit, parseTokenInput, tokenInput, tokens } from "./format";
import type { SiteTerms } from "./types";

export function TopUpForm({
  terms,
  price,
  channel,
  busy,
  onTopUp,
}: {
  terms: SiteTerms;
  price: bigint;
  channel: PayerChannel;
  busy: boolean;
  onTopUp: (amount: bigint) => Promise<void>;
}) {
  const missing = channel.balance + price - channel.deposit;
  const typical = BigInt(terms.typicalPrice) * 10n;
  const suggested = typical > missing ? typical : missing;
  const [amount, setAmount] = useState(tokenInput(suggested, terms));
  const [invalid, setInvalid] = useState<string>();

  return (
    <form
      className="paywall-form"
      onSubmit={(e) => {
        e.preventDefault();
        const units = parseTokenInput(amount, terms);
        if (units === undefined || units < missing) {
          setInvalid(`Add at least ${tokens(missing, terms)} to pay this article.`);
          return;
        }
        setInvalid(undefined);
        void onTopUp(units);
      }}
    >
      <fieldset disabled={busy}>
        <legend>Top up your channel</legend>
        <p>
          Your channel has {tokens(channel.deposit - channel.balance, terms)} left, less than this
          article&apos;s price.
        </p>
        <label>
          Add ({amountUnit(terms)})
          <input
            data-testid="topup-input"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </label>
        {invalid ? <p className="paywall-invalid">{invalid}</p> : null}
        <button type="submit" className="primary" data-testid="topup-button" disabled={busy}>
          Top up and pay {tokens(price, terms)}
        </button>
      </fieldset>
    </form>
  );
}
