/**
 * The top-up offer when the channel's remaining deposit is below the price: through the site's
 * relay (one signature, no gas) when it offers one, or with the reader's own transaction.
 */
import { useState } from "react";
import type { PayerChannel } from "@/lib/protocol/client";
import { amountUnit, parseTokenInput, tokenInput, tokens } from "./format";
import { DepositWay, depositWays } from "./open-form";
import type { OpenVia } from "./open-steps";
import type { SiteTerms } from "./types";

export function TopUpForm({
  terms,
  price,
  channel,
  busy,
  canPayGas,
  onTopUp,
}: {
  terms: SiteTerms;
  price: bigint;
  channel: PayerChannel;
  busy: boolean;
  /** Whether the reader's ETH covers the gas of their own transactions (undefined: not known yet). */
  canPayGas?: boolean;
  onTopUp: (amount: bigint, via: OpenVia) => Promise<void>;
}) {
  const missing = channel.balance + price - channel.deposit;
  const typical = BigInt(terms.typicalPrice) * 10n;
  const minRelayed = terms.relay ? BigInt(terms.relay.minDeposit) : 0n;
  const atLeast = typical > missing ? typical : missing;
  const suggested = atLeast < minRelayed ? minRelayed : atLeast;
  const [amount, setAmount] = useState(tokenInput(suggested, terms));
  const [invalid, setInvalid] = useState<string>();
  const ways = depositWays(terms, canPayGas);
  const [chosenVia, setVia] = useState<OpenVia>("relay");
  const via: OpenVia = ways.includes(chosenVia) ? chosenVia : ways[0]!;

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
        if (via === "relay" && units < minRelayed) {
          setInvalid(`The site tops up channels by at least ${tokens(minRelayed, terms)}.`);
          return;
        }
        setInvalid(undefined);
        void onTopUp(units, via);
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
        <DepositWay
          ways={ways}
          via={via}
          onVia={setVia}
          testid="topup-via"
          minDeposit={tokens(minRelayed, terms)}
        />
        {invalid ? <p className="paywall-invalid">{invalid}</p> : null}
        <button type="submit" className="primary" data-testid="topup-button" disabled={busy}>
          Top up and pay {tokens(price, terms)}
        </button>
      </fieldset>
    </form>
  );
}
