/**
 * Discovery for programs: `GET /api/1/prices` and `GET /llms.txt` against a real anvil with the
 * deployed contracts and a seeded SQLite file. The price list must name exactly the seeded
 * articles and media with their database prices, the echo routes and (when configured) the
 * upstream, under the deployment's real identity; llms.txt must carry the same identity.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as pricesRoute from "@/app/api/1/prices/route";
import * as llmsRoute from "@/app/llms.txt/route";
import type { PricesJson } from "@/lib/api/prices";
import { db } from "@/lib/db/client";
import { formatToken } from "@/lib/format";
import { seed } from "@/prisma/seed";
import { factbookArticles, seedArticles, seedMedia, seedPrice } from "@/prisma/seed-data";
import { setupSiteFixture, type SiteFixture, withEnv } from "../helpers/site-fixture";

/** The fixture's token: DemoToken. */
const TKN = { symbol: "TKN", decimals: 18 };

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

beforeAll(async () => {
  await seed();
});

async function prices(): Promise<{ res: Response; body: PricesJson }> {
  const res = await pricesRoute.GET();
  return { res, body: (await res.json()) as PricesJson };
}

describe("GET /api/1/prices", () => {
  afterEach(async () => {
    await seed();
  });

  it("lists exactly the seeded articles and media, the echo routes, under the live identity", async () => {
    const { res, body } = await prices();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(body).toMatchObject({
      receiver: site.receiver.address,
      contract: site.deployment.contract,
      token: site.deployment.token,
      chain_id: 31337,
      gateway: "/api/1",
      token_symbol: "TKN",
      token_decimals: 18,
      confirmations: 0,
      payment_retry_seconds: 60,
      receipt_seconds: 86_400,
    });
    // DemoToken has no EIP-3009: the channel is the only x402 scheme.
    expect(body.x402).toEqual({
      version: 2,
      schemes: ["rdn-channel"],
      network: "eip155:31337",
      rdn_channel: {
        challenge_period: site.deployment.challengePeriod,
        max_timeout_seconds: 60,
      },
    });
    const articles = body.resources.filter((r) => r.kind === "article");
    expect(articles).toEqual(
      [...seedArticles, ...factbookArticles()]
        .sort((a, b) => a.slug.localeCompare(b.slug))
        .map((a) => ({
          path: `/articles/${a.slug}`,
          method: "GET",
          price: seedPrice(a.cents, 18),
          price_label: formatToken(seedPrice(a.cents, 18), TKN),
          kind: "article",
          title: a.title,
        })),
    );
    expect(body.resources.filter((r) => r.kind === "media")).toEqual(
      [...seedMedia]
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((m) => ({
          path: `/media/${m.path}`,
          method: "GET",
          price: seedPrice(m.cents, 18),
          price_label: formatToken(seedPrice(m.cents, 18), TKN),
          kind: "media",
        })),
    );
    expect(body.resources.filter((r) => r.kind === "api")).toEqual([
      expect.objectContaining({ path: "/api/echo/fix/{text}", price: "5", method: "GET" }),
      expect.objectContaining({ path: "/api/echo/dyn/{amount}", price: "{amount}" }),
    ]);
    // No upstream without UPSTREAM_URL.
    expect(body.resources.some((r) => r.kind === "upstream")).toBe(false);
    // Spot check against the documented prices (3, 5 and 8 cent articles; kitten 1 cent).
    const demo = new Set(seedArticles.map((a) => `/articles/${a.slug}`));
    expect(
      articles
        .filter((a) => demo.has(a.path))
        .map((a) => a.price_label)
        .sort(),
    ).toEqual(["0.03 TKN", "0.05 TKN", "0.08 TKN"]);
    expect(articles.length).toBeGreaterThan(250);
    expect(body.resources.find((r) => r.path === "/media/kitten.jpg")?.price_label).toBe(
      "0.01 TKN",
    );
  });

  it("follows the database: a repriced article, a new one, and free ones left out", async () => {
    await db().article.update({
      where: { slug: "the-402-status-code" },
      data: { price: "7" },
    });
    await db().article.create({
      data: {
        slug: "a-free-one",
        title: "Free",
        author: "A",
        teaser: "t",
        body: "b",
        price: "0",
      },
    });
    await db().media.update({ where: { path: "doggo.jpg" }, data: { price: "0" } });
    try {
      const { body } = await prices();
      expect(body.resources.find((r) => r.path === "/articles/the-402-status-code")).toMatchObject({
        price: "7",
        price_label: "0.000000000000000007 TKN",
      });
      expect(body.resources.some((r) => r.path === "/articles/a-free-one")).toBe(false);
      expect(body.resources.some((r) => r.path === "/media/doggo.jpg")).toBe(false);
    } finally {
      await db().article.delete({ where: { slug: "a-free-one" } });
    }
  });

  it("lists the upstream prefix with UPSTREAM_PRICE when UPSTREAM_URL is set", async () => {
    await withEnv(
      {
        UPSTREAM_URL: "http://127.0.0.1:9/upstream-base",
        UPSTREAM_PREFIX: "/news/",
        UPSTREAM_PRICE: "250",
      },
      async () => {
        const { body } = await prices();
        expect(body.resources.filter((r) => r.kind === "upstream")).toEqual([
          expect.objectContaining({ path: "/news/{path}", price: "250", method: "GET" }),
        ]);
      },
    );
  });

  it("prices the upstream at one cent of the token when UPSTREAM_PRICE is unset", async () => {
    await withEnv(
      { UPSTREAM_URL: "http://127.0.0.1:9/upstream-base", UPSTREAM_PREFIX: "/news/" },
      async () => {
        const { body } = await prices();
        expect(body.resources.filter((r) => r.kind === "upstream")).toEqual([
          expect.objectContaining({ price: (10n ** 16n).toString(), price_label: "0.01 TKN" }),
        ]);
      },
    );
  });

  it("answers 502 when the RPC is down and 503 when there is no deployment", async () => {
    await withEnv({ RPC_URL: "http://127.0.0.1:9" }, async () => {
      const res = await pricesRoute.GET();
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: string }).error).toMatch(/RPC is unreachable/);
    });
    await withEnv({ DEPLOYMENT_FILE: `${site.dir}/missing.json` }, async () => {
      const res = await pricesRoute.GET();
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toMatch(/no deployment/);
    });
  });
});

describe("GET /llms.txt", () => {
  it("is plain text naming the contract, token, receiver, chain id and the prices URL", async () => {
    await withEnv({ SITE_URL: "https://press.example" }, async () => {
      const res = await llmsRoute.GET();
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const text = await res.text();
      expect(text).toContain(
        `Channel contract (MicroTransferChannels): ${site.deployment.contract}`,
      );
      expect(text).toContain(`: ${site.deployment.token}`);
      expect(text).toContain(`Receiver: ${site.receiver.address}`);
      expect(text).toContain("Chain id: 31337");
      expect(text).toContain("verifyingContract: " + site.deployment.contract);
      expect(text).toContain("https://press.example/api/1/prices");
      expect(text).toContain("npm run -s client -- ");
      expect(text).toContain("within 60 seconds");
      for (const a of seedArticles) {
        expect(text).toContain(`https://press.example/articles/${a.slug}: `);
      }
      expect(text).toContain("## Paying with x402");
      expect(text).toContain("`rdn-channel`");
      expect(text).not.toContain("`exact`");
      for (const h of [
        "RDN-Price",
        "RDN-Sender-Balance",
        "RDN-Balance-Signature",
        "RDN-Open-Block",
      ]) {
        expect(text).toContain(h);
      }
    });
  });

  it("answers 502 when the RPC is down", async () => {
    await withEnv({ RPC_URL: "http://127.0.0.1:9" }, async () => {
      expect((await llmsRoute.GET()).status).toBe(502);
    });
  });
});
