/**
 * Paths as clients may spell them, against the production build (`next start` bound to
 * 127.0.0.1): percent-encoded letters in article and paid paths never answer 5xx and never serve
 * anything paid without payment (they are redirected to the canonical path), Next's image
 * optimizer never serves a paid image, and the paywalled-upstream prefix is served in place on the
 * address the server listens on.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "@/lib/env";
import type { PaywallContext } from "@/lib/paywall/context";
import { createGrant } from "@/lib/paywall/verdict";
import { factbookArticles, seedArticles, seedMedia } from "@/prisma/seed-data";
import { startNextServer } from "../../helpers/next-server";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

const SESSION_SECRET = "encoded-paths-session-secret-0123456789abcdef";
const UPSTREAM_PREFIX = "/wire";
const UPSTREAM_PRICE = "7";

let site: SiteServer;
let upstream: Server;
/** Requests the upstream got: none, since nothing here is paid for. */
const upstreamHits: { path: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits.push({ path: req.url ?? "", headers: req.headers });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("upstream content");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const port = (upstream.address() as AddressInfo).port;
  site = await startSiteServer({
    env: {
      SESSION_SECRET,
      UPSTREAM_PREFIX,
      UPSTREAM_URL: `http://127.0.0.1:${port}/base`,
      UPSTREAM_PRICE,
    },
  });
}, 180_000);

afterAll(async () => {
  await site?.stop();
  upstream?.close();
});

/** A percent-encoding of one character, in lower- or upper-case hex. */
function encode(ch: string, upper: boolean): string {
  const hex = ch.charCodeAt(0).toString(16).padStart(2, "0");
  return `%${upper ? hex.toUpperCase() : hex}`;
}

/** Encodes the characters of `path` at `positions` (never a slash). */
function encodeAt(path: string, positions: number[], upper: boolean): string {
  const at = new Set(positions);
  return [...path].map((ch, i) => (at.has(i) && ch !== "/" ? encode(ch, upper) : ch)).join("");
}

/**
 * Spellings of `path` with percent-encoded ordinary characters. `every`: each character alone,
 * in lower- and upper-case hex; otherwise a sample (first, middle and last character). Both add
 * combinations: the whole last segment, every other character, everything but the slashes.
 */
function encodedVariants(path: string, every: boolean): string[] {
  const positions = [...path].flatMap((ch, i) => (ch === "/" ? [] : [i]));
  const lastSegment = positions.filter((i) => i > path.lastIndexOf("/"));
  const singles = every
    ? positions
    : [positions[0]!, positions[Math.floor(positions.length / 2)]!, positions.at(-1)!];
  const out = new Set<string>();
  for (const i of singles) {
    out.add(encodeAt(path, [i], false));
    out.add(encodeAt(path, [i], true));
  }
  out.add(encodeAt(path, lastSegment, false));
  out.add(
    encodeAt(
      path,
      positions.filter((_, k) => k % 2 === 0),
      true,
    ),
  );
  out.add(encodeAt(path, positions, every));
  out.delete(path);
  return [...out];
}

interface Probe {
  variant: string;
  status: number;
  location: string | null;
  contentType: string;
  body: string;
}

/** GETs every variant (a few at a time), without following redirects. */
async function probeAll(variants: string[], headers: Record<string, string>): Promise<Probe[]> {
  const out: Probe[] = [];
  let next = 0;
  const worker = async () => {
    while (next < variants.length) {
      const variant = variants[next++]!;
      const res = await fetch(`${site.url}${variant}`, { headers, redirect: "manual" });
      const body = await res.text();
      out.push({
        variant,
        status: res.status,
        location: res.headers.get("location"),
        contentType: res.headers.get("content-type") ?? "",
        body,
      });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}

/** The path and query a redirect points at, relative to the site. */
function target(location: string | null): string | undefined {
  if (location === null) return undefined;
  const url = new URL(location, site.url);
  return url.origin === site.url ? `${url.pathname}${url.search}` : location;
}

/**
 * What went wrong with the probes of one canonical path: a 5xx, anything served (2xx), or an
 * answer other than a permanent redirect to the canonical path and query.
 */
function problems(probes: Probe[], canonical: string): string[] {
  return probes
    .filter((p) => p.status !== 308 || target(p.location) !== canonical)
    .map((p) => `${p.variant} → ${p.status} ${p.location ?? ""}`);
}

describe("percent-encoded letters in article paths", () => {
  it("the site's articles, each character encoded alone and combined: a 308 to the canonical path", async () => {
    const failures: string[] = [];
    for (const { slug } of seedArticles) {
      const path = `/articles/${slug}`;
      const probes = await probeAll(encodedVariants(path, true), { accept: "text/html" });
      failures.push(...problems(probes, path));
    }
    // The query string is kept.
    const withQuery = await probeAll(["/articles/worl%64?ref=x%20y"], { accept: "text/html" });
    failures.push(...problems(withQuery, "/articles/world?ref=x%20y"));
    expect(failures).toEqual([]);
  });

  it("every seeded article, a sample of spellings, documents and programs: never 5xx, never served", async () => {
    const slugs = [...seedArticles, ...factbookArticles()].map((a) => a.slug);
    expect(slugs).toContain("world");
    const failures: string[] = [];
    for (const [i, slug] of slugs.entries()) {
      const path = `/articles/${slug}`;
      // Half as documents, half as programs (the JSON 402).
      const headers: Record<string, string> = i % 2 ? { accept: "text/html" } : {};
      failures.push(...problems(await probeAll(encodedVariants(path, false), headers), path));
    }
    expect(failures).toEqual([]);
  });

  it("the canonical path a redirect names answers the paywall, not the article", async () => {
    for (const variant of ["/articles/worl%64", "/articles/the-402-status-cod%65"]) {
      const res = await fetch(`${site.url}${variant}`, { headers: { accept: "text/html" } });
      expect(res.status, variant).toBe(402);
      expect(res.url).toBe(`${site.url}${variant.replace(/%6[45]/, (m) => decodeURIComponent(m))}`);
      expect(res.headers.get("rdn-price")).toBeTruthy();
    }
  });
});

describe("percent-encoded letters in paid paths", () => {
  const PAID = [
    ...seedMedia.map((m) => `/media/${m.path}`),
    "/api/echo/fix/hello",
    "/api/echo/dyn/25",
    `${UPSTREAM_PREFIX}/page.txt`,
    "/upstream/page.txt",
  ];

  it("each character encoded alone and combined: a 308 to the canonical path, never served", async () => {
    const failures: string[] = [];
    for (const path of PAID) {
      const probes = await probeAll(encodedVariants(path, true), {});
      failures.push(...problems(probes, path));
      // Nothing paid without payment, whatever the redirect.
      for (const p of probes) {
        if (p.status < 300 || p.status >= 500) failures.push(`${p.variant} → ${p.status} served`);
      }
    }
    expect(failures).toEqual([]);
    expect(upstreamHits).toEqual([]);
  });

  it("the canonical paths answer 402", async () => {
    for (const path of PAID) {
      const res = await fetch(`${site.url}${path}`);
      // teapot.jpg is priced like the others; its 418 is what a payment gets.
      expect(res.status, path).toBe(402);
      await res.arrayBuffer();
    }
    expect(upstreamHits).toEqual([]);
  });

  it("an encoded reserved character is left to the route (a different resource)", async () => {
    const res = await fetch(`${site.url}/api/echo/fix/a%20b`, { redirect: "manual" });
    expect(res.status).toBe(402);
  });
});

describe("Next's image optimizer", () => {
  it("never serves a paid image, even with a valid grant", async () => {
    process.env.SESSION_SECRET = SESSION_SECRET;
    resetEnv();
    // The grant is keyed by SESSION_SECRET alone when it is set: no chain context is needed.
    const grant = createGrant({} as PaywallContext, "/media/kitten.jpg");
    const direct = await fetch(`${site.url}/media/kitten.jpg?grant=${encodeURIComponent(grant)}`);
    expect(direct.status).toBe(200); // the grant is valid
    expect(direct.headers.get("content-type")).toBe("image/jpeg");
    await direct.arrayBuffer();

    const src = encodeURIComponent(`/media/kitten.jpg?grant=${grant}`);
    for (const url of [
      `/_next/image?url=${src}&w=64&q=75`,
      `/_next/image?url=${encodeURIComponent("/media/kitten.jpg")}&w=64&q=75`,
    ]) {
      const res = await fetch(`${site.url}${url}`, { headers: { accept: "image/webp,*/*" } });
      const body = Buffer.from(await res.arrayBuffer());
      expect([400, 404], url).toContain(res.status);
      expect(res.headers.get("content-type") ?? "").not.toMatch(/^image\//);
      expect(res.headers.get("cache-control") ?? "").not.toContain("public");
      expect(body.subarray(0, 4).toString("latin1")).not.toMatch(/RIFF|\xff\xd8/);
    }
  });
});

describe("the paywalled-upstream prefix", () => {
  it("on a server bound to 127.0.0.1, asked as 127.0.0.1:<port>: served by the paid route in place", async () => {
    const res = await fetch(`${site.url}${UPSTREAM_PREFIX}/page.txt?x=1`);
    expect(res.status).toBe(402);
    expect(res.headers.get("rdn-price")).toBe(UPSTREAM_PRICE);
    await res.arrayBuffer();
    // Next names an internal rewrite by its path; another origin (http://localhost:<port>/…)
    // would be an HTTP hop.
    expect(res.headers.get("x-middleware-rewrite")).toBe("/upstream/page.txt?x=1");
    expect(upstreamHits).toEqual([]);
  });

  it("where localhost is not the address the server listens on: still the paid route", async () => {
    // Something else answers on localhost at the same port, the site on 127.0.0.2.
    const decoy = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("not the site");
    });
    await new Promise<void>((r) => decoy.listen(0, "127.0.0.1", r));
    const port = (decoy.address() as AddressInfo).port;
    const other = await startNextServer({
      host: "127.0.0.2",
      port,
      env: { ...site.serverEnv, INDEXER_ENABLED: "false" },
    });
    try {
      const res = await fetch(`${other.url}${UPSTREAM_PREFIX}/page.txt`);
      const body = await res.text();
      expect(body).not.toContain("not the site");
      expect(res.status).toBe(402);
      expect(res.headers.get("rdn-price")).toBe(UPSTREAM_PRICE);
    } finally {
      await other.stop();
      decoy.close();
    }
  });
});
