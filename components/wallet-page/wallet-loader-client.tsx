"use client";

import dynamic from "next/dynamic";
import type { SiteTerms } from "@/components/paywall/types";

// The wallet libraries (wagmi, RainbowKit) run in the browser only: server-rendering them breaks
// the build, and the page has nothing to show before a wallet is connected anyway.
const WalletPageClient = dynamic(() => import("./wallet-page-client"), {
  ssr: false,
  loading: () => (
    <p className="muted" data-testid="wallet-status">
      Loading the wallet…
    </p>
  ),
});

/** The wallet page's client island, loaded in the browser only. */
export function WalletLoader({ terms }: { terms: SiteTerms }) {
  return <WalletPageClient terms={terms} />;
}
