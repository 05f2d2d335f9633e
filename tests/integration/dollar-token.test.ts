/**
 * The site on a dollar token: the real server (`next start`) on DemoDollar (dUSD, 6 decimals, as
 * `npm run demo` deploys it). What readers, programs and the operator see is in dollars, seeded
 * prices are cents of 10^6 base units, and the operator types prices in dollars. The other suites
 * run on DemoToken (18 decimals) and cover the same paths on a token that is not a dollar.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { createArticle } from "@/lib/admin/articles";
import { resetChainConfig } from "@/lib/chain/config";
import { tokenInfo } from "@/lib/chain/token-info";
import { resetDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";
import type { PricesJson } from "@/lib/api/prices";
import { signIn } from "../helpers/site-accounts";
import { startSiteServer, type SiteServer } from "../helpers/site-server";
import { ANVIL_KEY_0 } from "../../scripts/lib/prepare-site";

let site: SiteServer;
const saved = { ...process.env };

/** The operator's session cookie (anvil account 0 is the receiver). */
const operatorCookie = () => signIn(site, privateKeyToAccount(ANVIL_KEY_0));

beforeAll(async () => {
  site = await startSiteServer({ demoToken: "DemoDollar", env: { INDEXER_ENABLED: "false" } });
  // The lib calls below (admin price parsing) run in this process against the same site.
  Object.assign(process.env, site.serverEnv);
  resetEnv();
  resetChainConfig();
  await resetDb();
}, 180_000);
afterAll(async () => {
  await resetDb();
  process.env = saved;
  resetEnv();
  resetChainConfig();
  await site?.stop();
});

describe("a site on DemoDollar", () => {
  it("reads the token's symbol and decimals from the chain", async () => {
    expect(await tokenInfo()).toEqual({
      address: site.deployment.token,
      symbol: "dUSD",
      decimals: 6,
    });
  });

  it("asks 5 cents for the 402 article: 50000 base units, shown as $0.05", async () => {
    const path = `${site.url}/articles/the-402-status-code`;
    const json = await fetch(path, { headers: { accept: "application/json" } });
    expect(json.status).toBe(402);
    expect(json.headers.get("RDN-Price")).toBe("50000");
    expect(await json.json()).toMatchObject({ error: "payment required", price: "50000" });

    const html = await fetch(path, { headers: { accept: "text/html" } });
    expect(html.status).toBe(402);
    const page = await html.text();
    expect(page).toMatch(/Payment required: (<!-- -->)?\$0\.05</);
    expect(page).toContain('<span class="price">$0.05</span>');
    // The price is stated once in the paywall (its heading), not again by the island.
    expect(page).not.toContain("This article costs");
    expect(page).not.toMatch(/dUSD<|TKN/);
  });

  it("lists dUSD, 6 decimals and dollar labels in /api/1/prices", async () => {
    const body = (await (await fetch(`${site.url}/api/1/prices`)).json()) as PricesJson;
    expect(body).toMatchObject({ token: site.deployment.token, token_symbol: "dUSD" });
    expect(body.token_decimals).toBe(6);
    const byPath = new Map(body.resources.map((r) => [r.path, r]));
    expect(byPath.get("/articles/why-payment-channels")).toMatchObject({
      price: "30000",
      price_label: "$0.03",
    });
    expect(byPath.get("/articles/closing-a-channel")?.price_label).toBe("$0.08");
    expect(byPath.get("/media/kitten.jpg")).toMatchObject({ price: "10000", price_label: "$0.01" });
    const articles = body.resources.filter((r) => r.kind === "article").map((r) => BigInt(r.price));
    expect(articles.every((p) => p >= 20_000n && p <= 100_000n)).toBe(true);
    expect(byPath.get("/api/echo/fix/{text}")?.price_label).toBe("$0.000005");
  });

  it("takes the operator's prices in dollars and shows them so on the admin pages", async () => {
    const fields = {
      title: "Priced in dollars",
      teaser: "t",
      author: "Ada",
      category: "",
      body: "Body.",
      published: true,
    };
    const created = await createArticle({ ...fields, slug: "priced-in-dollars", price: "$0.07" });
    expect(created.price).toBe(70_000n);
    await expect(
      createArticle({ ...fields, slug: "too-precise", price: "0.0000001" }),
    ).rejects.toThrow(
      new BadRequestError("price: must have at most 6 decimals (dUSD has no smaller unit)"),
    );

    const paywall = await fetch(`${site.url}/articles/priced-in-dollars`, {
      headers: { accept: "application/json" },
    });
    expect(paywall.headers.get("RDN-Price")).toBe("70000");

    const cookie = await operatorCookie();
    const content = await (
      await fetch(`${site.url}/admin/content?q=dollars`, { headers: { cookie } })
    ).text();
    expect(content).toContain("$0.07");
    const edit = await (
      await fetch(`${site.url}/admin/content/priced-in-dollars`, { headers: { cookie } })
    ).text();
    expect(edit).toContain("Price in USD");
    expect(edit).toContain('value="0.07"');
  });
});
