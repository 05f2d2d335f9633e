"use client";
/**
 * The wallet page's client island (loaded in the browser only, see wallet-loader-client.tsx): the
 * wallet providers around the reader's channels and payment history.
 */
import "./wallet.css";
import type { SiteTerms } from "@/components/paywall/types";
import { WalletProviders } from "@/components/wallet/wallet-providers-client";
import { WalletPanel } from "./wallet-panel-client";

/** The wallet page inside the site's wallet providers. */
export default function WalletPageClient({ terms }: { terms: SiteTerms }) {
  return (
    <WalletProviders terms={terms}>
      <WalletPanel terms={terms} />
    </WalletProviders>
  );
}
