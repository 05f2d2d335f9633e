import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";

// Every page but /about says `dynamic = "force-dynamic"`: it is rendered per request and its
// scripts carry the CSP nonce proxy.ts makes for it (a prerendered page would have scripts without
// it and never hydrate). /about is prerendered, and its CSP names its inline scripts by hash.

export const metadata: Metadata = {
  title: { default: "Paychan Press", template: "%s · Paychan Press" },
  description: "Pay per article with Ethereum payment channels",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        {/* One stylesheet for the React pages and the route-handler pages (articles, paywalls). */}
        <link rel="stylesheet" href="/site.css" precedence="default" />
      </head>
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Paychan Press
          </Link>
          <span className="tagline">pay per article, one signature at a time</span>
          <nav aria-label="Site">
            {/* A plain link: the client router would prefetch it, and each visit is a new draw. */}
            <a href="/random" rel="nofollow" data-testid="random-article">
              Random article
            </a>
            <Link href="/about">How paying works</Link>
            <Link href="/wallet">Your wallet</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
