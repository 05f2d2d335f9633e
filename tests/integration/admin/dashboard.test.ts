import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as exportCsv } from "@/app/admin/(console)/authors/export/route";
import { loadDashboard } from "@/lib/admin/dashboard";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { thisMonthSoFar } from "@/lib/admin/revenue-period";
import { bucketLabel, bucketStart, revenueSeries, seriesRange } from "@/lib/admin/revenue-series";
import { createSessionCookie } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { seed } from "@/prisma/seed";
import { articleRoute as article } from "../../helpers/article-route";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import {
  API_TOKEN,
  CENT,
  startSiteFixture,
  TOKEN,
  type SiteFixture,
} from "../../helpers/site-fixture";
import { apiRequest, ctx } from "../api-helpers";

let f: SiteFixture;
const SLUG = "the-402-status-code";
const PRICE = 5n * CENT; // its seeded price, 5 cents
const AUTHOR = "Ben Block";

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
  // Pay for the article through the real proxy and paywall.
  const reader = f.readers[0]!;
  const openBlock = await f.openChannel(reader, 5n * TOKEN);
  await indexChannel(f, reader, openBlock, 5n * TOKEN);
  const sig = await proof(f, reader, reader.address, openBlock, PRICE);
  const res = await call(
    article,
    `/articles/${SLUG}`,
    { slug: SLUG },
    paymentHeaders(reader.address, openBlock, PRICE, sig),
  );
  expect(res.status).toBe(200);
});
afterAll(async () => f?.stop());

describe("revenue loader", () => {
  it("shows the paid read under its article and its author", async () => {
    const data = await loadRevenueData();
    const r = revenueBreakdown(data.payments, data.articles, data.readers);
    expect(r.total).toBe(PRICE);
    expect(r.articles[0]).toMatchObject({
      slug: SLUG,
      author: AUTHOR,
      payments: 1,
      revenue: PRICE,
    });
    expect(r.authors.find((a) => a.author === AUTHOR)).toMatchObject({
      payments: 1,
      revenue: PRICE,
    });
    expect(r.other).toEqual([]);
  });

  it("puts exactly the price in today's bucket", async () => {
    const now = new Date();
    const data = await loadRevenueData();
    for (const period of ["day", "week", "month"] as const) {
      const series = revenueSeries(data.payments, period, seriesRange(period, now));
      const today = bucketLabel(bucketStart(now, period), period);
      expect(series.at(-1)).toMatchObject({ label: today, amount: PRICE, payments: 1 });
      expect(series.slice(0, -1).every((p) => p.amount === 0n)).toBe(true);
    }
  });

  it("reads only the payments of the period asked for", async () => {
    const now = Date.now();
    expect(
      (await loadRevenueData({ from: new Date(now - 60_000), to: new Date(now + 60_000) }))
        .payments,
    ).toHaveLength(1);
    expect(
      (await loadRevenueData({ from: new Date(now + 60_000), to: new Date(now + 120_000) }))
        .payments,
    ).toEqual([]);
    expect(
      (await loadRevenueData({ from: new Date(now - 86_400_000 * 3), to: new Date(now - 60_000) }))
        .payments,
    ).toEqual([]);
  });
});

describe("loadDashboard", () => {
  it("reads the figures from the chain and raises no alert when all is well", async () => {
    const d = await loadDashboard();
    expect(d.stats).toMatchObject({ openChannels: 1, uniqueSenders: 1, balanceSum: PRICE });
    expect(d.alerts.map((a) => a.kind)).not.toContain("chain-unavailable");
    expect(d.alerts.map((a) => a.kind)).not.toContain("receiver-eth-low");
  });

  it("flags a close below the accepted balance and a pending dispute", async () => {
    const reader = f.readers[1]!;
    await db().channel.create({
      data: {
        sender: reader.address,
        openBlock: 7,
        receiver: f.receiver.address,
        signer: reader.address,
        deposit: (5n * TOKEN).toString(),
        seenDeposit: (5n * TOKEN).toString(),
        confirmed: true,
        state: "closing",
        balance: (2n * TOKEN).toString(),
        closingBalance: TOKEN.toString(),
        settleBlock: 500,
        dispute: "no-eth",
        disputeError: "receiver has no ETH",
      },
    });
    const d = await loadDashboard();
    const close = d.alerts.find((a) => a.kind === "close-awaiting-dispute");
    expect(close).toMatchObject({ deadline: { settleBlock: 500 } });
    const dispute = d.alerts.find((a) => a.kind === "dispute-pending");
    expect(dispute?.message).toContain("receiver has no ETH");
    expect(d.stats?.pendingChannels).toBe(1);
  });

  it("still loads the database figures when the chain is unreachable", async () => {
    const rpc = process.env.RPC_URL;
    const { resetEnv } = await import("@/lib/env");
    const { resetChainConfig } = await import("@/lib/chain/config");
    process.env.RPC_URL = "http://127.0.0.1:9";
    resetEnv();
    resetChainConfig();
    try {
      const d = await loadDashboard();
      expect(d.stats).toBeNull();
      expect(d.alerts.map((a) => a.kind)).toContain("chain-unavailable");
      expect(d.alerts.map((a) => a.kind)).toContain("close-awaiting-dispute");
    } finally {
      process.env.RPC_URL = rpc;
      resetEnv();
      resetChainConfig();
    }
  });
});

describe("GET /admin/authors/export", () => {
  const { from, to } = thisMonthSoFar();
  const path = `/admin/authors/export?from=${from}&to=${to}`;
  const get = (p: string, opts: Parameters<typeof apiRequest>[1] = {}) =>
    exportCsv(apiRequest(p, opts), ctx({}));
  const operatorCookie = async () => (await createSessionCookie(f.receiver.address)).split(";")[0]!;

  it("answers 401 without a session", async () => {
    expect((await get(path)).status).toBe(401);
  });

  it("answers 403 to a reader's session", async () => {
    const cookie = (await createSessionCookie(f.readers[0]!.address)).split(";")[0]!;
    expect((await get(path, { cookie })).status).toBe(403);
  });

  it("answers 401 to the bearer API token (it is for /api/1 only)", async () => {
    expect((await get(path, { bearer: API_TOKEN })).status).toBe(401);
  });

  it("gives the operator's session the authors' CSV", async () => {
    const res = await get(path, { cookie: await operatorCookie() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="authors-revenue-${from}-${to}.csv"`,
    );
    const lines = (await res.text()).split("\r\n");
    expect(lines[0]).toBe("author,articles,payments,revenue_tokens,revenue_base_units");
    expect(lines).toContain(`${AUTHOR},${await articlesBy(AUTHOR)},1,0.05,${PRICE}`);
  });

  it("leaves out payments outside the period", async () => {
    const res = await get("/admin/authors/export?from=2020-01-01&to=2020-02-01", {
      cookie: await operatorCookie(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`${AUTHOR},${await articlesBy(AUTHOR)},0,0,0`);
  });

  it.each([
    ["from=2026-13-01&to=2026-12-01", "from:"],
    ["from=yesterday&to=2026-12-01", "from:"],
    ["from=2026-11-01&to=2026-02-30", "to:"],
    ["from=2026-11-02&to=2026-11-01", "to:"],
  ])("answers 400 naming the field for %s", async (query, field) => {
    const res = await get(`/admin/authors/export?${query}`, { cookie: await operatorCookie() });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(new RegExp(`^${field}`));
  });
});

async function articlesBy(author: string): Promise<number> {
  return db().article.count({ where: { author } });
}
