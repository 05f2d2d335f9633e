import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { channelDomain } from "@/lib/protocol/eip712";
import { signBalanceProof } from "@/lib/protocol/proofs";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import { fundAndOpenChannels } from "../helpers/e2e-channels";

interface E2EState {
  rpcUrl: string;
  deployment: { chainId: number; contract: Address; token: Address };
}
const state = (): E2EState => JSON.parse(readFileSync(process.env.E2E_STATE!, "utf8")); // written by global-setup.ts

const READER_KEY = ANVIL_KEYS[2]!; // anvil account 2
const RECEIVER = privateKeyToAccount(ANVIL_KEYS[0]!).address; // anvil account 0
const TOKEN = 10n ** 6n; // DemoDollar: 6 decimals
const PRICE = (5n * TOKEN) / 100n; // the-402-status-code: 5 cents

test("the home page lists the seeded articles", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();
  // Listed at least once (also under the most read ones once earlier tests paid it).
  await expect(
    page.getByRole("link", { name: "402 Payment Required, finally used" }).first(),
  ).toBeVisible();
  await expect(page.getByText("$0.05").first()).toBeVisible();
});

test("all articles can be paged through from the front page", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("all-articles-link").click();
  await expect(page.getByRole("heading", { name: "All articles" })).toBeVisible();
  const range = page.getByTestId("all-articles-range");
  await expect(range).toHaveText(/^Articles 1–50 of \d+, by title\.$/);
  const total = Number(/of (\d+)/.exec((await range.textContent()) ?? "")?.[1]);
  expect(total).toBeGreaterThan(250);
  // Every entry shows its price in dollars.
  await expect(page.locator(".article-entry")).toHaveCount(50);
  await expect(
    page.locator(".article-entry .price").filter({ hasText: /^\$\d+\.\d\d$/ }),
  ).toHaveCount(50);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(range).toHaveText(/^Articles 51–100 of /);
  await expect(page).toHaveURL(/\/\?page=2$/);
  await page.getByRole("link", { name: "← Previous" }).click();
  await expect(range).toHaveText(/^Articles 1–50 of /);
  // A page past the end says how many there are; a bad page number is the first page.
  await page.goto("/?page=999");
  await expect(range).toContainText("No articles on page 999");
  await page.goto("/?page=-3");
  await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();

  // A region of more than 50 articles pages the same way, and its pages keep the region.
  await page
    .getByRole("navigation", { name: "Regions" })
    .getByRole("link", { name: "Europe" })
    .click();
  await expect(page.getByRole("heading", { name: "Europe" })).toBeVisible();
  await expect(range).toHaveText(/^Articles 1–50 of 5\d, by title\.$/);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/\/\?category=europe&page=2$/);
  await expect(range).toHaveText(/^Articles 51–5\d of 5\d, by title\.$/);
  await expect(page.getByRole("link", { name: "Next →" })).toHaveCount(0);
  // A smaller region is one page: no pager.
  await page
    .getByRole("navigation", { name: "Regions" })
    .getByRole("link", { name: "Antarctica" })
    .click();
  await expect(range).toHaveText(/^\d articles, by title\.$/);
  await expect(page.getByRole("navigation", { name: "Pages" })).toHaveCount(0);
});

test("an article shows its teaser and the paywall, never the body, until paid", async ({
  page,
}) => {
  const response = await page.goto("/articles/the-402-status-code");
  expect(response?.status()).toBe(402);
  expect(response?.headers()["rdn-price"]).toBe(PRICE.toString());
  await expect(page.getByRole("heading", { name: "Payment required: $0.05" })).toBeVisible();
  await expect(page.getByText("HTTP reserved status 402 in 1997")).toBeVisible();
  await expect(page.getByText("Every paid page answers 402")).toHaveCount(0);
  await page.screenshot({ path: "test-results/paywall.png", fullPage: true });
});

test("a browser pays with RDN cookies, then re-reads with its receipt", async ({
  page,
  context,
  baseURL,
}) => {
  const { rpcUrl, deployment } = state();
  const reader = privateKeyToAccount(READER_KEY);
  const [openBlock] = (await fundAndOpenChannels({
    rpcUrl,
    deployment,
    receiver: RECEIVER,
    reader,
    funds: 10n * TOKEN,
    deposits: [5n * TOKEN],
  })) as [number];
  const signature = await signBalanceProof({
    account: reader,
    domain: channelDomain({ chainId: deployment.chainId, contract: deployment.contract }),
    message: {
      sender: reader.address,
      receiver: RECEIVER,
      openBlockNumber: openBlock,
      balance: PRICE,
    },
  });
  const cookies = {
    "RDN-Sender-Address": reader.address,
    "RDN-Open-Block": String(openBlock),
    "RDN-Sender-Balance": PRICE.toString(),
    "RDN-Balance-Signature": signature,
  };
  await context.addCookies(
    Object.entries(cookies).map(([name, value]) => ({ name, value, url: baseURL! })),
  );

  // The background indexer makes the new channel usable within a few passes.
  await expect(async () => {
    const res = await page.goto("/articles/the-402-status-code");
    expect(res?.status()).toBe(200);
  }).toPass({ timeout: 20_000, intervals: [300, 500, 1000] });
  await expect(page.getByText("Every paid page answers 402")).toBeVisible();

  // Pay once, read again: without any payment cookie the receipt still opens the article.
  await context.clearCookies({ name: /^RDN-/ });
  const again = await page.goto("/articles/the-402-status-code");
  expect(again?.status()).toBe(200);
  await expect(page.getByText("Every paid page answers 402")).toBeVisible();
  // …but not another article.
  const other = await page.goto("/articles/closing-a-channel");
  expect(other?.status()).toBe(402);
});
