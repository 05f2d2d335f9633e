import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { ArticleView, PaywallSection } from "@/components/article/article-parts";
import PaywallIsland from "@/components/paywall/paywall-island";
import { findArticle } from "@/lib/content/articles";
import { sectionHeadings } from "@/lib/content/headings";
import { PAYWALL_REASON_HEADER } from "@/lib/paywall/article-gate";
import { siteTerms } from "@/lib/paywall/site-terms";
import { FAILURE_TEXT } from "@/lib/protocol/terms";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const article = await findArticle((await params).slug);
  return article ? { title: article.title, description: article.teaser } : {};
}

/** Why the proxy asked for payment (its internal header), or the generic reason. */
function paywallReason(value: string | null): {
  reason: string;
  failure?: string;
  headers?: Record<string, string>;
  autoPay: boolean;
} {
  try {
    const parsed = JSON.parse(value ?? "") as {
      reason?: unknown;
      failure?: unknown;
      headers?: Record<string, string>;
      autoPay?: unknown;
    };
    if (typeof parsed.reason === "string") {
      return {
        reason: parsed.reason,
        failure: typeof parsed.failure === "string" ? parsed.failure : undefined,
        headers: typeof parsed.headers === "object" ? parsed.headers : undefined,
        autoPay: parsed.autoPay === true,
      };
    }
  } catch {
    // fall through
  }
  return { reason: FAILURE_TEXT["payment-required"], autoPay: false };
}

/**
 * The paywall of an article: its teaser, key facts and section headings, free and indexable, and
 * the paywall island.
 * Shown only through proxy.ts's rewrite of `/articles/:slug` (status 402 for a document, 200 for
 * the client router); the paid body is never part of it.
 */
export default async function PaywallPage({ params }: Props) {
  const { slug } = await params;
  const article = await findArticle(slug);
  if (!article) notFound();
  const {
    reason,
    failure,
    headers: rdn,
    autoPay,
  } = paywallReason((await headers()).get(PAYWALL_REASON_HEADER));
  const terms = await siteTerms();
  const unit = { symbol: terms.tokenSymbol, decimals: terms.tokenDecimals };
  // A first visit needs no protocol talk; a failed payment says what went wrong.
  const lead =
    !failure || failure === "payment-required"
      ? "Pay from your wallet to read the rest: no account, no subscription, and the unspent deposit is always yours to take back."
      : reason;
  return (
    // The headings come from the body on the server; no other part of it is in this page.
    <ArticleView article={article} unit={unit} contents={sectionHeadings(article.body)}>
      <PaywallSection price={article.price} unit={unit} reason={lead} terms={rdn}>
        <PaywallIsland
          terms={terms}
          path={`/articles/${article.slug}`}
          title={article.title}
          price={article.price.toString()}
          reason={reason}
          failure={failure}
          autoPay={autoPay}
        />
      </PaywallSection>
    </ArticleView>
  );
}
