/**
 * "Get test tokens" on the local chain: the demo token's payable `mint()` (50 whole tokens per
 * 0.1 ETH: 50 dUSD on DemoDollar), offered when the reader holds fewer tokens than the deposit
 * they chose.
 */
import { formatEther } from "viem";
import { useWalletClient } from "wagmi";
import { sitePublicClient } from "@/lib/browser";
import { tokens } from "./format";
import type { IslandReport } from "./paywall-island";
import type { SiteTerms } from "./types";

/** What one `mint()` of 0.1 ETH buys, in whole tokens. */
const TOKENS_PER_MINT = 50n;
const MINT_VALUE = 10n ** 17n;

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
  if (balance >= deposit) return null;
  const perMint = TOKENS_PER_MINT * 10n ** BigInt(terms.tokenDecimals);
  const mints = (deposit - balance + perMint - 1n) / perMint;
  const minted = perMint * mints;
  const value = MINT_VALUE * mints;

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
        disabled={busy || !walletClient}
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
