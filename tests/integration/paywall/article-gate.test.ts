/**
 * proxy.ts's decision for article pages (lib/paywall/article-gate.ts), on the real proxy and
 * database: which answer each kind of client gets, and that nothing but a payment or a receipt
 * reaches the article page.
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { VERDICT_HEADER, createVerdict } from "@/lib/paywall/verdict";
import { paywallContext } from "@/lib/paywall/context";
import { seed } from "@/prisma/seed";
import { proxy } from "@/proxy";
import { BASE, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
const SLUG = "the-402-status-code";
const PRICE = 5n * CENT; // its seeded price, 5 cents

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
});
afterAll(async () => f?.stop());

const gate = (headers: Record<string, string>, method = "GET") =>
  proxy(new NextRequest(`${BASE}/articles/${SLUG}`, { headers, method }));

/** Where Next goes after the proxy: the rewrite target, "next" (the article page) or the answer. */
function route(res: Response): string {
  const rewrite = res.headers.get("x-middleware-rewrite");
  if (rewrite) return new URL(rewrite).pathname;
  return res.headers.get("x-middleware-next") ? "article page" : "answered";
}

describe("article gate", () => {
  let reader: SiteFixture["readers"][number];
  let openBlock: number;
  let n = 0;
  beforeEach(async () => {
    reader = f.readers[n++ % f.readers.length]!;
    openBlock = await f.openChannel(reader, 5n * TOKEN);
    await indexChannel(f, reader, openBlock, 5n * TOKEN);
  });
  const paid = async () =>
    paymentHeaders(
      reader.address,
      openBlock,
      PRICE,
      await proof(f, reader, reader.address, openBlock, PRICE),
    );

  it("a document gets the paywall page with 402, the router 200, programs the JSON 402", async () => {
    const doc = await gate({ accept: "text/html" });
    expect([doc.status, route(doc)]).toEqual([402, `/paywall/${SLUG}`]);
    expect(doc.headers.get("RDN-Price")).toBe(PRICE.toString());
    const rsc = await gate({ accept: "*/*", rsc: "1" });
    expect([rsc.status, route(rsc)]).toEqual([200, `/paywall/${SLUG}`]);
    expect(rsc.headers.get("RDN-Price")).toBe(PRICE.toString());
    const json = await gate({ accept: "application/json" });
    expect([json.status, route(json)]).toEqual([402, "answered"]);
    expect(await json.json()).toMatchObject({
      error: "payment required",
      reason: "payment-required",
    });
    for (const res of [doc, rsc, json]) {
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("vary")).toContain("Cookie");
    }
  });

  it("a payment reaches the article page with a verdict, and its response sets the receipt", async () => {
    const res = await gate({ accept: "text/html", ...(await paid()) });
    expect([res.status, route(res)]).toEqual([200, "article page"]);
    expect(res.headers.get(`x-middleware-request-${VERDICT_HEADER}`)).toMatch(/^paid\./);
    expect(res.headers.getSetCookie().join()).toContain(`Path=/articles/${SLUG}`);
    expect(res.headers.get("RDN-Sender-Balance")).toBe(PRICE.toString());
  });

  it("a forged verdict header is dropped: the request still meets the paywall", async () => {
    const ctx = await paywallContext();
    const forged = createVerdict(ctx, `article:${SLUG}`, { how: "paid", sender: reader.address });
    const res = await gate({ accept: "text/html", [VERDICT_HEADER]: forged });
    expect([res.status, route(res)]).toEqual([402, `/paywall/${SLUG}`]);
    expect(res.headers.get(`x-middleware-request-${VERDICT_HEADER}`)).toBeNull();
  });

  it("the router's prefetch and HEAD never pay, even with a valid proof", async () => {
    const before = await db().payment.count();
    const prefetch = await gate({ rsc: "1", "next-router-prefetch": "1", ...(await paid()) });
    expect([prefetch.status, route(prefetch)]).toEqual([200, `/paywall/${SLUG}`]);
    const head = await gate({ accept: "text/html", ...(await paid()) }, "HEAD");
    expect(head.status).toBe(402);
    expect(await db().payment.count()).toBe(before);
    // The same proof still pays on a real visit.
    const visit = await gate({ accept: "text/html", ...(await paid()) });
    expect(route(visit)).toBe("article page");
    expect(await db().payment.count()).toBe(before + 1);
  });

  it("the paywall page cannot be requested directly", async () => {
    const res = await proxy(
      new NextRequest(`${BASE}/paywall/${SLUG}`, { headers: { accept: "text/html" } }),
    );
    expect([res.status, route(res)]).toEqual([404, "answered"]);
  });

  it("an unknown article: the page's 404 for browsers, JSON for programs", async () => {
    const doc = await proxy(
      new NextRequest(`${BASE}/articles/no-such-article`, { headers: { accept: "text/html" } }),
    );
    expect(route(doc)).toBe("article page");
    const json = await proxy(new NextRequest(`${BASE}/articles/no-such-article`));
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({ error: "no article no-such-article" });
  });
});
