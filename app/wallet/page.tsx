import type { Metadata } from "next";
import type { SiteTerms } from "@/components/paywall/types";
import { WalletLoader } from "@/components/wallet-page/wallet-loader-client";
import { AppError } from "@/lib/errors";
import { siteTerms } from "@/lib/paywall/site-terms";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Your wallet" };

/** The terms, or why the site cannot name them now (the chain or the configuration is down). */
async function loadTerms(): Promise<{ terms: SiteTerms } | { status: number; error: string }> {
  try {
    return { terms: await siteTerms() };
  } catch (err) {
    if (err instanceof AppError && err.expose && (err.status === 502 || err.status === 503)) {
      return { status: err.status, error: err.message };
    }
    throw err;
  }
}

// GET /wallet — the reader's channels to this site, their payment history, top-up, close, settle
export default async function WalletPage() {
  const loaded = await loadTerms();
  return (
    <>
      <h1>Your wallet</h1>
      {"terms" in loaded ? (
        <WalletLoader terms={loaded.terms} />
      ) : (
        <section className="wallet-unavailable" role="alert" data-testid="wallet-error">
          <h2>The wallet is unavailable right now</h2>
          <p>
            {loaded.status === 502
              ? "The site cannot reach its blockchain node, so your channels cannot be shown. Try again in a minute."
              : "The site's payment configuration is not usable at the moment, so your channels cannot be shown."}
          </p>
          <p className="muted">{loaded.error}</p>
        </section>
      )}
    </>
  );
}
