/**
 * "Get test tokens" on the local chain, offered when the reader holds fewer tokens than the
 * deposit they chose: the demo token's payable `mint()` (50 whole tokens per 0.1 ETH: 50 dUSD on
 * DemoDollar) for a wallet with ETH, the site's faucet (`POST /api/1/faucet`, 20 tokens, the site
 * pays the gas) for one without.
 */
import { useEffect, useMemo, useState } from "react";
import { formatEther } from "viem";
import { useWalletClient } from "wagmi";
import { requestTestTokens } from "@/components/wallet-page/relay-api";
import { sitePublicClient } from "@/lib/browser";
import { tokens } from "./format";
import type { IslandReport } from "./paywall-island";
import type { SiteTerms } from "./types";

/** What one `mint()` of 0.1 ETH buys, in whole tokens. */
const TOKENS_PER_MINT = 50n;
const MINT_VALUE = 10n ** 17n;
/** Gas headroom on top of the mint's value: a wallet with less uses the faucet. */
const MINT_GAS_HEADROOM = 10n ** 15n;
/** What the faucet grants, in whole tokens (lib/relay/policy.ts FAUCET_LIMITS). */
const FAUCET_TOKENS = 20n;

const mintAbi = [
  { type: "function", name: "mint", stateMutability: "payable", inputs: [], outputs: [] },
] as const;

export function TestTokens({
  terms,
  balance,
  deposit,
  busy,
  onMinted,
  run,
  report,
}: {
  terms: SiteTerms;
  balance: bigint;
  /** The deposit chosen (base units). */
  deposit: bigint;
  busy: boolean;
  onMinted: () => Promise<void>;
  run: (action: () => Promise<void>) => Promise<void>;
  report: IslandReport;
}) {
  const { data: walletClient } = useWalletClient({ chainId: terms.chainId });
  const publicClient = useMemo(() => sitePublicClient(terms), [terms]);
  const address = walletClient?.account.address;
  const [eth, setEth] = useState<{ address: string; wei: bigint }>();
  useEffect(() => {
    if (!address) return;
    let stale = false;
    publicClient
      .getBalance({ address })
      .then((wei) => !stale && setEth({ address, wei }))
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [address, publicClient, balance]);
  if (balance >= deposit) return null;
  const perMint = TOKENS_PER_MINT * 10n ** BigInt(terms.tokenDecimals);
  const mints = (deposit - balance + perMint - 1n) / perMint;
  const minted = perMint * mints;
  const value = MINT_VALUE * mints;
  const wei = eth && eth.address === address ? eth.wei : undefined;
  // Without the ETH to pay for mint(), the site's faucet (the button waits for the ETH to be read).
  const faucet = wei !== undefined && wei < value + MINT_GAS_HEADROOM;
  const granted = FAUCET_TOKENS * 10n ** BigInt(terms.tokenDecimals);

  if (faucet)
    return (
      <div className="paywall-notice">
        <p>
          You hold {tokens(balance, terms)}. On this local test chain the site can send you{" "}
          {tokens(granted, terms)}; you need no ETH for it.
        </p>
        <button
          type="button"
          className="primary"
          data-testid="get-test-tokens"
          data-source="faucet"
          disabled={busy || !address}
          onClick={() =>
            run(async () => {
              report.setStatus("Getting test tokens: the site is sending them…");
              const received = await requestTestTokens(
                {
                  origin: window.location.origin,
                  host: window.location.host,
                  gatewayPath: terms.gatewayPath,
                },
                address!,
              );
              await onMinted();
              report.setStatus(`You received ${tokens(received, terms)}.`);
            })
          }
        >
          Get test tokens
        </button>
      </div>
    );

  return (
    <div className="paywall-notice">
      <p>
        You hold {tokens(balance, terms)}. On this local test chain you can buy{" "}
        {tokens(minted, terms)} for {formatEther(value)} test ETH.
      </p>
      <button
        type="button"
        className="primary"
        data-testid="get-test-tokens"
        data-source="mint"
        disabled={busy || !walletClient || wei === undefined}
        onClick={() =>
          run(async () => {
            report.setStatus("Getting test tokens: confirm in your wallet…");
            const hash = await walletClient!.writeContract({
              address: terms.token,
              abi: mintAbi,
              functionName: "mint",
              value,
              account: walletClient!.account,
              chain: walletClient!.chain,
            });
            report.setStatus("Getting test tokens: waiting for the transaction…");
            const receipt = await sitePublicClient(terms).waitForTransactionReceipt({ hash });
            if (receipt.status !== "success") throw new Error("The mint transaction reverted.");
            await onMinted();
            report.setStatus(`You received ${tokens(minted, terms)}.`);
          })
        }
      >
        Get test tokens
      </button>
    </div>
  );
}
