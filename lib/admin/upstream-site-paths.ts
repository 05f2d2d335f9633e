/**
 * The site's own top-level paths, which a configured upstream prefix must not take: derived from
 * the `app/` directory (route groups flattened, private folders skipped) and the files of
 * `public/`, plus the paths Next and the proxy serve without a folder of their own.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

/** Served without a folder under app/ (Next's assets, the stylesheet, search and categories). */
const FIXED = [
  "_next",
  "api",
  "admin",
  "articles",
  "media",
  "upstream",
  "upstream-route",
  "paywall",
  "wallet",
  "llms.txt",
  "category",
  "search",
  "site.css",
  "favicon.ico",
];

/** A folder of app/ that adds no path segment: `(group)`, or `@slot` of a parallel route. */
const isGroup = (name: string) => /^\(.*\)$/.test(name) || name.startsWith("@");

/** Top-level segments of the routes under `dir` (app/ or a route group inside it). */
function appSegments(dir: string, out: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (entry.isDirectory()) {
      if (name.startsWith("_")) continue; // private folder: not a route
      if (isGroup(name)) appSegments(path.join(dir, name), out);
      // A dynamic top-level segment would take every path: no prefix could be free.
      else out.add(name.startsWith("[") ? "*" : name);
    } else {
      // Metadata files answer at their own path (robots.ts at /robots.txt, icon.png at /icon.png).
      const base = name.replace(/\.(ts|tsx|js|jsx)$/, "");
      if (/^(favicon|icon|apple-icon|opengraph-image|twitter-image)/.test(base)) out.add(base);
      if (base.startsWith("robots")) out.add("robots.txt");
      if (base.startsWith("sitemap")) out.add("sitemap.xml");
      if (base.startsWith("manifest")) out.add("manifest.webmanifest").add("manifest.json");
    }
  }
}

/**
 * Every first path segment the site serves itself (`api`, `admin`, …). `"*"` in the set means a
 * dynamic top-level route takes them all.
 *
 * @param root the project directory (default: the working directory)
 */
export function siteTopLevelPaths(root = process.cwd()): Set<string> {
  const out = new Set(FIXED);
  const app = path.join(root, "app");
  if (existsSync(app)) appSegments(app, out);
  const pub = path.join(root, "public");
  if (existsSync(pub)) for (const name of readdirSync(pub)) out.add(name);
  return out;
}

/** Whether `prefix` (`/docs/v2`) falls under one of the site's own paths. */
export function isSitePath(prefix: string, paths = siteTopLevelPaths()): boolean {
  const first = prefix.split("/")[1] ?? "";
  return paths.has("*") || paths.has(first);
}
