"use client";
/** One of the reader's channels: amounts, state, and its actions (top up, close, settle). */
import { useEffect, useState } from "react";
import type { SiteTerms } from "@/components/paywall/types";
import { parseTokenAmount } from "./amounts";
import type { ChannelRow } from "./channels";
import { describeCountdown, settleCountdown, type Countdown } from "./countdown";
import type { useWalletPage } from "./use-wallet-page";
import { amountUnit } from "@/components/paywall/format";

type Page = ReturnType<typeof useWalletPage>;

const STATE_LABEL = { open: "Open", closing: "Closing", settled: "Settled" } as const;

/** The countdown to the settle block, ticking every second between head polls. */
function useCountdown(settleBlock: number | null, chain: Page["chain"]): Countdown | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (settleBlock === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [settleBlock]);
  if (settleBlock === null || chain.head === null) return null;
  return settleCountdown({
    settleBlock,
    head: chain.head,
    secondsPerBlock: chain.secondsPerBlock,
    elapsedMs: Math.max(0, now - chain.readAt),
  });
}

/** A channel of the reader, with what can be done with it now. */
export function ChannelCard({
  row,
  page,
  terms,
}: {
  row: ChannelRow;
  page: Page;
  terms: SiteTerms;
}) {
  const [topUpText, setTopUpText] = useState("");
  const [invalid, setInvalid] = useState(false);
  const countdown = useCountdown(row.state === "closing" ? row.settleBlock : null, page.chain);
  const { fmt, busy, canAct, actions } = page;
  const block = row.channel.openBlock;
  const disabled = busy !== null || !canAct;
  // Without ETH the reader cannot send a transaction: only the site can close for them.
  const relayed = terms.relayCloses;
  const ownClose = !relayed || page.eth !== 0n;

  function submitTopUp() {
    const parsed = parseTokenAmount(topUpText, terms.tokenDecimals);
    setInvalid(!parsed.ok);
    if (!parsed.ok) {
      actions.refuse("Top-up not sent.", parsed.reason);
      return;
    }
    void actions.topUp(row, parsed.value).then(() => setTopUpText(""));
  }

  return (
    <li
      className={`wallet-channel wallet-channel-${row.state}`}
      data-testid="wallet-channel"
      data-state={row.state}
      data-open-block={block}
      data-lost-key={row.lostKey ? "true" : undefined}
    >
      <div className="wallet-channel-head">
        <strong>Channel opened in block {block}</strong>
        <span className={`wallet-badge wallet-badge-${row.state}`}>{STATE_LABEL[row.state]}</span>
      </div>
      <dl className="wallet-amounts">
        <div>
          <dt>Deposit</dt>
          <dd data-testid="channel-deposit" data-base-units={row.deposit.toString()}>
            {fmt(row.deposit)}
          </dd>
        </div>
        <div>
          <dt>Spent</dt>
          <dd data-testid="channel-spent" data-base-units={row.spent?.toString()}>
            {row.spent === null ? "not known yet" : fmt(row.spent)}
          </dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd data-testid="channel-remaining" data-base-units={row.remaining?.toString()}>
            {row.remaining === null ? "not known yet" : fmt(row.remaining)}
          </dd>
        </div>
      </dl>

      {row.spent === null && (
        <p className="wallet-note" data-testid="channel-spent-unknown">
          This browser found the channel on chain, which records the deposit but not what you have
          paid from it: only the site knows that. Load the site&apos;s history below to see it, or
          read an article: the site then tells this browser its last accepted balance.
        </p>
      )}

      {row.lostKey && row.state !== "settled" && (
        <p className="wallet-note" data-testid="channel-lost-key">
          The key that signed this channel&apos;s payments is not in this browser (it was made in
          another browser, or this browser&apos;s storage was cleared), so the channel cannot pay
          here. You can still close it with your wallet: the site signs a close at its last accepted
          balance, keeps what you paid, and the rest of the deposit comes back to you at once. Only
          if the site does not answer does the channel close on chain without it, and then the rest
          comes back after the challenge period.
        </p>
      )}

      {row.state === "open" && (
        <div className="wallet-actions">
          {!row.lostKey && (
            <form
              className="wallet-topup"
              onSubmit={(e) => {
                e.preventDefault();
                submitTopUp();
              }}
            >
              <label>
                Add{" "}
                <input
                  data-testid="wallet-topup-input"
                  inputMode="decimal"
                  placeholder="0.0"
                  value={topUpText}
                  aria-invalid={invalid}
                  onChange={(e) => setTopUpText(e.target.value)}
                />{" "}
                {amountUnit(terms)}
              </label>
              <button type="submit" data-testid="wallet-topup" disabled={disabled}>
                {busy === `topup:${block}` ? "Topping up…" : "Top up"}
              </button>
            </form>
          )}
          {relayed && (
            <button
              type="button"
              className="primary"
              data-testid="wallet-close-relayed"
              disabled={busy !== null || !page.sender}
              onClick={() => void actions.closeByRelay(row)}
            >
              {busy === `relayclose:${block}`
                ? "Closing…"
                : "Close and get my refund (the site sends the transaction, no ETH needed)"}
            </button>
          )}
          {ownClose && (
            <button
              type="button"
              data-testid="wallet-close"
              disabled={disabled}
              onClick={() => void actions.close(row)}
            >
              {busy === `close:${block}`
                ? "Closing…"
                : relayed
                  ? "Close with my own transaction"
                  : "Close channel"}
            </button>
          )}
          <p className="wallet-note" data-testid="close-gas-note">
            {ownClose
              ? "Closing with your own transaction asks the site for its signature and sends " +
                "cooperativeClose from your wallet. If the site does not answer, it starts the " +
                "close without it (an uncooperative close): a challenge period, then Settle. " +
                "Those transactions come from your wallet and need ETH for gas."
              : "Your wallet holds no ETH, so the site sends the close for you. If the site " +
                "does not answer, the only way out is an uncooperative close from your own " +
                "wallet (a challenge period, then Settle), which needs ETH for gas."}
          </p>
        </div>
      )}

      {row.state === "closing" && (
        <div className="wallet-actions">
          <p
            className="wallet-countdown"
            data-testid="settle-countdown"
            data-settle-block={row.settleBlock ?? ""}
            data-blocks-left={countdown?.blocksLeft ?? ""}
            data-ready={countdown?.ready ? "true" : "false"}
          >
            {row.settleBlock === null
              ? "Waiting for the close to be mined…"
              : countdown === null
                ? `Settle block ${row.settleBlock}: reading the chain…`
                : `Settle block ${row.settleBlock}: ${describeCountdown(countdown)}`}
          </p>
          <p className="wallet-note">
            Settling sends a transaction from your wallet: it needs ETH for gas.
          </p>
          <button
            type="button"
            data-testid="wallet-settle"
            disabled={disabled || !countdown?.ready}
            onClick={() => void actions.settle(row)}
          >
            {busy === `settle:${block}` ? "Settling…" : "Settle"}
          </button>
        </div>
      )}
    </li>
  );
}
