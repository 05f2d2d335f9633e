"use client";
/**
 * The wallet part of the paywall, loaded on demand: connect (RainbowKit), switch network, get
 * test tokens, open a channel (deposit, signing mode, limits), pay, top up, and recovery of a
 * channel this browser forgot. Progress and errors go to the island's status and error lines.
 */
import { useConnectModal } from "@rainbow-me/rainbowkit";
import { useEffect, useMemo, useRef, useState } from "react";
import { isAddressEqual, type Address } from "viem";
import { useAccount, useSwitchChain } from "wagmi";
import { WalletProviders } from "@/components/wallet/wallet-providers-client";
import { useWalletPayer } from "@/components/wallet/use-wallet-payer";
import { NO_WALLET_TEXT, useWalletFound } from "@/components/wallet/wallet-found";
import {
  createSessionKey,
  getSessionKey,
  indexedDbChannelStore,
  putAutoPay,
  remaining,
  sitePublicClient,
  raiseAutoPayCap,
} from "@/lib/browser";
import { gasNeeds, type PayerChannel } from "@/lib/protocol/client";
import { explainError } from "./explain-error";
import { tokens } from "./format";
import type { LocalState } from "./local-state";
import { OpenForm } from "./open-form";
import type { IslandReport } from "./paywall-island";
import { TestTokens } from "./test-tokens";
import { TopUpForm } from "./top-up-form";
import { relayOffer } from "./relay-offer";
import type { PaywallProps } from "./types";

export interface PaywallWalletProps extends PaywallProps {
  local: LocalState;
  report: IslandReport;
  /**
   * The reader clicked "Pay with your wallet" on a channel the wallet signs for: pay as soon as
   * the wallet is connected to that sender, without a second click.
   */
  payNow?: boolean;
}

export default function PaywallWallet(props: PaywallWalletProps) {
  return (
    <WalletProviders terms={props.terms}>
      <WalletFlow {...props} />
    </WalletProviders>
  );
}

function WalletFlow(props: PaywallWalletProps) {
  const { terms, local, report } = props;
  const price = BigInt(props.price);
  const { isConnected, chainId, isConnecting, isReconnecting } = useAccount();
  const { openConnectModal } = useConnectModal();
  const { switchChain, isPending: switching } = useSwitchChain();
  const { sender, makePayer } = useWalletPayer(terms);
  const publicClient = useMemo(() => sitePublicClient(terms), [terms]);
  const [ready, setReady] = useState<Address | undefined>();
  const [busy, setBusy] = useState(false);
  const [tokenBalance, setTokenBalance] = useState<bigint>();
  /** Whether the reader's ETH covers their own transactions' gas (undefined: not read yet). */
  const [canPayGas, setCanPayGas] = useState<boolean>();
  const askedToConnect = useRef(false);
  const lookedUp = useRef<string | undefined>(undefined);

  const walletFound = useWalletFound();
  // Open the connect dialog once, right after the reader asked for the wallet; without a wallet
  // in this browser (and no WalletConnect) the dialog could do nothing: say so instead.
  useEffect(() => {
    if (isConnected || isConnecting || isReconnecting || !openConnectModal) return;
    if (askedToConnect.current || walletFound === undefined) return;
    askedToConnect.current = true;
    if (!walletFound && !terms.walletConnectProjectId) report.setError(NO_WALLET_TEXT);
    else openConnectModal();
  }, [
    isConnected,
    isConnecting,
    isReconnecting,
    openConnectModal,
    walletFound,
    terms.walletConnectProjectId,
    report,
  ]);

  async function refreshBalance(who: Address) {
    const [balance, gas] = await Promise.all([
      publicClient.readContract({
        address: terms.token,
        abi: balanceOfAbi,
        functionName: "balanceOf",
        args: [who],
      }),
      gasNeeds({ publicClient, sender: who }, 2).catch(() => undefined),
    ]);
    setTokenBalance(balance);
    setCanPayGas(gas ? gas.eth >= gas.gas : undefined);
  }

  // Once connected on the site's chain: the reader's channels, recovered from the chain when
  // this browser knows none, and their token balance.
  useEffect(() => {
    if (!sender || !makePayer || lookedUp.current === sender) return;
    lookedUp.current = sender;
    void (async () => {
      report.setStatus("Looking up your channel…");
      let state: LocalState;
      try {
        state = await report.reload(sender);
        if (!state.usable && state.lost.length === 0) {
          report.setStatus("Looking for your channel on chain…");
          await makePayer().payer.recover({
            contract: terms.contract,
            receiver: terms.receiver,
            token: terms.token,
            chainId: terms.chainId,
            siteOrigin: window.location.origin,
          });
          await adoptHeldKeys(sender);
          state = await report.reload(sender);
        }
        await refreshBalance(sender);
        report.setStatus(
          state.usable && remaining(state.usable) >= price
            ? "Your channel covers this article."
            : "",
        );
      } catch (err) {
        report.setError(explainError(err));
        report.setStatus("");
        setReady(sender);
        return;
      }
      setReady(sender);
      // One click in confirm-each mode: the click that loaded the wallet asked to pay.
      const usable = state.usable;
      if (
        props.payNow &&
        usable &&
        isAddressEqual(usable.signer, sender) &&
        remaining(usable) >= price
      ) {
        await run(() => payFrom(usable));
      }
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per connected account
  }, [sender, makePayer]);

  if (!isConnected && (isConnecting || isReconnecting)) {
    // A remembered wallet reconnects by itself: no "Connect wallet" to click meanwhile.
    return (
      <p className="muted" data-testid="wallet-connecting">
        Connecting to your wallet…
      </p>
    );
  }
  if (!isConnected) {
    return (
      <button
        type="button"
        className="primary"
        data-testid="wallet-connect"
        disabled={!openConnectModal}
        onClick={() => openConnectModal?.()}
      >
        Connect wallet
      </button>
    );
  }
  if (chainId !== terms.chainId) {
    return (
      <div>
        <p>Your wallet is on another network than this site.</p>
        <button
          type="button"
          className="primary"
          data-testid="switch-network"
          disabled={switching}
          onClick={() =>
            switchChain(
              { chainId: terms.chainId },
              { onError: (err) => report.setError(explainError(err)) },
            )
          }
        >
          Switch network
        </button>
      </div>
    );
  }
  if (!sender || !makePayer || ready !== sender) return null;

  /** Runs an action with the buttons disabled; errors are explained. */
  async function run(action: () => Promise<void>) {
    setBusy(true);
    report.setError(undefined);
    try {
      await action();
    } catch (err) {
      report.setError(explainError(err));
      report.setStatus("");
      await report.reload(sender).catch(() => undefined);
      await refreshBalance(sender!).catch(() => undefined);
    } finally {
      setBusy(false);
    }
  }

  /** Pays this article from `channel` (its session key signs, else the wallet). */
  async function payFrom(channel: PayerChannel) {
    const sessionKey = isAddressEqual(channel.signer, sender!)
      ? undefined
      : await getSessionKey(channel.signer);
    const { payArticle } = makePayer!({
      sessionKey,
      autoPay: sessionKey !== undefined && local.settings?.mode === "auto",
      onEvent: (e) => {
        if (e.type === "waiting-confirmations")
          report.setStatus(`Waiting for ${e.missing} more confirmation(s)…`);
        if (e.type === "waiting-for-site")
          report.setStatus("Waiting for the site to see your deposit…");
        if (e.type === "adopted-server-balance")
          report.setStatus("Resuming from the site's last accepted balance…");
      },
    });
    report.setStatus(
      sessionKey ? `Paying ${tokens(price, terms)}…` : "Confirm the payment in your wallet…",
    );
    const { response } = await payArticle(props.path, { title: props.title });
    if (!response.ok) throw new Error(`The site answered ${response.status}.`);
    report.onPaid(response);
  }

  const usable = local.usable;
  const lostKey =
    !usable && local.lost.length > 0 ? (
      <p className="paywall-notice" data-testid="lost-key">
        Your channel opened in block {local.lost[0]!.openBlock} is signed by a session key that is
        not in this browser (it stays in the browser that opened it), so it cannot pay here. Close
        it on the <a href="/wallet">wallet page</a> to get its deposit back, and open a new one
        below.
      </p>
    ) : null;

  if (usable && remaining(usable) >= price) {
    return (
      <button
        type="button"
        className="primary"
        data-testid="pay-button"
        disabled={busy}
        onClick={() => run(() => payFrom(usable))}
      >
        Pay {tokens(price, terms)} and read
      </button>
    );
  }
  if (usable) {
    return (
      <TopUpForm
        terms={terms}
        price={price}
        channel={usable}
        busy={busy}
        canPayGas={canPayGas}
        onTopUp={(amount, via) =>
          run(async () => {
            const sessionKey = isAddressEqual(usable.signer, sender)
              ? undefined
              : await getSessionKey(usable.signer);
            const { payer } = makePayer({
              sessionKey,
              onEvent: (e) => {
                if (e.type === "relay-requested")
                  report.setStatus("The site is topping up your channel…");
              },
            });
            report.setStatus(
              via === "relay"
                ? `Topping up by ${tokens(amount, terms)}: sign the deposit authorization in your wallet…`
                : `Topping up by ${tokens(amount, terms)}: confirm in your wallet…`,
            );
            const updated = await payer.topUp(usable, amount, { via, relay: relayOffer(terms) });
            // Money added to an auto-pay channel is money to spend: the cap grows with it.
            if (sessionKey) {
              await raiseAutoPayCap(
                { chainId: terms.chainId, contract: terms.contract, sender },
                amount,
              );
            }
            await report.reload(sender);
            await payFrom(updated);
          })
        }
      />
    );
  }

  return (
    <div>
      {lostKey}
      <OpenForm
        terms={terms}
        price={price}
        busy={busy}
        tokenBalance={tokenBalance}
        canPayGas={canPayGas}
        testTokens={(deposit) => (
          <TestTokens
            terms={terms}
            balance={tokenBalance ?? 0n}
            deposit={deposit}
            busy={busy}
            onMinted={() => refreshBalance(sender)}
            run={run}
            report={report}
          />
        )}
        onOpen={(choice, steps) =>
          run(async () => {
            const sessionKey = choice.mode === "auto" ? await createSessionKey(sender) : undefined;
            await putAutoPay({
              chainId: terms.chainId,
              contract: terms.contract,
              sender,
              mode: choice.mode,
              maxPerArticle: choice.maxPerArticle.toString(),
              cap: choice.cap.toString(),
              enabled: true,
            });
            const browserPayer = makePayer({
              sessionKey,
              autoPay: choice.mode === "auto",
              onEvent: (e) => {
                steps.onEvent(e);
                if (e.type === "relay-requested")
                  report.setStatus("The site is opening your channel…");
              },
            });
            report.setStatus(
              choice.via === "relay"
                ? "Opening your channel: sign the deposit authorization in your wallet…"
                : "Opening your channel: confirm in your wallet…",
            );
            let response: Response;
            try {
              // Through the relay the reader's wallet signs the authorization (naming the session
              // key, when there is one, as the channel's signer) and sends nothing.
              await browserPayer.payer.open(
                {
                  contract: terms.contract,
                  receiver: terms.receiver,
                  token: terms.token,
                  chainId: terms.chainId,
                  relay: relayOffer(terms),
                  siteOrigin: window.location.origin,
                },
                choice.deposit,
                { via: choice.via },
              );
              report.setStatus("Channel open. Paying this article…");
              await report.reload(sender);
              response = (await browserPayer.payArticle(props.path, { title: props.title }))
                .response;
              if (!response.ok) throw new Error(`The site answered ${response.status}.`);
            } catch (err) {
              steps.onError();
              throw err;
            }
            steps.onDone();
            report.onPaid(response);
          })
        }
      />
    </div>
  );
}

/** Channels recovered as `signerUnavailable` whose session key this browser does hold. */
async function adoptHeldKeys(sender: Address) {
  const store = indexedDbChannelStore();
  for (const c of await store.list()) {
    if (!c.signerUnavailable || !isAddressEqual(c.sender, sender)) continue;
    if (!(await getSessionKey(c.signer))) continue;
    const fixed = { ...c };
    delete fixed.signerUnavailable;
    await store.put(fixed);
  }
}

const balanceOfAbi = [
  {
    type: "function",
    name: "balanceOf",
    stateMutability: "view",
    inputs: [{ name: "owner", type: "address" }],
    outputs: [{ name: "", type: "uint256" }],
  },
] as const;
