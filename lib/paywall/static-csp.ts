/**
 * The CSP of a page prerendered at build time (`/about`): its HTML is a file, the same for every
 * request, so it cannot carry a per-request nonce. Its inline scripts (Next's bootstrap and RSC
 * payload) are named by their SHA-256 instead, read once from the build's copy of the page; script
 * files run from the site's own origin only, as on every page.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

/** The pages prerendered at build time (each has `export const dynamic = "force-static"`). */
export const STATIC_PAGES: ReadonlySet<string> = new Set(["/about"]);

const hashes = new Map<string, string[] | undefined>();

/**
 * `'sha256-…'` sources of the inline scripts of the prerendered page at `pathname`, or undefined
 * when the build has no file for it (`next dev` renders it per request, with a nonce).
 */
export function staticPageScriptHashes(pathname: string): string[] | undefined {
  if (hashes.has(pathname)) return hashes.get(pathname);
  let found: string[] | undefined;
  try {
    const distDir = process.env.NEXT_DIST_DIR ?? ".next";
    const html = readFileSync(
      /*turbopackIgnore: true*/ path.join(
        process.cwd(),
        distDir,
        "server",
        "app",
        `${pathname.slice(1)}.html`,
      ),
      "utf8",
    );
    found = inlineScriptHashes(html);
  } catch {
    found = undefined;
  }
  hashes.set(pathname, found);
  return found;
}

/** The `'sha256-…'` source of each inline script (a `<script>` without `src`) in `html`. */
export function inlineScriptHashes(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(m[1]!)) continue;
    if (/\btype\s*=\s*"?application\/(ld\+)?json/i.test(m[1]!)) continue;
    out.add(`'sha256-${createHash("sha256").update(m[2]!, "utf8").digest("base64")}'`);
  }
  return [...out];
}
