"use client";
/**
 * The wallet page's body: connect and network, the status line, the reader's channels and the
 * payment history.
 */
import { ConnectButton } from "@rainbow-me/rainbowkit";
import { useAccount, useSwitchChain } from "wagmi";
import type { SiteTerms } from "@/components/paywall/types";
import { NoWalletNotice, useWalletFound } from "@/components/wallet/wallet-found";
import { ChannelCard } from "./channel-card-client";
import { explainError } from "./explain-error";
import { HistorySection } from "./history-section-client";
import { useWalletPage } from "./use-wallet-page";

/** The reader's wallet for this site. */
export function WalletPanel({ terms }: { terms: SiteTerms }) {
  const page = useWalletPage(terms);
  const { switchChain, isPending: switching, error: switchError } = useSwitchChain();
  const { sender, onSiteChain, rows, status } = page;
  const walletFound = useWalletFound();
  // A remembered wallet reconnects by itself: say so rather than "Not connected".
  const { isConnecting, isReconnecting } = useAccount();
  const connecting = !sender && (isConnecting || isReconnecting);

  return (
    <div className="wallet-page">
      {walletFound === false && !terms.walletConnectProjectId && !sender ? (
        <NoWalletNotice />
      ) : null}
      <div className="wallet-connect-row">
        <ConnectButton
          label="Connect wallet"
          showBalance={false}
          chainStatus="none"
          accountStatus="address"
        />
        {sender && !onSiteChain && (
          <button
            type="button"
            data-testid="switch-network"
            disabled={switching}
            onClick={() => switchChain({ chainId: terms.chainId })}
          >
            {switching ? "Switching…" : "Switch to the site's network"}
          </button>
        )}
      </div>

      {!sender && !connecting && (
        <p className="muted">
          Connect the wallet you pay with to see your channels to this site, top them up, close them
          and export your payment history.
        </p>
      )}
      {sender && !onSiteChain && (
        <p className="wallet-warning">
          Your wallet is on another network. Switch to the site&apos;s network (chain{" "}
          {terms.chainId}) to top up, close or settle a channel.
        </p>
      )}

      <p
        className={`wallet-status wallet-status-${status.phase}`}
        data-testid="wallet-status"
        data-phase={status.phase}
        data-busy={page.busy ?? ""}
        role="status"
        aria-live="polite"
      >
        {status.text ||
          (sender ? "Ready." : connecting ? "Connecting to your wallet…" : "Not connected.")}
      </p>
      {(status.error || switchError) && (
        <p className="wallet-error" data-testid="wallet-error" role="alert">
          {status.error ?? explainError(switchError)}
        </p>
      )}

      {sender && (
        <section className="wallet-channels" aria-labelledby="wallet-channels-title">
          <h2 id="wallet-channels-title">Your channels to this site</h2>
          {rows === null ? (
            <p className="muted">Reading your channels…</p>
          ) : rows.length === 0 ? (
            <p className="muted" data-testid="no-channels">
              No channels yet: open one from the paywall of any article.
            </p>
          ) : (
            <ul className="wallet-channel-list">
              {rows.map((row) => (
                <ChannelCard key={row.channel.openBlock} row={row} page={page} terms={terms} />
              ))}
            </ul>
          )}
        </section>
      )}

      {sender && terms.localChain && (
        <section className="wallet-faucet" aria-labelledby="wallet-faucet-title">
          <h2 id="wallet-faucet-title">Test tokens</h2>
          <p className="muted">
            On this local test chain the site sends you 20 test {terms.tokenSymbol} (once every 10
            minutes); you need no ETH for it.
          </p>
          <button
            type="button"
            data-testid="wallet-faucet"
            disabled={page.busy !== null}
            onClick={() => void page.actions.getTestTokens()}
          >
            {page.busy === "faucet" ? "Asking…" : "Get test tokens"}
          </button>
        </section>
      )}

      {sender && <HistorySection page={page} />}
    </div>
  );
}
