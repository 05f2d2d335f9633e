/**
 * Rendered pages kept in the instance, so that a page every reader sees the same is rendered once
 * and then served as fast as a file (docs/protocol.md, "Page cache"):
 * - an article page, once its request is paid (or free): one entry per article version (its
 *   price and `updatedAt`, read with the price on every request, so an edit applies to the next
 *   request on every instance), kept at most {@link ARTICLE_TTL_MS} so that the image grants in it
 *   stay valid for most of their hour;
 * - the front page and a category page: kept {@link LIST_TTL_MS} (most-read counts and edits show
 *   within a second).
 *
 * proxy.ts decides payment first: an unpaid request never reaches this cache. On a miss the proxy
 * has the page rendered by its own server (a loopback request carrying this process's render
 * token, which only the proxy can set), keeps the answer, and serves it. Each answer gets the
 * fresh per-request CSP nonce: the nonce the page was rendered with is replaced by the request's,
 * so the CSP is as strict as a page rendered per request.
 *
 * Client-router (RSC) fetches are kept apart per router state, as Next varies them.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";

/** How long an article page is kept: well inside the hour its image grants last. */
export const ARTICLE_TTL_MS = 10 * 60_000;
/** How long the front page and a category page are kept. */
export const LIST_TTL_MS = 1_000;
/** The request header of a render the proxy asks of its own server. */
export const RENDER_HEADER = "x-paychan-render";

/** The request headers Next varies a page's answer on (its `Vary`), part of the key. */
const ROUTER_HEADERS = [
  "rsc",
  "next-router-state-tree",
  "next-router-prefetch",
  "next-router-segment-prefetch",
  "next-url",
] as const;

/** Response headers never kept: they belong to one answer, or the proxy sets them itself. */
const DROPPED = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "date",
  "set-cookie",
  "content-security-policy",
  "x-paychan-instance",
]);

interface Entry {
  status: number;
  headers: [string, string][];
  body: string;
  /** The nonce the page was rendered with, replaced by each request's own. */
  nonce: string;
  expires: number;
}

/** How long a render may take before the request is rendered in place instead. */
const RENDER_TIMEOUT_MS = 10_000;
/** After a render request fails (the server's own address unreachable), how long to not try. */
const RENDER_BACKOFF_MS = 60_000;

interface State {
  secret: string;
  /** Until when no render is asked for (unix ms), after one failed. */
  pausedUntil: number;
  entries: Map<string, Entry>;
  pending: Map<string, Promise<Entry | undefined>>;
  size: number;
}

/** One cache per server process (a module may be loaded more than once by Next's bundles). */
function state(): State {
  const g = globalThis as { __paychanPageCache?: State };
  return (g.__paychanPageCache ??= {
    secret: randomBytes(32).toString("base64url"),
    pausedUntil: 0,
    entries: new Map(),
    pending: new Map(),
    size: 0,
  });
}

/** Whether the cache is on: production servers, unless PAGE_CACHE_MB is 0. */
function enabled(): boolean {
  return env().NODE_ENV === "production" && maxSize() > 0;
}

function maxSize(): number {
  // Characters of the kept bodies (about bytes for these mostly ASCII pages).
  return env().PAGE_CACHE_MB * 1024 * 1024;
}

/** Whether `headers` carry this process's render token (a render the proxy asked for). */
export function isRenderRequest(headers: Headers): boolean {
  const value = headers.get(RENDER_HEADER);
  if (!value) return false;
  const a = Buffer.from(value);
  const b = Buffer.from(state().secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The server's own address: set by `next start` once it listens. */
function selfOrigin(): string | undefined {
  const origin = process.env.__NEXT_PRIVATE_ORIGIN;
  if (!origin) return undefined;
  const url = new URL(origin);
  // `next start` names an unspecified bind address `localhost`, which may resolve to ::1 only.
  if (url.hostname === "localhost") url.hostname = "127.0.0.1";
  return url.origin;
}

/**
 * The cache key of `req` for the page at `path` in `version`, or undefined when the request is
 * not one to cache (not a GET, or a router prefetch).
 */
export function pageKey(req: NextRequest, path: string, version: string): string | undefined {
  if (!enabled() || req.method !== "GET" || req.headers.has("next-router-prefetch")) {
    return undefined;
  }
  const search = new URLSearchParams(req.nextUrl.search);
  search.delete("_rsc");
  const router = ROUTER_HEADERS.map((h) => req.headers.get(h) ?? "").join("\n");
  return `${path}?${search.toString()}\n${version}\n${router}`;
}

/**
 * Has this server render the page at `pathAndSearch` (`headers` added to the render token), and
 * reads it whole; undefined when the server cannot be reached in time (then no render is asked
 * for a minute: callers answer as they would without one).
 */
export async function renderSelf(
  pathAndSearch: string,
  extra: Headers,
): Promise<{ res: Response; body: string } | undefined> {
  const origin = selfOrigin();
  const s = state();
  if (!origin || Date.now() < s.pausedUntil) return undefined;
  const headers = new Headers(extra);
  headers.set("accept-encoding", "identity");
  headers.set(RENDER_HEADER, s.secret);
  try {
    const res = await fetch(`${origin}${pathAndSearch}`, {
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(RENDER_TIMEOUT_MS),
    });
    return { res, body: await res.text() };
  } catch (err) {
    // Unreachable or too slow: pages render in place for a while (as with the cache off).
    s.pausedUntil = Date.now() + RENDER_BACKOFF_MS;
    console.error(
      `rendering ${pathAndSearch.split("?")[0]} through ${origin} failed, ` +
        `pages render per request for ${RENDER_BACKOFF_MS / 1000} s:`,
      err instanceof Error ? err.message : err,
    );
    return undefined;
  }
}

/** Has the page rendered by this server for the request `req`; undefined when it cannot be kept. */
async function render(req: NextRequest): Promise<Entry | undefined> {
  const headers = new Headers({ accept: req.headers.get("accept") ?? "text/html" });
  for (const name of ROUTER_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const rendered = await renderSelf(`${req.nextUrl.pathname}${req.nextUrl.search}`, headers);
  if (!rendered) return undefined;
  const { res, body } = rendered;
  const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
  const type = res.headers.get("content-type") ?? "";
  if (
    res.status !== 200 ||
    !nonce ||
    res.headers.has("set-cookie") ||
    !/^text\/(html|x-component)/.test(type)
  ) {
    return undefined;
  }
  return {
    status: res.status,
    headers: [...res.headers].filter(([name]) => !DROPPED.has(name.toLowerCase())),
    body,
    nonce,
    expires: 0,
  };
}

function remember(s: State, key: string, entry: Entry): void {
  const old = s.entries.get(key);
  if (old) {
    s.size -= old.body.length;
    s.entries.delete(key);
  }
  s.entries.set(key, entry);
  s.size += entry.body.length;
  // Least recently used first (a hit moves its entry to the end).
  for (const [k, e] of s.entries) {
    if (s.size <= maxSize()) break;
    s.entries.delete(k);
    s.size -= e.body.length;
  }
}

/**
 * The page for `req` from the cache, rendered (once, however many ask at the same time) on a
 * miss; undefined when it cannot be served from the cache (then the page renders as usual).
 * `csp` is the answer's policy, with `nonce` the answer's own nonce.
 */
export async function cachedPage(
  req: NextRequest,
  key: string,
  ttlMs: number,
  page: { csp: string; nonce: string },
): Promise<NextResponse | undefined> {
  const s = state();
  const now = Date.now();
  let entry = s.entries.get(key);
  if (entry && entry.expires > now) {
    s.entries.delete(key);
    s.entries.set(key, entry);
  } else {
    let pending = s.pending.get(key);
    if (!pending) {
      pending = render(req)
        .catch(() => undefined)
        .then((e) => {
          if (e) remember(s, key, { ...e, expires: Date.now() + ttlMs });
          return e;
        })
        .finally(() => s.pending.delete(key));
      s.pending.set(key, pending);
    }
    entry = await pending;
    if (!entry) return undefined;
  }
  const res = new NextResponse(entry.body.replaceAll(entry.nonce, page.nonce), {
    status: entry.status,
    headers: entry.headers,
  });
  res.headers.set("Content-Security-Policy", page.csp);
  return res;
}

/** Forgets every kept page (tests). */
export function clearPageCache(): void {
  const s = state();
  s.entries.clear();
  s.size = 0;
}
