import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { PaywallSection } from "@/components/article/article-parts";
import PaywallIsland from "@/components/paywall/paywall-island";
import { RESOURCE_PAYWALL_HEADER, resourcePaywallSchema } from "@/lib/paywall/resource-paywall";
import { siteTerms } from "@/lib/paywall/site-terms";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Payment required", robots: { index: false } };

const KIND_TEXT = {
  media: "This image is paid for on its own.",
  api: "This is a paid API route: each request costs the price below.",
  upstream: "This page is paid for on its own.",
} as const;

/**
 * The paywall a browser gets for a paid image, API route or upstream page: the same React
 * paywall as an article's, rendered by the route's own request to this server
 * (lib/paywall/resource-paywall.ts) and never reachable otherwise (proxy.ts answers 404). After a
 * payment the island shows what was bought in place.
 */
export default async function ResourcePaywallPage() {
  const parsed = resourcePaywallSchema.safeParse(
    JSON.parse((await headers()).get(RESOURCE_PAYWALL_HEADER) ?? "null"),
  );
  if (!parsed.success) notFound();
  const { path, kind, price, reason, failure, rdn, autoPay } = parsed.data;
  const terms = await siteTerms();
  const unit = { symbol: terms.tokenSymbol, decimals: terms.tokenDecimals };
  // A first visit needs no protocol talk; a failed payment says what went wrong.
  const lead =
    !failure || failure === "payment-required"
      ? "Pay from your wallet to get it: no account, no subscription, and the unspent deposit is always yours to take back."
      : reason;
  const last = path.split("?")[0]!.split("/").filter(Boolean).at(-1) ?? path;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // shown as sent
  }
  return (
    <article className="resource-paywall">
      <h1>{name}</h1>
      <p className="muted">
        {KIND_TEXT[kind]} <code>{path}</code>
      </p>
      <PaywallSection price={BigInt(price)} unit={unit} reason={lead} terms={rdn}>
        <PaywallIsland
          terms={terms}
          path={path}
          title={name}
          price={price}
          reason={reason}
          failure={failure}
          autoPay={autoPay}
          kind={kind}
        />
      </PaywallSection>
    </article>
  );
}
