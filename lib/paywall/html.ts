/** Minimal server-side HTML for paid pages and paywalls (route handlers answer with full documents). */
import { jsonForScript } from "@/lib/format";
import { RDN } from "@/lib/protocol/headers";

export { jsonForScript } from "@/lib/format";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A complete HTML document in the site's chrome. `body` is trusted HTML. */
export function htmlDocument(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Paychan Press</title><link rel="stylesheet" href="/site.css"></head>
<body><header class="site-header"><a href="/" class="brand">Paychan Press</a><span class="tagline">pay per article, one signature at a time</span></header>
<main>${body}</main></body></html>`;
}

export interface PaywallInfo {
  price: string;
  priceLabel: string;
  reason: string;
  headers: Record<string, string>;
}

/**
 * The paywall box shown with a 402: the price, why payment is required, and the payment details as
 * a JSON block (`#rdn-paywall`) for the browser wallet client.
 */
export function paywallBox(info: PaywallInfo): string {
  return `<section class="paywall" id="paywall" data-price="${escapeHtml(info.price)}">
<h2>Payment required: ${escapeHtml(info.priceLabel)}</h2>
<p>${escapeHtml(info.reason)}</p>
<p class="muted">Pay from a payment channel to the receiver <code>${escapeHtml(info.headers[RDN.receiver] ?? "")}</code>:
send a balance proof in the <code>RDN-*</code> headers of this request.</p>
<script type="application/json" id="rdn-paywall">${jsonForScript(info.headers)}</script>
</section>`;
}
