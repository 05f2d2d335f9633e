/**
 * A new reader's whole journey, as the README's test command runs it on a fresh clone: open an
 * article, connect the wallet, open an auto-pay channel through the site's relay, read ten articles
 * with a click each, reload one, open /wallet in a second browser of the same wallet and close the
 * channel there. Each step leaves a screenshot (test-results/screenshots/journey-*.png, 1280 px and
 * 390 px wide) and the test prints the wallet prompts, the transactions and the click-to-text times.
 * Chromium against the production build; anvil account 14.
 */
import { expect, test, type Page } from "@playwright/test";
import { PROMPT_METHODS, type TestWallet } from "../helpers/test-wallet";
import {
  anvilAddress,
  connectOnPaywall,
  shot,
  tokenBalance,
  TOKEN,
  walletSession,
} from "../helpers/wallet-flow";

test.describe.configure({ timeout: 300_000 });

const READS = 10;
const NARROW = { width: 390, height: 844 };
const WIDE = { width: 1280, height: 900 };
/** The channel's deposit: $2 of DemoDollar. */
const DEPOSIT = 2n * TOKEN;

/** Records, in the page's clock, the last click and when an article's text next appears. */
const TIME_CLICKS = () => {
  const w = window as unknown as { __clickAt?: number; __textAt?: number; __paywall?: boolean };
  document.addEventListener(
    "click",
    () => {
      w.__clickAt = performance.now();
      w.__textAt = undefined;
      w.__paywall = false;
    },
    true,
  );
  new MutationObserver(() => {
    if (w.__clickAt !== undefined && w.__textAt === undefined) {
      if (document.querySelector("[data-testid=paywall]")) w.__paywall = true;
      if (document.querySelector("[data-testid=article-body]")) w.__textAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
};

/** Milliseconds from the last click to the article's text, and whether a paywall showed first. */
async function clickToText(page: Page): Promise<{ ms: number; paywall: boolean }> {
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  const t = await page.evaluate(() => {
    const w = window as unknown as { __clickAt?: number; __textAt?: number; __paywall?: boolean };
    return { click: w.__clickAt, text: w.__textAt, paywall: w.__paywall === true };
  });
  expect(t.click, "click time recorded").toBeDefined();
  expect(t.text, "text time recorded").toBeDefined();
  return { ms: Math.round(t.text! - t.click!), paywall: t.paywall };
}

/** Prompts the reader saw, by method, since `from`. */
function prompts(wallet: TestWallet, from = 0): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const c of wallet.calls.slice(from)) {
    if (
      (PROMPT_METHODS as readonly string[]).includes(c.method) ||
      c.method === "eth_requestAccounts"
    )
      seen[c.method] = (seen[c.method] ?? 0) + 1;
  }
  return seen;
}

/** Screenshots of the page at 1280 and 390 px wide; the page is left at 1280. */
async function shots(page: Page, name: string) {
  await shot(page, `journey-${name}`);
  await page.setViewportSize(NARROW);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  await shot(page, `journey-${name}-390`);
  await page.setViewportSize(WIDE);
  return overflow;
}

test("journey: article → connect → open a channel → ten articles → reload → /wallet in another browser → close", async ({
  browser,
  baseURL,
}) => {
  const reader = anvilAddress(14);
  const { context, page, wallet } = await walletSession(browser, 14, baseURL!);
  await page.setViewportSize(WIDE);
  await context.addInitScript(TIME_CLICKS);
  const log: string[] = [];

  // 1. The front page, then an article: the paywall.
  await page.goto("/");
  expect(await shots(page, "01-home")).toBe(0);
  await page.getByTestId("all-articles-link").click();
  await expect(page).toHaveURL(/\?page=1$/);
  const links = page.locator('main a[href^="/articles/"]');
  await expect(links.first()).toBeVisible();
  const hrefs = (await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")!))).slice(
    0,
    READS + 1,
  );
  expect(hrefs).toHaveLength(READS + 1);
  await links.first().click();
  await expect(page.getByTestId("paywall")).toBeVisible();
  await expect(page.getByTestId("article-body")).toHaveCount(0);
  expect(await shots(page, "02-paywall")).toBe(0);

  // 2. Connect (RainbowKit → MetaMask), then one signature opens an auto-pay channel.
  await connectOnPaywall(page, "journey-03-connect-dialog");
  await expect(page.getByTestId("deposit-input")).toBeVisible({ timeout: 20_000 });
  const opening = wallet.calls.length;
  // The reader allows up to 25 cents an article (the default is twice this article's price).
  await page.getByTestId("deposit-input").fill("2");
  await page.getByTestId("get-test-tokens").click();
  await expect(page.getByTestId("paywall-status")).toContainText("You received", {
    timeout: 20_000,
  });
  await page.getByTestId("mode-auto").check();
  await page.getByTestId("per-article-max").fill("0.25");
  await page.getByTestId("open-via-relay").check();
  await shot(page, "journey-03-open-form");
  await page.getByTestId("open-channel").click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 60_000 });
  expect(await shots(page, "04-first-article")).toBe(0);
  const openPrompts = prompts(wallet, opening);
  log.push(
    `open: prompts ${JSON.stringify(openPrompts)}, transactions ${wallet.transactions().length}`,
  );
  // The mint (test tokens) is the reader's one transaction; the relay sends the open.
  expect(wallet.transactions()).toHaveLength(1);
  expect(openPrompts.eth_signTypedData_v4).toBe(1);

  // 3. Ten more articles, one click each, with no prompt at all.
  const reading = wallet.calls.length;
  const times: number[] = [];
  let paywalls = 0;
  for (const href of hrefs.slice(1)) {
    // Back to the list as a reader goes: the site's name, then "All articles".
    await page.getByRole("link", { name: "Paychan Press" }).click();
    await page.getByTestId("all-articles-link").click();
    await expect(page).toHaveURL(/\?page=1$/);
    await expect(page.locator(`main a[href="${href}"]`).first()).toBeVisible();
    // The reader looks at the list before clicking: its prefetches are done.
    await page.waitForLoadState("networkidle");
    await page.locator(`main a[href="${href}"]`).first().click();
    await expect(page).toHaveURL(new RegExp(`${href}$`));
    const click = await clickToText(page);
    times.push(click.ms);
    if (click.paywall) paywalls++;
    await expect(page.getByTestId("paywall")).toHaveCount(0);
  }
  expect(prompts(wallet, reading)).toEqual({});
  expect(await shots(page, "05-tenth-article")).toBe(0);
  const sorted = [...times].sort((a, b) => a - b);
  log.push(
    `reading ${READS} articles: click → text ms ${times.join(", ")}; median ${sorted[Math.floor(READS / 2)]}, max ${sorted.at(-1)}; paid on the click's own request ${READS - paywalls} of ${READS} (the others showed the paywall, which paid); prompts 0`,
  );

  // 4. A reload is served by the receipt: no payment, no prompt.
  await page.reload();
  await expect(page.getByTestId("article-body")).toBeVisible();
  expect(prompts(wallet, reading)).toEqual({});

  // 5. /wallet in a second browser of the same wallet: it finds the channel on chain and closes it
  // through the site at the site's last balance.
  const other = await walletSession(browser, 14, baseURL!);
  await other.page.setViewportSize(WIDE);
  await other.page.goto("/wallet");
  await other.page.getByRole("button", { name: /connect wallet/i }).click();
  await other.page
    .getByRole("dialog")
    .getByRole("button", { name: /MetaMask/i })
    .click();
  const card = other.page.getByTestId("wallet-channel").first();
  await expect(card).toHaveAttribute("data-state", "open", { timeout: 30_000 });
  expect(await shots(other.page, "06-wallet-second-browser")).toBe(0);
  const closing = other.wallet.calls.length;
  const beforeClose = await tokenBalance(reader);
  await card.getByTestId("wallet-close-relayed").click();
  await expect(card).toHaveAttribute("data-state", "settled", { timeout: 60_000 });
  expect(await shots(other.page, "07-closed")).toBe(0);
  log.push(
    `close from the second browser: prompts ${JSON.stringify(prompts(other.wallet, closing))} (signed ${other.wallet.typedDataSigned().join(", ")}), transactions ${other.wallet.transactions().length}`,
  );

  // The reader got back exactly the deposit less the eleven articles' prices.
  const prices = (await fetch(`${baseURL}/api/1/prices`).then((r) => r.json())) as {
    resources: { path: string; price: string }[];
  };
  const priceOf = (href: string) => BigInt(prices.resources.find((r) => r.path === href)!.price);
  const spent = hrefs.reduce((sum, href) => sum + priceOf(href), 0n);
  expect((await tokenBalance(reader)) - beforeClose).toBe(DEPOSIT - spent);
  log.push(`spent ${spent} base units (${hrefs.length} articles); ${DEPOSIT - spent} came back`);
  console.log(["journey:", ...log].join("\n  "));
  await other.context.close();
  await context.close();
});
