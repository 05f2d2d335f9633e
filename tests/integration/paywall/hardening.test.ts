/**
 * Paying once buys one thing: retries only within PAYMENT_RETRY_SECONDS and without a new receipt,
 * resources named after exactly what is served, HEAD never charged, private caching, a hardened
 * paywalled upstream (timeout, size limit, sandbox) and malformed paths answered with 400.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as dynRoute from "@/app/api/echo/dyn/[param]/route";
import * as fixRoute from "@/app/api/echo/fix/[param]/route";
import { articleRouteModule as articleRoute } from "../../helpers/article-route";
import * as mediaRoute from "@/app/media/[...path]/route";
import * as upstreamRoute from "@/app/upstream/[...path]/route";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { seed } from "@/prisma/seed";
import { BASE, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

/** The seeded price of the-402-status-code: 5 cents. */
const ARTICLE_PRICE = 5n * CENT;

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

/** Calls a route handler the way Next does, with any method. */
function request<P>(
  handler: Handler<P>,
  path: string,
  params: P | Promise<P>,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Response> {
  return handler(new Request(`${BASE}${path}`, { method, headers }), {
    params: Promise.resolve(params),
  });
}

let f: SiteFixture;
let upstream: Server;
let upstreamPort: number;
/** Paths the upstream was asked for, in order. */
const upstreamHits: string[] = [];
let flakyFailures = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits.push(req.url ?? "");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/base/slow") {
      const t = setTimeout(() => res.end("late"), 3_000);
      res.on("close", () => clearTimeout(t));
      return;
    }
    if (path === "/base/slow-body") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part…");
      const t = setTimeout(() => res.end("rest"), 3_000);
      res.on("close", () => clearTimeout(t));
      return;
    }
    if (path === "/base/huge") {
      // Streamed without a length: the site must count and stop reading.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50) res.once("drain", pump);
        else res.end();
      };
      res.on("error", () => undefined);
      pump();
      return;
    }
    if (path === "/base/declared-huge") {
      res.writeHead(200, { "content-type": "text/plain", "content-length": String(10_000_000) });
      res.write("x");
      res.on("error", () => undefined);
      return;
    }
    if (path === "/base/page.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><script>document.cookie</script><p>upstream page</p>");
      return;
    }
    if (path === "/base/flaky" && flakyFailures > 0) {
      flakyFailures--;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(`upstream ${req.url}`);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamPort = (upstream.address() as AddressInfo).port;
  f = await startSiteFixture({
    env: {
      UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/base`,
      UPSTREAM_PRICE: "7",
      UPSTREAM_TIMEOUT_MS: "400",
      UPSTREAM_MAX_BYTES: "100000",
      PAYMENT_RETRY_SECONDS: "60",
    },
  });
  await seed();
});
afterAll(async () => {
  await f?.stop();
  upstream?.close();
});

/** A fresh channel per test, and a payer that tracks its balance. */
let n = 0;
let payer: Awaited<ReturnType<typeof newPayer>>;
async function newPayer() {
  const reader = f.readers[n++ % f.readers.length]!;
  const openBlock = await f.openChannel(reader, 100n * TOKEN);
  const channelId = await indexChannel(f, reader, openBlock, 100n * TOKEN);
  let balance = 0n;
  return {
    reader,
    openBlock,
    channelId,
    get balance() {
      return balance;
    },
    /** RDN headers paying `price` more than the last accepted balance (not yet accepted). */
    async next(price: bigint): Promise<Record<string, string>> {
      const b = balance + price;
      return paymentHeaders(
        reader.address,
        openBlock,
        b,
        await proof(f, reader, reader.address, openBlock, b),
      );
    },
    accepted(price: bigint) {
      balance += price;
    },
    payments: () => db().payment.count({ where: { channelId } }),
  };
}
beforeEach(async () => {
  payer = await newPayer();
});

describe("a retry is free only for a short while after the payment", () => {
  it("serves the same proof again within PAYMENT_RETRY_SECONDS, then answers 402", async () => {
    const pay = await payer.next(5n);
    const first = await request(fixRoute.GET, "/api/echo/fix/hi", { param: "hi" }, pay);
    expect(first.status).toBe(200);
    payer.accepted(5n);
    const retry = await request(fixRoute.GET, "/api/echo/fix/hi", { param: "hi" }, pay);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ echo: "hi" });

    // The payment is now older than the window: the same proof buys nothing more.
    await db().payment.updateMany({
      where: { channelId: payer.channelId },
      data: { createdAt: new Date(Date.now() - 61_000) },
    });
    const late = await request(fixRoute.GET, "/api/echo/fix/hi", { param: "hi" }, pay);
    expect(late.status).toBe(402);
    expect(await late.text()).not.toContain('"echo"');
    expect(late.headers.get("RDN-Sender-Balance")).toBe("5");
    expect(late.headers.get("RDN-Balance-Signature")).toBe(pay["RDN-Balance-Signature"]);
    expect(await payer.payments()).toBe(1);

    // Paying again works as usual.
    const again = await request(
      fixRoute.GET,
      "/api/echo/fix/hi",
      { param: "hi" },
      await payer.next(5n),
    );
    expect(again.status).toBe(200);
    expect(await payer.payments()).toBe(2);
  });

  it("refuses every retry when PAYMENT_RETRY_SECONDS is 0", async () => {
    process.env.PAYMENT_RETRY_SECONDS = "0";
    resetEnv();
    try {
      const pay = await payer.next(5n);
      expect((await request(fixRoute.GET, "/api/echo/fix/a", { param: "a" }, pay)).status).toBe(
        200,
      );
      expect((await request(fixRoute.GET, "/api/echo/fix/a", { param: "a" }, pay)).status).toBe(
        402,
      );
    } finally {
      process.env.PAYMENT_RETRY_SECONDS = "60";
      resetEnv();
    }
  });

  it("issues a receipt cookie for the payment, never for a retry", async () => {
    const slug = "the-402-status-code";
    const pay = await payer.next(ARTICLE_PRICE);
    const first = await request(articleRoute.GET, `/articles/${slug}`, { slug }, pay);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toMatch(/^rdn_receipt=/);
    const retry = await request(articleRoute.GET, `/articles/${slug}`, { slug }, pay);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("set-cookie")).toBeNull();
    expect(await payer.payments()).toBe(1);
  });
});

describe("resources are named after exactly what is served", () => {
  it("a proof paid for /upstream/a/b is not a retry for /upstream/a%2Fb", async () => {
    const pay = await payer.next(7n);
    const ab = await request(upstreamRoute.GET, "/upstream/a/b", { path: ["a", "b"] }, pay);
    expect(ab.status).toBe(200);
    expect(await ab.text()).toBe("upstream /base/a/b");
    // Next decodes `a%2Fb` into the single segment `a/b`: another URL upstream.
    const encoded = await request(upstreamRoute.GET, "/upstream/a%2Fb", { path: ["a/b"] }, pay);
    expect(encoded.status).toBe(402);
    expect(await encoded.text()).not.toContain("upstream /base");
    expect(upstreamHits.filter((h) => h === "/base/a%2Fb")).toHaveLength(0);
    // The retry of the URL actually paid for still works.
    expect(
      (await request(upstreamRoute.GET, "/upstream/a/b", { path: ["a", "b"] }, pay)).status,
    ).toBe(200);
    const rows = await db().payment.findMany({ where: { channelId: payer.channelId } });
    expect(rows.map((r) => r.resource)).toEqual([
      `upstream:http://127.0.0.1:${upstreamPort}/base/a/b`,
    ]);
  });

  it("names media, echo and articles after the thing served", async () => {
    await request(
      mediaRoute.GET,
      "/media/kitten.jpg",
      { path: ["kitten.jpg"] },
      await payer.next(CENT),
    );
    payer.accepted(CENT);
    await request(fixRoute.GET, "/api/echo/fix/a%2Fb", { param: "a/b" }, await payer.next(5n));
    payer.accepted(5n);
    await request(dynRoute.GET, "/api/echo/dyn/09", { param: "09" }, await payer.next(9n));
    payer.accepted(9n);
    const rows = await db().payment.findMany({
      where: { channelId: payer.channelId },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.resource)).toEqual(["media:kitten.jpg", "echo:fix:a/b", "echo:dyn:9"]);
  });
});

describe("HEAD is never charged", () => {
  const routes = [
    [
      "article",
      articleRoute,
      "/articles/the-402-status-code",
      { slug: "the-402-status-code" },
      5n * CENT,
    ],
    ["media", mediaRoute, "/media/kitten.jpg", { path: ["kitten.jpg"] }, CENT],
    ["fixed echo", fixRoute, "/api/echo/fix/x", { param: "x" }, 5n],
    ["dynamic echo", dynRoute, "/api/echo/dyn/3", { param: "3" }, 3n],
    ["upstream", upstreamRoute, "/upstream/head", { path: ["head"] }, 7n],
  ] as const;

  it.each(routes)(
    "%s: HEAD with a valid payment gets the 402 headers, no body and no charge",
    async (_name, route, path, params, price) => {
      expect(route.HEAD).toBe(route.GET); // exported, so Next does not answer HEAD with GET
      const pay = await payer.next(price);
      const hits = upstreamHits.length;
      // Next calls the GET handler for HEAD when no HEAD is exported: the method decides.
      const res = await request(route.GET as Handler<unknown>, path, params, pay, "HEAD");
      expect(res.status).toBe(402);
      expect(res.headers.get("RDN-Price")).toBe(price.toString());
      expect(res.body).toBeNull();
      expect(await payer.payments()).toBe(0);
      expect(upstreamHits.length).toBe(hits);
      // The same proof still pays for a GET afterwards.
      expect((await request(route.GET as Handler<unknown>, path, params, pay)).status).toBe(200);
      expect(await payer.payments()).toBe(1);
    },
  );

  it("a receipt holder's HEAD gets the paid headers and no body", async () => {
    const slug = "the-402-status-code";
    const paid = await request(
      articleRoute.GET,
      `/articles/${slug}`,
      { slug },
      await payer.next(ARTICLE_PRICE),
    );
    const cookie = paid.headers.get("set-cookie")!.split(";")[0]!;
    const head = await request(
      articleRoute.HEAD,
      `/articles/${slug}`,
      { slug },
      { cookie },
      "HEAD",
    );
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toContain("text/html");
    expect(head.body).toBeNull();
    expect(await payer.payments()).toBe(1);
  });
});

describe("paid responses are private", () => {
  it("a paid 200 is private, no-store; from a receipt or RDN cookies it varies with Cookie", async () => {
    const slug = "the-402-status-code";
    const byHeaders = await request(
      articleRoute.GET,
      `/articles/${slug}`,
      { slug },
      await payer.next(ARTICLE_PRICE),
    );
    expect(byHeaders.status).toBe(200);
    payer.accepted(ARTICLE_PRICE);
    expect(byHeaders.headers.get("cache-control")).toBe("private, no-store");

    const cookie = byHeaders.headers.get("set-cookie")!.split(";")[0]!;
    const byReceipt = await request(articleRoute.GET, `/articles/${slug}`, { slug }, { cookie });
    expect(byReceipt.status).toBe(200);
    expect(byReceipt.headers.get("cache-control")).toBe("private, no-store");
    expect(byReceipt.headers.get("vary")).toMatch(/\bCookie\b/i);

    const other = "why-payment-channels";
    const price = BigInt((await db().article.findUniqueOrThrow({ where: { slug: other } })).price);
    const rdnCookies = Object.entries(await payer.next(price))
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    const byCookies = await request(
      articleRoute.GET,
      `/articles/${other}`,
      { slug: other },
      { cookie: rdnCookies, accept: "text/html" },
    );
    expect(byCookies.status).toBe(200);
    expect(byCookies.headers.get("cache-control")).toBe("private, no-store");
    expect(byCookies.headers.get("vary")).toMatch(/\bCookie\b/i);
    payer.accepted(price);

    const media = await request(
      mediaRoute.GET,
      "/media/doggo.jpg",
      { path: ["doggo.jpg"] },
      await payer.next(2n * CENT),
    );
    expect(media.status).toBe(200);
    expect(media.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("paywalled upstream", () => {
  const get = async (name: string, pay?: Record<string, string>) =>
    request(
      upstreamRoute.GET,
      `/upstream/${name}`,
      { path: [name] },
      pay ?? (await payer.next(7n)),
    );

  it("serves HTML sandboxed, with nosniff", async () => {
    const res = await get("page.html");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toMatch(/^sandbox;/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|allow-scripts|allow-same-origin/);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it.each([
    ["does not answer in time", "slow", /did not answer within 400 ms/],
    ["stalls in the body", "slow-body", /did not answer within 400 ms/],
    ["streams more than UPSTREAM_MAX_BYTES", "huge", /larger than 100000 bytes/],
    ["declares more than UPSTREAM_MAX_BYTES", "declared-huge", /larger than 100000 bytes/],
  ])("answers 502 when the upstream %s, without its address", async (_name, path, message) => {
    const started = Date.now();
    const res = await get(path);
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.error).toMatch(message);
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    expect(JSON.stringify(body)).not.toContain(String(upstreamPort));
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("answers 502 without the address when the upstream is unreachable", async () => {
    process.env.UPSTREAM_URL = "http://127.0.0.1:9/secret-base";
    resetEnv();
    try {
      const res = await get("x");
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(text).toContain("unreachable");
      expect(text).not.toMatch(/127\.0\.0\.1|secret-base|:9\b/);
    } finally {
      process.env.UPSTREAM_URL = `http://127.0.0.1:${upstreamPort}/base`;
      resetEnv();
    }
  });

  it("a reader whose payment met a failing upstream retries free within the window", async () => {
    flakyFailures = 1;
    const pay = await payer.next(7n);
    const failed = await get("flaky", pay);
    expect(failed.status).toBe(502);
    expect(await payer.payments()).toBe(1); // committed before the fetch
    const retry = await get("flaky", pay);
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe("upstream /base/flaky");
    expect(await payer.payments()).toBe(1);
  });
});

describe("malformed paths", () => {
  /** Next rejects the params of such a path; the handler must answer before awaiting them. */
  const undecodable = () => {
    const p = Promise.reject(new Error("failed to decode param"));
    p.catch(() => undefined);
    return p;
  };
  it.each([
    ["/api/echo/fix/%ff", fixRoute.GET],
    ["/api/echo/dyn/%ff", dynRoute.GET],
    ["/articles/%e2%82", articleRoute.GET],
    ["/media/%c0%af", mediaRoute.GET],
    ["/upstream/%ff", upstreamRoute.GET],
  ] as const)("%s answers 400 naming the path", async (path, handler) => {
    const res = await request(handler as Handler<never>, path, undecodable() as never);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toContain(path);
    expect(body.error).toMatch(/percent-encoding/);
  });
});

describe("security headers on paid routes", () => {
  it.each([
    ["a 402", {}],
    ["a 404", null],
  ])("%s carries the site's CSP, frame-ancestors 'none', nosniff and DENY", async (_n, mode) => {
    const res =
      mode === null
        ? await request(articleRoute.GET, "/articles/nope", { slug: "nope" })
        : await request(
            articleRoute.GET,
            "/articles/the-402-status-code",
            {
              slug: "the-402-status-code",
            },
            { accept: "text/html" },
          );
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });
});
