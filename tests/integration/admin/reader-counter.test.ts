/**
 * The reader counter in-process (the real proxy and media route, a real database): who is counted
 * as a reader of what, when the marks reach `ResourceReader`, and the conversion the dashboard
 * computes from them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as media } from "@/app/media/[...path]/route";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { db } from "@/lib/db/client";
import { flushReaders, pendingReaders, recordReader } from "@/lib/paywall/reader-counter";
import { VISITOR_COOKIE } from "@/lib/paywall/visitor";
import { seed } from "@/prisma/seed";
import { articleRoute as article } from "../../helpers/article-route";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
const SLUG = "the-402-status-code"; // 5 cents, by Ben Block
const RESOURCE = `article:${SLUG}`;
/** A program (no Fetch Metadata): named by its address and User-Agent. */
const PROGRAM = { "user-agent": "reader-counter-test/1", "x-forwarded-for": "192.0.2.10" };
/** A browser's first navigation. */
const BROWSER = { accept: "text/html,*/*", "sec-fetch-site": "none", "sec-fetch-mode": "navigate" };

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
  await flushReaders();
  await db().resourceReader.deleteMany();
});
afterAll(async () => f?.stop());

/** The stored rows of a resource after a flush. */
async function stored(resource: string) {
  await flushReaders();
  return db().resourceReader.findMany({ where: { resource }, orderBy: { visitor: "asc" } });
}

const visit = (headers: Record<string, string>, method = "GET") =>
  article(new Request(`http://127.0.0.1:3000/articles/${SLUG}`, { method, headers }));

/** The `rdn_visitor` value a response sets, if any. */
function visitorCookie(res: Response): string | undefined {
  for (const cookie of res.headers.getSetCookie()) {
    const m = new RegExp(`^${VISITOR_COOKIE}=([^;]+)`).exec(cookie);
    if (m) return m[1];
  }
  return undefined;
}

let browserId = "";

describe("reader counting", () => {
  it("counts a program's 402 under its hash, only once flushed, and sets it no cookie", async () => {
    const res = await visit(PROGRAM);
    expect(res.status).toBe(402);
    expect(visitorCookie(res)).toBeUndefined();
    expect(pendingReaders().size).toBe(1);
    expect(await db().resourceReader.count()).toBe(0);
    const rows = await stored(RESOURCE);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.visitor).toMatch(/^p:/);
    expect(rows[0]!.visitor).not.toContain("192.0.2.10");
    expect(rows[0]!.askedAt).toBeInstanceOf(Date);
    expect(rows[0]!.paidAt).toBeNull();
    expect(pendingReaders().size).toBe(0);
  });

  it("gives a browser a cookie with its 402 and knows it again on the router's fetch", async () => {
    const doc = await visit(BROWSER);
    expect(doc.status).toBe(402);
    browserId = visitorCookie(doc)!;
    expect(browserId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(doc.headers.getSetCookie().find((c) => c.startsWith(VISITOR_COOKIE))).toMatch(
      /; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/,
    );
    // The client router's fetch gets the paywall with status 200: the same reader, asked.
    const router = await visit({
      rsc: "1",
      "sec-fetch-site": "same-origin",
      cookie: `${VISITOR_COOKIE}=${browserId}`,
    });
    expect(router.status).toBe(200);
    expect(visitorCookie(router)).toBeUndefined();
    const rows = await stored(RESOURCE);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.visitor === browserId)).toMatchObject({ paidAt: null });
  });

  it("counts a reader once however often they come back", async () => {
    for (let i = 0; i < 5; i++) expect((await visit(PROGRAM)).status).toBe(402);
    expect(pendingReaders().size).toBe(1);
    expect(await flushReaders()).toBe(1);
    expect(await stored(RESOURCE)).toHaveLength(2);
  });

  it("never counts prefetches or HEAD, and sets them no cookie", async () => {
    const prefetch = await visit({ ...BROWSER, rsc: "1", "next-router-prefetch": "1" });
    expect(prefetch.status).toBe(200);
    const headDoc = await visit({ ...BROWSER, "user-agent": "other" }, "HEAD");
    expect(headDoc.status).toBe(402);
    expect((await visit({ "user-agent": "other" }, "HEAD")).status).toBe(402);
    for (const res of [prefetch, headDoc]) expect(visitorCookie(res)).toBeUndefined();
    expect(pendingReaders().size).toBe(0);
    expect(await stored(RESOURCE)).toHaveLength(2);
  });

  it("counts the readers of paid routes under their resource name, not HEAD", async () => {
    const res = await call(media, "/media/kitten.jpg", { path: ["kitten.jpg"] }, PROGRAM);
    expect(res.status).toBe(402);
    const head = await media(
      new Request("http://127.0.0.1:3000/media/kitten.jpg", { method: "HEAD", headers: BROWSER }),
      { params: Promise.resolve({ path: ["kitten.jpg"] }) },
    );
    expect(head.status).toBe(402);
    expect(visitorCookie(head)).toBeUndefined();
    expect(await stored("media:kitten.jpg")).toHaveLength(1);
  });

  it("marks the paying reader paid: the conversion counts readers, not 402 answers", async () => {
    const reader = f.readers[0]!;
    const openBlock = await f.openChannel(reader, 5n * TOKEN);
    await indexChannel(f, reader, openBlock, 5n * TOKEN);
    const sig = await proof(f, reader, reader.address, openBlock, 5n * CENT);
    const payment = paymentHeaders(reader.address, openBlock, 5n * CENT, sig);
    // The program that was answered 402 six times pays.
    const paid = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { ...payment, ...PROGRAM },
    );
    expect(paid.status).toBe(200);
    // The same proof again is a retry, and a receipt read is no payment: neither is a new reader.
    const retry = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      {
        ...payment,
        "user-agent": "retrying",
      },
    );
    expect(retry.status).toBe(200);
    const receipt = paid.headers.getSetCookie().find((c) => c.startsWith("rdn_receipt="))!;
    const again = await visit({ cookie: receipt.split(";")[0]!, "user-agent": "receipt holder" });
    expect(again.status).toBe(200);
    expect(pendingReaders().size).toBe(1);

    const rows = await stored(RESOURCE);
    expect(rows).toHaveLength(2);
    const program = rows.find((r) => r.visitor.startsWith("p:"))!;
    expect(program.askedAt).toBeInstanceOf(Date);
    expect(program.paidAt).toBeInstanceOf(Date);
    expect(rows.find((r) => r.visitor === browserId)!.paidAt).toBeNull();

    const data = await loadRevenueData();
    const row = revenueBreakdown(data.payments, data.articles, data.readers).articles.find(
      (a) => a.slug === SLUG,
    )!;
    // One paid read; two readers asked (the program, the browser), one of them paid.
    expect(row).toMatchObject({ payments: 1, readers: 2, paidReaders: 1, conversion: 0.5 });
    // An article nobody was asked to pay for has no conversion.
    const other = revenueBreakdown(data.payments, data.articles, data.readers).articles.find(
      (a) => a.slug !== SLUG && a.readers === 0,
    )!;
    expect(other.conversion).toBeNull();
  });

  it("keeps the first time of each mark across flushes", async () => {
    const resource = "article:upserts";
    recordReader(resource, "v1", "asked");
    await flushReaders();
    const [first] = await stored(resource);
    recordReader(resource, "v1", "asked");
    recordReader(resource, "v1", "paid");
    await flushReaders();
    recordReader(resource, "v1", "paid");
    await flushReaders();
    const rows = await stored(resource);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.askedAt).toEqual(first!.askedAt);
    expect(rows[0]!.paidAt).toBeInstanceOf(Date);
    expect(rows[0]!.paidAt!.getTime()).toBeGreaterThanOrEqual(first!.askedAt!.getTime());
  });
});
