/**
 * Security headers that never vary, on every path. The Content-Security-Policy is set where the
 * response is made (lib/paywall/security-headers.ts): proxy.ts for pages (with a nonce),
 * withPayment for paid routes, the upstream route for proxied content. A header set here wins
 * over a route handler's, so a CSP is set here only for the operator API.
 */
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
];

import { buildSync } from "esbuild";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD } from "next/constants.js";

/**
 * Bundles the auto-pay service worker (lib/browser/pay-worker.ts) into public/pay-worker.js: a
 * worker script must be one file at the site's root to control its pages, which Next's bundler
 * does not make. Run on every build and dev server start.
 */
function buildPayWorker() {
  buildSync({
    entryPoints: ["lib/browser/pay-worker.ts"],
    outfile: "public/pay-worker.js",
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
  });
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Several builds can live side by side (e.g. tests building while another build is served).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  poweredByHeader: false,
  // Keeps proxy.ts's rewrites internal whatever address `next start -H` binds (otherwise Next turns
  // a rewrite into an HTTP hop and the paywall page's 402 becomes the hop's 200), and lets the
  // proxy see the client router's `rsc` header (docs/protocol.md, "Article pages").
  skipProxyUrlNormalize: true,
  // Native addons stay outside the server bundle.
  serverExternalPackages: [
    "better-sqlite3",
    "secp256k1",
    "keccak",
    "@prisma/adapter-better-sqlite3",
  ],
  // No image optimizer: nothing uses next/image, and /_next/image would fetch a paid /media/ file
  // (with its grant) and cache the result publicly for hours. /_next/image answers 404.
  images: { unoptimized: true },
  experimental: {
    // The one cap Next applies to every server action's body, read before the action runs. Image
    // uploads from the admin pages need it (lib/admin: 5 MiB per file, plus the form). Only the
    // operator may send more than 64 KiB: proxy.ts refuses anybody else first
    // (lib/auth/action-body.ts).
    serverActions: { bodySizeLimit: "6mb" },
    // What Next buffers of a body that passes proxy.ts (10 MB by default); above the actions' cap,
    // so an oversized upload is refused by that cap (413), never cut short.
    proxyClientMaxBodySize: "7mb",
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      {
        // JSON only: nothing to load, nothing may frame it.
        source: "/api/1/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
        ],
      },
    ];
  },
};

export default function config(phase) {
  if (phase === PHASE_PRODUCTION_BUILD || phase === PHASE_DEVELOPMENT_SERVER) buildPayWorker();
  return nextConfig;
}
