/**
 * Paywalled upstreams configured from the admin pages (`UpstreamRoute` rows): the proxy asks on
 * every page request which one a path falls under, so the rows are held in memory, loaded with one
 * prepared statement and reloaded at most once per {@link REFRESH_MS} (an edit applies within a
 * second, without a restart; edits made in this process apply at once).
 */
import { sql } from "@/lib/db/sql";

/** How old the in-memory copy of the rows may get. */
export const REFRESH_MS = 1000;

/** The internal route configured upstreams are served by: `/<base>/<id>/<rest of path>`. */
export const UPSTREAM_ROUTE_BASE = "/upstream-route";

export interface UpstreamRouteRow {
  id: number;
  /** Path prefix on this site (`/docs`), no trailing slash. */
  prefix: string;
  /** Base URL fetched (http or https). */
  url: string;
  /** Token base units per request. */
  price: bigint;
}

type Raw = { id: number; prefix: string; url: string; price: string };

const table: { rows: UpstreamRouteRow[]; loadedAt: number; loading?: Promise<void> } = {
  rows: [],
  loadedAt: -Infinity,
};

async function load(now: number): Promise<void> {
  const rows = await sql().all<Raw>(`SELECT "id", "prefix", "url", "price" FROM "UpstreamRoute"`);
  table.rows = rows
    .map((r) => ({ id: r.id, prefix: r.prefix, url: r.url, price: BigInt(r.price) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  table.loadedAt = now;
}

/** The configured routes, longest prefix first (at most {@link REFRESH_MS} old). */
export async function upstreamRoutes(now = Date.now()): Promise<UpstreamRouteRow[]> {
  if (now - table.loadedAt >= REFRESH_MS) {
    // One read at a time: requests arriving meanwhile wait for it.
    table.loading ??= load(now).finally(() => (table.loading = undefined));
    await table.loading;
  }
  return table.rows;
}

/** Drops the in-memory copy: the next lookup reads the table (after an edit in this process). */
export function forgetUpstreamRoutes(): void {
  table.loadedAt = -Infinity;
}

/** Whether `pathname` is `prefix` itself or below it. */
export function underPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** The configured route `pathname` falls under (the longest matching prefix), or undefined. */
export async function matchUpstreamRoute(pathname: string): Promise<UpstreamRouteRow | undefined> {
  return (await upstreamRoutes()).find((r) => underPrefix(pathname, r.prefix));
}

/** The configured route with this id, or undefined. */
export async function upstreamRouteById(id: number): Promise<UpstreamRouteRow | undefined> {
  return (await upstreamRoutes()).find((r) => r.id === id);
}

/**
 * The upstream URL for a request: `base` + the path below the prefix + the query. Undefined for
 * `.`/`..` segments (they would climb out of `base`). Segments arrive decoded and are encoded again,
 * so `a%2Fb` stays one segment upstream.
 *
 * @example upstreamTarget("http://u/base", ["a", "b"], "?x=1") // http://u/base/a/b?x=1
 */
export function upstreamTarget(base: string, segments: string[], search: string): URL | undefined {
  if (segments.some((s) => s === ".." || s === ".")) return undefined;
  const url = new URL(
    segments.map(encodeURIComponent).join("/"),
    base.endsWith("/") ? base : `${base}/`,
  );
  // The prefix itself is the base URL as configured (no slash added).
  if (segments.length === 0) url.href = base;
  url.search = search;
  return url;
}
