/**
 * Browser security headers of the site. next.config.mjs sets the headers that never vary
 * (X-Frame-Options, nosniff, Referrer-Policy) on every path; the Content-Security-Policy is set
 * where the response is made: by proxy.ts on React pages (with a per-request nonce), by withPayment
 * on paid routes, and by the upstream route on proxied content (a sandbox). Next lets a header
 * from next.config win over a route handler's, so next.config sets no CSP on those paths.
 */

/** Headers every response of the site carries (next.config.mjs sets the same values). */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

/**
 * The site's Content-Security-Policy. With a nonce (React pages rendered per request) scripts run
 * only when they carry it or are loaded by one that does ('strict-dynamic': Next's bootstrap and
 * the lazily loaded wallet chunks); without one (route-handler documents) only same-origin script
 * files run. `connect` adds origins scripts may fetch from (the chain's public RPC for the wallet
 * code); `hashes` name a prerendered page's inline scripts instead. Styles may be inline (React and the wallet UI inject style tags and attributes).
 */
export function siteCsp(
  opts: { nonce?: string; hashes?: string[]; dev?: boolean; connect?: string[] } = {},
): string {
  const script = ["'self'"];
  if (opts.nonce) script.push(`'nonce-${opts.nonce}'`, "'strict-dynamic'");
  // A prerendered page: its inline scripts by hash (lib/paywall/static-csp.ts).
  else if (opts.hashes) script.push(...opts.hashes);
  // React's development build evaluates code to rebuild server error stacks.
  if (opts.dev) script.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(opts.connect ?? [])].join(" ")}`,
    // The auto-pay service worker (/pay-worker.js); 'strict-dynamic' would not allow it.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * CSP of content fetched from the paywalled upstream: a sandbox (unique origin, no scripts, no
 * forms, no top navigation), so a proxied page cannot act on the operator's origin; it may show
 * images and inline styles.
 */
export const UPSTREAM_CSP = [
  "sandbox",
  "default-src 'none'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "media-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");
